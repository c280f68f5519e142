/**
 * The command line's locks: `node-axes locked` (every lock in force, what it locks, since and
 * until when, and where its failures came from), `node-axes unlock ID` (lifts exactly one), and
 * what `reset-ip` / `reset-username` add after their count: the locks that still keep that client
 * out through another lockout parameter, and the command that lifts each.
 */

import { lockedOut, resetAndReport, unlock } from '../core/locks.js'
import type { ActiveLock, LockSource } from '../ground/contract-locks.js'
import { readableUsername } from '../ground/devices.js'
import { lockedValues as inWords } from '../ground/lock-words.js'
import type { Command, CommandContext } from './command.js'

const iso = (ms: number) => (Number.isFinite(ms) ? new Date(ms).toISOString() : null)

/**
 * What a lock locks, in words: `username alice, IP 10.0.0.1`, `source 203.0.113.9 (4 usernames)`,
 * `device 3f2a9c1b… of username alice`.
 */
export function lockedValues(lock: ActiveLock): string {
  return inWords(lock, printable)
}

/** A value on one line: control characters shown escaped, so that a username cannot forge a line. */
function printable(value: string): string {
  return value.replace(/[\p{Cc}\\]/gu, (c) => JSON.stringify(c).slice(1, -1))
}

/** The id quoted for a POSIX shell. */
export function shellQuoted(id: string): string {
  return `'${id.replace(/'/g, `'\\''`)}'`
}

/** A lock as JSON: times as ISO text, `until` null for a lock until reset. */
export function lockJson(lock: ActiveLock) {
  return {
    id: lock.id,
    kind: lock.kind,
    fields: lock.fields,
    ...(lock.usernames === undefined ? {} : { usernames: lock.usernames }),
    since: lock.since.toISOString(),
    until: iso(lock.until),
    failures: lock.failures,
    sources: lock.sources.map((s: LockSource) => ({
      ...s,
      attemptTime: s.attemptTime.toISOString(),
    })),
  }
}

/** A lock in lines: what, since, until, how to lift it, and its sources. */
function lockText(lock: ActiveLock): string {
  let text = `${lock.kind} lock: ${lockedValues(lock)}\n`
  const counted =
    lock.kind === 'source'
      ? 'spray detection'
      : `${lock.failures} failure${lock.failures === 1 ? '' : 's'}`
  text += `  since ${lock.since.toISOString()}, until ${iso(lock.until) ?? 'reset'}, ${counted}\n`
  for (const s of lock.sources) {
    const from = [
      s.ipAddress === null ? null : `IP ${printable(s.ipAddress)}`,
      s.username === null ? null : `username ${printable(readableUsername(s.username))}`,
      s.userAgent === null ? null : `user agent ${printable(s.userAgent)}`,
      s.pathInfo === null ? null : `path ${printable(s.pathInfo)}`,
    ].filter((part) => part !== null)
    text += `  ${s.failures} from ${from.join(', ') || 'this bucket'} (last ${s.attemptTime.toISOString()})\n`
  }
  return `${text}  lift it: node-axes unlock ${shellQuoted(lock.id)}\n`
}

/** `node-axes locked` and `node-axes unlock ID`. */
export const LOCK_COMMANDS: readonly Command[] = [
  {
    name: 'locked',
    synopsis: 'locked',
    summary: 'list the locks in force: what each locks, since and until when, its failures',
    arity: [0, 0],
    needs: ['store'],
    run: async ({ axes, json, io }) => {
      const locks = await lockedOut(axes)
      if (json) io.out(`${JSON.stringify(locks.map(lockJson))}\n`)
      else if (locks.length === 0) io.out('No one is locked out.\n')
      else {
        const n = locks.length
        io.out(`${n} lock${n === 1 ? '' : 's'} in force:\n\n${locks.map(lockText).join('\n')}`)
      }
      return 0
    },
  },
  {
    name: 'unlock',
    synopsis: 'unlock ID',
    summary: 'lift one lock (an ID from `node-axes locked`): remove what counts toward it',
    arity: [1, 1],
    needs: ['store'],
    run: async ({ axes, args, json, io }) => {
      const result = await unlock(axes, args[0] as string)
      if (json) {
        io.out(
          `${JSON.stringify({ ...result, lock: result.lock ? lockJson(result.lock) : null })}\n`,
        )
      } else {
        const removed = `${result.removed} attempt${result.removed === 1 ? '' : 's'} removed`
        io.out(
          result.lock
            ? `Unlocked the ${result.lock.kind} lock on ${lockedValues(result.lock)}: ${removed}.\n`
            : `No lock ${shellQuoted(result.id)} was in force: ${removed}.\n`,
        )
      }
      return result.lock || result.removed > 0 ? 0 : 1
    },
  },
]

/**
 * `reset-ip`, `reset-username` and `reset` (`field` null: everything): resets each value, prints
 * the count in django-axes' words, the source locks (spray detection) the reset lifted, then the
 * locks that still keep those clients out and how to lift each.
 */
export async function resetReporting(
  context: CommandContext,
  field: 'ip' | 'username' | null,
): Promise<number> {
  const { axes, io } = context
  let removed = 0
  const remaining = new Map<string, ActiveLock>()
  const sources: ActiveLock[] = []
  const filters = field === null ? [{}] : context.args.map((value) => ({ [field]: value }))
  for (const filter of filters) {
    const report = await resetAndReport(axes, filter)
    removed += report.removed
    sources.push(...report.sources)
    for (const lock of report.remaining) remaining.set(lock.id, lock)
  }
  const locks = [...remaining.values()]
  if (context.json) {
    const json = { removed, sources: sources.map(lockJson), remaining: locks.map(lockJson) }
    io.out(`${JSON.stringify(json)}\n`)
    return 0
  }
  io.out(removed > 0 ? `${removed} attempts removed.\n` : 'No attempts found.\n')
  for (const lock of sources) io.out(`Lifted the source lock on ${lockedValues(lock)}.\n`)
  if (locks.length > 0) {
    io.out(
      `Still locked out, through another lockout parameter:\n\n${locks.map(lockText).join('\n')}`,
    )
  }
  return 0
}
