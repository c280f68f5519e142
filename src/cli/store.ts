/**
 * The store a command works on: which URL forms the command line takes (anything else is an
 * error before a connection is tried), how the store is named in messages (a SQLite file's
 * absolute path, a server URL with its password masked), and the refusal to read or reset a
 * database that is not there, which opening it would create.
 */

import { resolve } from 'node:path'
import type { Axes } from '../compose/axes.js'

/** A store that cannot be used as named: the command fails (exit 1) saying what it tried. */
export class StoreLocationError extends Error {}

const SERVER = /^(postgres|postgresql|mysql|mariadb|redis|rediss):\/\//i
const FILE = /^(sqlite|file):(\/\/)?/i

/**
 * Checks that `url` is a form the command line takes: `sqlite:PATH` (or `file:`), `postgres://`,
 * `postgresql://`, `mysql://`, `mariadb://`, `redis://` or `rediss://`, with a host or a path. An
 * in-memory SQLite database is refused: it would be empty.
 */
export function checkStoreUrl(url: string, from: string): void {
  const forms = 'sqlite:PATH, postgres://…, mysql://… or redis://…'
  if (FILE.test(url)) {
    const path = url.replace(FILE, '')
    if (path === '' || path === ':memory:') {
      throw new StoreLocationError(
        `${from} names an in-memory SQLite database ('${url}'), which would be empty: name a file, sqlite:PATH`,
      )
    }
    return
  }
  if (SERVER.test(url)) {
    let host = ''
    try {
      host = new URL(url).hostname
    } catch {}
    if (host !== '') return
  }
  throw new StoreLocationError(
    `${from} is not a store URL the command line knows ('${maskUrl(url)}'): use ${forms}`,
  )
}

/** A store URL for messages: a SQLite file as `sqlite:` and its absolute path, a password as `***`. */
export function maskUrl(url: string, cwd = process.cwd()): string {
  if (FILE.test(url)) {
    const path = decodeURIComponent(url.replace(FILE, ''))
    return path === '' || path === ':memory:' ? url : `sqlite:${resolve(cwd, path)}`
  }
  try {
    const parsed = new URL(url)
    if (parsed.password) parsed.password = '***'
    for (const key of [...parsed.searchParams.keys()]) {
      if (/^(password|pass|pwd)$/i.test(key)) parsed.searchParams.set(key, '***')
    }
    return parsed.href
  } catch {
    // Not a URL: hide anything between `:` and `@`, as a password would be.
    return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@')
  }
}

/** What a database handler's `probe()` answers (node-axes/database). */
interface StoreProbe {
  location: string
  exists: boolean
  tables: boolean
}

type Probing = { probe?: () => Promise<StoreProbe>; name: string; options?: unknown }

/**
 * The store, named for the header line: the URL given (masked), else the configuration's
 * `databaseUrl`, else where the configuration's database handler says its data lives (`probe`
 * creates nothing), else the handler's name.
 */
export async function describeStore(
  axes: Axes,
  url: string | undefined,
  cwd: string,
  probe: boolean,
): Promise<string> {
  if (url !== undefined) return maskUrl(url, cwd)
  if (axes.options.handler === 'database') return maskUrl(axes.options.databaseUrl, cwd)
  const handler = axes.handler as unknown as Probing
  if (probe && typeof handler.probe === 'function') {
    const { location } = await handler.probe()
    return location.startsWith('/') ? `sqlite:${location}` : location
  }
  return `the configuration's ${handler.name} handler`
}

/**
 * Refuses to read or reset a database that is not there or holds no node-axes tables, which
 * opening it would otherwise create (and migrating would fill) before answering "No attempts
 * found.". Handlers without `probe()` (Redis, memory, the application's own) are taken as they are.
 */
export async function requireStore(axes: Axes, from: string): Promise<void> {
  const handler = axes.handler as unknown as Probing
  if (typeof handler.probe !== 'function') return
  const probe = await handler.probe()
  if (!probe.exists) {
    throw new StoreLocationError(
      `no database at ${probe.location} (${from}): nothing was read or reset, nothing created. Run this command where the database is, name it with --url or --config, or create it with 'node-axes migrate'.`,
    )
  }
  if (!probe.tables) {
    throw new StoreLocationError(
      `${probe.location} has no node-axes tables (axes_accessattempt): it is not node-axes' database (${from}), or it was never migrated ('node-axes migrate' creates them). Nothing was read or reset.`,
    )
  }
}
