/**
 * The logs: django-axes' access log (`axes_accesslog`, a row per login, closed at logout) as the
 * handler writes it, and the resets of the access and failure logs. (The failure log's rows are
 * written with the failures: failures.ts.)
 */

import type { AxesHandler } from '../../ground/contract.js'
import type { LoginRecord, LogoutRecord } from '../../ground/contract-logs.js'
import type { SqlContext } from './context.js'
import { checkIp, fitted } from './records.js'

/** The log methods of the handler. */
export type LogMethods = Pick<
  AxesHandler,
  'loggedIn' | 'loggedOut' | 'resetLogs' | 'resetFailureLogs'
>

/** The log methods on a handler's context. */
export function logsOf(ctx: SqlContext): LogMethods {
  const { q, dt, driver } = ctx
  const { log: T_LOG, failureLog: T_FAILURE_LOG } = ctx.tables
  return {
    async loggedIn(given: LoginRecord) {
      if (ctx.settings.disableAccessLog) return
      checkIp(given.ipAddress)
      const record = fitted(given)
      await driver.session.run(
        `INSERT INTO ${T_LOG} (${q('user_agent')}, ${q('ip_address')}, ${q('username')}, ${q('http_accept')}, ${q('path_info')}, ${q('attempt_time')}, ${q('logout_time')}, ${q('session_hash')}) VALUES (?, ?, ?, ?, ?, ?, NULL, ?)`,
        [
          record.userAgent,
          record.ipAddress,
          record.username,
          record.httpAccept,
          record.pathInfo,
          dt(record.attemptTime.getTime()),
          record.sessionHash,
        ],
      )
    },

    async loggedOut(record: LogoutRecord) {
      if (ctx.settings.disableAccessLog || record.username === null) return
      await driver.session.run(
        `UPDATE ${T_LOG} SET ${q('logout_time')} = ? WHERE ${q('username')} = ? AND ${q('logout_time')} IS NULL AND ${q('session_hash')} = ?`,
        [dt(record.logoutTime.getTime()), record.username, record.sessionHash],
      )
    },

    async resetLogs({ ageDays }) {
      if (ageDays === null || ageDays === undefined) {
        return driver.session.run(`DELETE FROM ${T_LOG}`)
      }
      return driver.session.run(`DELETE FROM ${T_LOG} WHERE ${q('attempt_time')} <= ?`, [
        dt(Date.now() - ageDays * 86_400_000),
      ])
    },

    async resetFailureLogs({ ageDays }) {
      if (ageDays === null || ageDays === undefined) {
        return driver.session.run(`DELETE FROM ${T_FAILURE_LOG}`)
      }
      return driver.session.run(`DELETE FROM ${T_FAILURE_LOG} WHERE ${q('attempt_time')} <= ?`, [
        dt(Date.now() - ageDays * 86_400_000),
      ])
    },
  }
}
