/**
 * The commands on stored attempts: `reset`, `reset-ip`, `reset-username`, `reset-ip-username`
 * (django-axes' messages, "3 attempts removed.") and `list-attempts` (a table with a header, each
 * lock's end computed with the loaded options).
 */

import { formatDurationHuman } from '../core/durations.js'
import { type Command, type CommandContext, wholeNumber } from './command.js'
import { resetReporting } from './locks.js'
import { clip, safeText, table, utcTime } from './output.js'

/** django-axes' words for a count of attempts removed. */
export const attemptsRemoved = (n: number) =>
  n > 0 ? `${n} attempts removed.` : 'No attempts found.'

/** Prints a count of removed rows in django-axes' words, or as `{"removed": n}`. */
export function reportRemoved(
  context: CommandContext,
  removed: number,
  words: (n: number) => string,
): number {
  context.io.out(context.json ? `${JSON.stringify({ removed })}\n` : `${words(removed)}\n`)
  return 0
}

/** A command that resets by one field for each of its arguments, and reports the sum. */
function resetEach(
  field: 'ip' | 'username',
  name: string,
  synopsis: string,
  summary: string,
): Command {
  return {
    name,
    synopsis,
    summary,
    arity: [1, Number.POSITIVE_INFINITY],
    needs: ['store'],
    // The count in django-axes' words, then the locks that still keep the client out.
    run: (context) => resetReporting(context, field),
  }
}

const LIST_LIMIT = 1000

const listAttempts: Command = {
  name: 'list-attempts',
  synopsis: 'list-attempts [--limit N]',
  summary: 'list stored attempts, most recent first, with the lock each one is under',
  options: [{ name: '--limit', value: 'N', help: 'at most N attempts (default 1000)' }],
  arity: [0, 0],
  needs: ['store'],
  validate: (_args, options) => {
    if (options['--limit'] === undefined) return null
    const limit = wholeNumber(options['--limit'])
    return limit === null || limit < 1 ? '--limit takes a whole number ≥ 1' : null
  },
  run: async (context) => {
    const limit = wholeNumber(context.options['--limit']) ?? LIST_LIMIT
    const attempts = await context.axes.listAttempts({ limit })
    const known = context.axes.listingRule() !== null
    if (context.json) {
      const rows = attempts.map((a) => ({
        ipAddress: a.ipAddress,
        username: a.username,
        userAgent: a.userAgent,
        failures: a.failures,
        attemptTime: a.attemptTime.toISOString(),
        // null when the options make the lock depend on the request (a function): unknown here.
        locked: known ? a.lockedUntil !== null : null,
        lockedUntil:
          a.lockedUntil === null || !Number.isFinite(a.lockedUntil)
            ? null
            : new Date(a.lockedUntil).toISOString(),
      }))
      context.io.out(`${JSON.stringify(rows)}\n`)
      return 0
    }
    if (attempts.length === 0) {
      context.io.out('No attempts found.\n')
      return 0
    }
    const now = context.now()
    const lock = (until: number | null): string => {
      if (!known) return '?'
      if (until === null) return '-'
      if (!Number.isFinite(until)) return 'until reset'
      return `${utcTime(until)} (in ${formatDurationHuman(Math.max(0, Math.round((until - now) / 1000) * 1000))})`
    }
    context.io.out(
      table(
        ['IP ADDRESS', 'USERNAME', 'FAILURES', 'LAST ATTEMPT', 'LOCKED UNTIL', 'USER AGENT'],
        attempts.map((a) => [
          safeText(a.ipAddress),
          safeText(a.username),
          String(a.failures),
          utcTime(a.attemptTime.getTime()),
          lock(a.lockedUntil),
          clip(safeText(a.userAgent), 60),
        ]),
      ),
    )
    if (attempts.length === limit) {
      context.io.err(`node-axes: the ${limit} most recent shown; --limit N for more\n`)
    }
    if (!known) {
      context.io.err(
        'node-axes: the failure limit or the cool-off is a function of the request: which attempts are locked is not known here (?)\n',
      )
    }
    return 0
  },
}

/** The commands on stored attempts, for the command table. */
export const ATTEMPT_COMMANDS: readonly Command[] = [
  {
    name: 'reset',
    synopsis: 'reset',
    summary: 'remove every attempt (asks first; --yes where no one can answer)',
    arity: [0, 0],
    needs: ['store'],
    destructive: () => 'Remove every attempt',
    run: (context) => resetReporting(context, null),
  },
  resetEach('ip', 'reset-ip', 'reset-ip IP…', 'remove the attempts from these IP addresses'),
  resetEach(
    'username',
    'reset-username',
    'reset-username NAME…',
    'remove the attempts for these usernames',
  ),
  {
    name: 'reset-ip-username',
    synopsis: 'reset-ip-username IP NAME',
    summary: 'remove the attempts of this IP address and username together',
    arity: [2, 2],
    needs: ['store'],
    run: async (context) => {
      const [ip, username] = context.args as [string, string]
      return reportRemoved(context, await context.axes.reset({ ip, username }), attemptsRemoved)
    },
  },
  listAttempts,
]
