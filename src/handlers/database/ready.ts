/**
 * Why the database handler cannot start, as `axes.ready()` reports it: an `AxesError`
 * (`AXES_HANDLER_NOT_READY`) naming what is missing (the driver, a writable file, the server) and
 * how to fix it, with the driver's error as `cause`.
 */

import { dirname } from 'node:path'
import { AxesError, describeError } from '../../ground/errors.js'
import type { SqlDialect } from './sql.js'

/** The codes of a server that cannot be reached. */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ETIMEDOUT', 'EAI_AGAIN'])

/** The error's code and message, and those of its causes. */
function chain(error: unknown): { codes: string[]; text: string } {
  const codes: string[] = []
  const texts: string[] = []
  let current: unknown = error
  for (let depth = 0; current && depth < 5; depth++) {
    const e = current as { code?: unknown; errors?: unknown[]; cause?: unknown }
    if (typeof e.code === 'string') codes.push(e.code)
    for (const inner of Array.isArray(e.errors) ? e.errors : []) {
      const c = (inner as { code?: unknown })?.code
      if (typeof c === 'string') codes.push(c)
    }
    texts.push(describeError(current))
    current = e.cause
  }
  return { codes, text: texts.join(' ') }
}

/**
 * The error of a database handler that could not connect or migrate. `location` is where it
 * points (a SQLite file's absolute path, a server URL without its password); `sqliteFile` the
 * file, for SQLite.
 */
export function notReady(
  error: unknown,
  dialect: SqlDialect,
  location: string,
  sqliteFile: string | null,
): AxesError {
  const { codes, text } = chain(error)
  let what: string
  let fix: string
  if (/needs (node:sqlite|bun:sqlite|better-sqlite3)|needs the package/.test(text)) {
    what = 'its driver cannot load'
    fix = 'see the message above for the package or runtime it needs'
  } else if (
    dialect === 'sqlite' &&
    /unable to open database file|readonly database|read-only|EACCES|EROFS|SQLITE_CANTOPEN|SQLITE_READONLY/i.test(
      `${text} ${codes.join(' ')}`,
    )
  ) {
    what = `the SQLite file ${location} cannot be opened for writing`
    fix = `make ${sqliteFile ? dirname(sqliteFile) : 'its folder'} (and the file) writable by this process, or point databaseUrl (AXES_DATABASE_URL) at a writable path`
  } else if (codes.some((c) => UNREACHABLE.has(c)) || /within \d+ ms \(timeoutMs\)/.test(text)) {
    what = `the ${dialect === 'postgres' ? 'PostgreSQL' : dialect === 'mysql' ? 'MySQL' : 'database'} server at ${location} cannot be reached`
    fix = 'start the server, or correct the host and port in the URL'
  } else {
    what = `it failed on ${location}`
    fix = 'see the cause; docs/database.md says what the handler needs'
  }
  return new AxesError(
    'AXES_HANDLER_NOT_READY',
    `the database handler cannot start: ${what} (${describeError(error)}). Fix: ${fix}`,
    { cause: error },
  )
}
