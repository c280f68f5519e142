/**
 * The list page both log pages share (access logs, access failure logs): searchable, filtered by
 * time (and by lockout where the log records it) and path, sortable, paged. Each log page says what
 * sets it apart in a `LogPage`.
 */

import type { Axes } from '../../compose/axes.js'
import type { LogSortKey, PageQuery, QueryPage } from '../../ground/contract-browsing.js'
import { html, type SafeHtml } from '../html.js'
import { page } from '../http/responses.js'
import { type Column, filterBar, notices, pagination, searchForm, tableHead } from './components.js'
import { href, type PageContext } from './layout.js'
import { listState, TIME_FILTERS } from './list-state.js'

const LOG_SORTS: readonly LogSortKey[] = [
  'attemptTime',
  'ipAddress',
  'userAgent',
  'username',
  'pathInfo',
]

/** The query a log page makes of its URL. */
export type LogQuery = Omit<PageQuery<LogSortKey>, 'now'> & { lockedOut?: boolean | null }

/** What sets one log page apart. */
export interface LogPage<Row> {
  /** Its place in the navigation. */
  readonly section: 'logs' | 'failureLogs'
  readonly heading: string
  /** Its path under the admin's base. */
  readonly target: string
  /** The logs' name in the warning for a handler that keeps none. */
  readonly noun: string
  /** Whether it filters by lockout (the failure log records it). */
  readonly withLocked: boolean
  readonly columns: readonly Column[]
  /** Whether the instance's handler keeps this log. */
  supported(axes: Axes): boolean
  /** One page of the log. */
  query(axes: Axes, query: LogQuery): Promise<QueryPage<Row>>
  /** The notice when the instance writes no new rows of this log, else null. */
  offNotice(axes: Axes): string | null
  /** The table's rows. */
  rows(rows: readonly Row[]): SafeHtml
}

/** A log page: its list, or a warning when the handler keeps no such log. */
export async function logListPage<Row>(
  ctx: PageContext,
  axes: Axes,
  url: URL,
  pageSize: number,
  log: LogPage<Row>,
): Promise<Response> {
  const { section, heading, target, columns } = log
  if (!log.supported(axes)) {
    return page(
      200,
      ctx,
      section,
      heading,
      notices([
        {
          kind: 'warning',
          text: `The ${axes.handler.name} handler keeps no ${log.noun}.`,
        },
      ]),
    )
  }
  const list = listState(ctx, url, pageSize, LOG_SORTS, target, log.withLocked)
  const { query, sort, link, filterOption } = list
  const result = await log.query(axes, query)
  const notes: { kind: 'notice' | 'warning'; text: string }[] = []
  const off = log.offNotice(axes)
  if (off !== null) notes.push({ kind: 'notice', text: off })
  const groups = [
    { title: 'By attempt time', options: TIME_FILTERS.map(([v, l]) => filterOption('time', v, l)) },
    ...(log.withLocked
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
  const body = html`${notices(notes)}
${searchForm(href(ctx, target), list.search, list.keep)}
<div class="layout"><div class="content">
<table>${tableHead(columns, sort, (o) => link({ o, p: null }))}<tbody>${
    result.rows.length === 0
      ? html`<tr><td colspan="${columns.length}" class="muted">No logs found.</td></tr>`
      : log.rows(result.rows)
  }</tbody></table>
${pagination(result.total, list.pageNo, pageSize, (p) => link({ p }), 'log')}
</div>${filterBar(groups)}</div>`
  return page(200, ctx, section, heading, body)
}
