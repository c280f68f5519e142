/**
 * The access logs page (`/logs`): django-axes' "Access logs", one row per login with its logout
 * time.
 */

import type { Axes } from '../../compose/axes.js'
import type { AccessLogEntry } from '../../ground/contract-logs.js'
import { html, type SafeHtml } from '../html.js'
import { cell, formatTime, userCell } from './components.js'
import type { PageContext } from './layout.js'
import { type LogPage, logListPage } from './logs.js'

/** The rows of the access log table. */
function accessLogRows(rows: readonly AccessLogEntry[]): SafeHtml {
  return html`${rows.map(
    (r) =>
      html`<tr><td class="nowrap">${formatTime(r.attemptTime)}</td><td class="nowrap">${r.logoutTime ? formatTime(r.logoutTime) : html`<span class="muted">—</span>`}</td><td class="nowrap">${cell(r.ipAddress)}</td><td>${userCell(r.username)}</td><td>${r.userAgent}</td><td class="path">${r.pathInfo}</td></tr>`,
  )}`
}

const ACCESS_LOGS: LogPage<AccessLogEntry> = {
  section: 'logs',
  heading: 'Access logs',
  target: '/logs',
  noun: 'access logs',
  withLocked: false,
  columns: [
    { key: 'attemptTime', label: 'Attempt time' },
    { key: null, label: 'Logout time' },
    { key: 'ipAddress', label: 'IP address' },
    { key: 'username', label: 'Username' },
    { key: 'userAgent', label: 'User agent' },
    { key: 'pathInfo', label: 'Path' },
  ],
  supported: (axes) => axes.capabilities.browseLogs,
  query: (axes, query) => axes.queryAccessLogs(query),
  offNotice: (axes) =>
    axes.options.disableAccessLog
      ? 'Access logging is off (disableAccessLog: true): no new rows are written.'
      : null,
  rows: accessLogRows,
}

/** The access logs page (`/logs`). */
export function accessLogsPage(
  ctx: PageContext,
  axes: Axes,
  url: URL,
  pageSize: number,
): Promise<Response> {
  return logListPage(ctx, axes, url, pageSize, ACCESS_LOGS)
}
