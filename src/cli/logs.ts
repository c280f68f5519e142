/**
 * The commands on access logs: `reset-logs` and `reset-failure-logs`, removing logs at least
 * `--age` days old (django-axes' default: 30). `--age 0` removes every log, and asks first.
 */

import type { Axes } from '../compose/axes.js'
import { reportRemoved } from './attempts.js'
import { type Command, wholeNumber } from './command.js'

const logsRemoved = (n: number) => (n > 0 ? `${n} logs removed.` : 'No logs found.')

/** The age in days `--age` gives (30 without it). */
function age(options: Readonly<Record<string, string | true>>): number {
  return options['--age'] === undefined ? 30 : (wholeNumber(options['--age']) ?? 30)
}

function resetOld(
  name: string,
  what: string,
  remove: (axes: Axes, days: number) => Promise<number>,
): Command {
  return {
    name,
    synopsis: `${name} [--age DAYS]`,
    summary: `remove ${what} at least DAYS old (default 30)`,
    options: [
      { name: '--age', value: 'DAYS', help: 'how old, in days (default 30; 0 removes every log)' },
    ],
    arity: [0, 0],
    needs: ['store'],
    validate: (_args, options) =>
      options['--age'] !== undefined && wholeNumber(options['--age']) === null
        ? '--age takes a whole number of days'
        : null,
    // django-axes deletes `attempt_time <= now - age`: an age of 0 is every log.
    destructive: (_args, options) =>
      age(options) === 0 ? `Remove every ${what.replace(/s$/, '')}` : null,
    run: async (context) =>
      reportRemoved(context, await remove(context.axes, age(context.options)), logsRemoved),
  }
}

/** The commands on access logs, for the command table. */
export const LOG_COMMANDS: readonly Command[] = [
  resetOld('reset-logs', 'access logs', (axes, days) => axes.resetLogs({ age: days })),
  resetOld('reset-failure-logs', 'access failure logs', (axes, days) =>
    axes.resetFailureLogs({ age: days }),
  ),
]
