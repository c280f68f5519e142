/**
 * The log pages: django-axes' "Access logs" (logins and logouts) and "Access failure logs" (one row
 * per failed login), one list page over the two tables: searchable, filtered, sortable.
 */

import type { Axes } from '../../core/axes.js'
import type { AccessFailureLogEntry, AccessLogEntry, LogSortKey } from '../../ground/contract.js'
import { html, type SafeHtml } from '../html.js'
import { page } from '../http/responses.js'
import {
  type Column,
  cell,
  filterBar,
  formatTime,
  notices,
  pagination,
  searchForm,
  tableHead,
} from './components.js'
import { href, type PageContext } from './layout.js'
import { listState, TIME_FILTERS } from './list-state.js'

const LOG_SORTS: readonly LogSortKey[] = [
  'attemptTime',
  'ipAddress',
  'userAgent',
  'username',
  'pathInfo',
]

/** The access logs page (`/logs`) or the access failure logs page (`/failure-logs`). */
export async function logsPage(
  ctx: PageContext,
  axes: Axes,
  url: URL,
  pageSize: number,
  section: 'logs' | 'failureLogs',
): Promise<Response> {
  const failures = section === 'failureLogs'
  const heading = failures ? 'Access failure logs' : 'Access logs'
  const supported = failures
    ? typeof axes.handler.queryFailureLogs === 'function'
    : typeof axes.handler.queryAccessLogs === 'function'
  if (!supported) {
    return page(
      200,
      ctx,
      section,
      heading,
      notices([
        {
          kind: 'warning',
          text: `The ${axes.handler.name} handler keeps no ${failures ? 'access failure logs' : 'access logs'}.`,
        },
      ]),
    )
  }
  const target = failures ? '/failure-logs' : '/logs'
  const list = listState(ctx, url, pageSize, LOG_SORTS, target, failures)
  const { query, sort, link, filterOption } = list
  const result = failures ? await axes.queryFailureLogs(query) : await axes.queryAccessLogs(query)
  const notes: { kind: 'notice' | 'warning'; text: string }[] = []
  if (failures && !axes.options.enableAccessFailureLog) {
    notes.push({
      kind: 'notice',
      text: 'Access failure logging is off (enableAccessFailureLog: false): no new rows are written.',
    })
  }
  if (!failures && axes.options.disableAccessLog) {
    notes.push({
      kind: 'notice',
      text: 'Access logging is off (disableAccessLog: true): no new rows are written.',
    })
  }
  const groups = [
    { title: 'By attempt time', options: TIME_FILTERS.map(([v, l]) => filterOption('time', v, l)) },
    ...(failures
      ? [
          {
            title: 'By locked out',
            options: [
              filterOption('locked', '', 'All'),
              filterOption('locked', 'yes', 'Yes'),
              filterOption('locked', 'no', 'No'),
            ],
          },
        ]
      : []),
    {
      title: 'By path',
      options: [
        filterOption('path', '', 'All'),
        ...result.paths.map((p) => filterOption('path', p, p)),
      ],
    },
  ]
  const columns: Column[] = failures
    ? [
        { key: 'attemptTime', label: 'Attempt time' },
        { key: 'ipAddress', label: 'IP address' },
        { key: 'username', label: 'Username' },
        { key: 'userAgent', label: 'User agent' },
        { key: 'pathInfo', label: 'Path' },
        { key: null, label: 'Locked out' },
      ]
    : [
        { key: 'attemptTime', label: 'Attempt time' },
        { key: null, label: 'Logout time' },
        { key: 'ipAddress', label: 'IP address' },
        { key: 'username', label: 'Username' },
        { key: 'userAgent', label: 'User agent' },
        { key: 'pathInfo', label: 'Path' },
      ]
  const rows = failures
    ? failureLogRows(result.rows as Parameters<typeof failureLogRows>[0])
    : accessLogRows(result.rows as Parameters<typeof accessLogRows>[0])
  const body = html`${notices(notes)}
${searchForm(href(ctx, target), list.search, list.keep)}
<div class="layout"><div class="content">
<table>${tableHead(columns, sort, (o) => link({ o, p: null }))}<tbody>${
    result.rows.length === 0
      ? html`<tr><td colspan="${columns.length}" class="muted">No logs found.</td></tr>`
      : rows
  }</tbody></table>
${pagination(result.total, list.pageNo, pageSize, (p) => link({ p }), 'log')}
</div>${filterBar(groups)}</div>`
  return page(200, ctx, section, heading, body)
}

/** The rows of the access log table. */
export function accessLogRows(rows: readonly AccessLogEntry[]): SafeHtml {
  return html`${rows.map(
    (r) =>
      html`<tr><td class="nowrap">${formatTime(r.attemptTime)}</td><td class="nowrap">${r.logoutTime ? formatTime(r.logoutTime) : html`<span class="muted">—</span>`}</td><td class="nowrap">${cell(r.ipAddress)}</td><td>${cell(r.username)}</td><td>${r.userAgent}</td><td>${r.pathInfo}</td></tr>`,
  )}`
}

/** The rows of the access failure log table. */
export function failureLogRows(rows: readonly AccessFailureLogEntry[]): SafeHtml {
  return html`${rows.map(
    (r) =>
      html`<tr><td class="nowrap">${formatTime(r.attemptTime)}</td><td class="nowrap">${cell(r.ipAddress)}</td><td>${cell(r.username)}</td><td>${r.userAgent}</td><td>${r.pathInfo}</td><td>${r.lockedOut ? html`<span class="locked">Yes</span>` : 'No'}</td></tr>`,
  )}`
}
