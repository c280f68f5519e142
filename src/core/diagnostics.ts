/**
 * Diagnostics: what an instance tells its operator. The checks (static ones found at start-up,
 * runtime ones the first time they are seen, minus the silenced codes) and the log lines, written
 * only when the configured logger listens at that level.
 */

import type { AxesHandler } from '../ground/contract.js'
import { type AxesCheck, type CheckId, makeCheck, staticChecks } from './checks.js'
import {
  type AxesLogger,
  type AxesLogRecord,
  logRecord,
  quiet,
  type ResolvedOptions,
} from './options.js'

/** An instance's checks and logger. */
export class Diagnostics {
  readonly #options: Readonly<ResolvedOptions>
  readonly #static: AxesCheck[]
  readonly #runtime = new Map<string, AxesCheck>()
  readonly #silenced: ReadonlySet<string>

  /** Runs the static checks and logs those not silenced. */
  constructor(
    options: Readonly<ResolvedOptions>,
    handler: AxesHandler,
    unresolvedDjangoPaths: readonly string[],
  ) {
    this.#options = options
    this.#silenced = new Set(options.silencedChecks)
    this.#static = staticChecks(options, handler, unresolvedDjangoPaths)
    for (const check of this.#static) this.#logCheck(check)
  }

  /** The checks that apply, static and runtime, without the silenced codes. */
  checks(): AxesCheck[] {
    return [...this.#static, ...this.#runtime.values()].filter((c) => !this.#silenced.has(c.id))
  }

  /** Whether a runtime check has been reported already. */
  hasReported(id: CheckId): boolean {
    return this.#runtime.has(id)
  }

  /** Reports a runtime check once, and logs it unless silenced. */
  report(id: CheckId, values: Record<string, string> = {}): void {
    if (this.#runtime.has(id)) return
    const check = makeCheck(id, values)
    this.#runtime.set(id, check)
    this.#logCheck(check)
  }

  /** Whether `level` reaches a logger (so that costly messages are built only then). */
  logs(level: keyof AxesLogger): boolean {
    const logger = this.#options.logger
    if (!logger) return false
    const fn = logger[level]
    return typeof fn === 'function' && fn !== quiet
  }

  /**
   * Logs a record at `level` (one object: the message and its fields); a function is called only
   * when the record is written.
   */
  log(level: keyof AxesLogger, record: AxesLogRecord | (() => AxesLogRecord)): void {
    if (!this.logs(level)) return
    const logger = this.#options.logger as AxesLogger
    ;(logger[level] as (r: AxesLogRecord) => void).call(
      logger,
      typeof record === 'function' ? record() : record,
    )
  }

  #logCheck(check: AxesCheck): void {
    if (this.#silenced.has(check.id)) return
    this.log('warn', () =>
      logRecord(`${check.id}: ${check.message} HINT: ${check.hint} See ${check.help}`, 'check', {
        code: check.id,
      }),
    )
  }
}

/** django-axes' start-up mode string, e.g. `blocking by username or ip_address`. */
export function describeMode(options: ResolvedOptions): string {
  const params = options.lockoutParameters
  if (typeof params === 'function') {
    return 'blocking by parameters that are calculated in a custom callable'
  }
  return `blocking by ${params
    .map((item) => (typeof item === 'string' ? item : `combination of ${item.join(' and ')}`))
    .join(' or ')}`
}
