/**
 * The access failure logs page (`/failure-logs`): django-axes' "Access failure logs", one row per
 * failed login, filtered also by whether it was locked out.
 */

import type { Axes } from '../../compose/axes.js'
import type { AccessFailureLogEntry } from '../../ground/contract-logs.js'
import { html, type SafeHtml } from '../html.js'
import { cell, formatTime, userCell } from './components.js'
import type { PageContext } from './layout.js'
import { type LogPage, logListPage } from './logs.js'

/** The rows of the access failure log table. */
function failureLogRows(rows: readonly AccessFailureLogEntry[]): SafeHtml {
  return html`${rows.map(
    (r) =>
      html`<tr><td class="nowrap">${formatTime(r.attemptTime)}</td><td class="nowrap">${cell(r.ipAddress)}</td><td>${userCell(r.username)}</td><td>${r.userAgent}</td><td class="path">${r.pathInfo}</td><td>${r.lockedOut ? html`<span class="locked">Yes</span>` : 'No'}</td></tr>`,
  )}`
}

const FAILURE_LOGS: LogPage<AccessFailureLogEntry> = {
  section: 'failureLogs',
  heading: 'Access failure logs',
  target: '/failure-logs',
  noun: 'access failure logs',
  withLocked: true,
  columns: [
    { key: 'attemptTime', label: 'Attempt time' },
    { key: 'ipAddress', label: 'IP address' },
    { key: 'username', label: 'Username' },
    { key: 'userAgent', label: 'User agent' },
    { key: 'pathInfo', label: 'Path' },
    { key: null, label: 'Locked out' },
  ],
  supported: (axes) => axes.capabilities.browseLogs,
  query: (axes, query) => axes.queryFailureLogs(query),
  offNotice: (axes) =>
    axes.options.enableAccessFailureLog
      ? null
      : 'Access failure logging is off (enableAccessFailureLog: false): no new rows are written.',
  rows: failureLogRows,
}

/** The access failure logs page (`/failure-logs`). */
export function failureLogsPage(
  ctx: PageContext,
  axes: Axes,
  url: URL,
  pageSize: number,
): Promise<Response> {
  return logListPage(ctx, axes, url, pageSize, FAILURE_LOGS)
}
