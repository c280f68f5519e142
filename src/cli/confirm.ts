/**
 * Confirming a command that removes everything (`reset`, `reset-logs --age 0`, …): on a terminal
 * the command asks and goes on only on `y` or `yes`; elsewhere (a script, a pipe, cron) it refuses
 * unless `--yes` was given, before anything is opened.
 */

import type { CliIo } from './command.js'
import { UsageError } from './command.js'

/** Refuses, before anything is opened, a destructive run that nobody can confirm. */
export function refuseUnconfirmable(question: string, io: CliIo, yes: boolean): void {
  if (yes || (io.interactive && io.ask)) return
  throw new UsageError(
    `${question.toLowerCase()}: standard input is not a terminal, so nobody can be asked; add --yes to confirm`,
  )
}

/** Asks on the terminal (unless `--yes`); resolves to whether to go on. */
export async function confirmed(
  question: string,
  store: string,
  io: CliIo,
  yes: boolean,
): Promise<boolean> {
  if (yes) return true
  const answer = await io.ask?.(`${question} in ${store}? [y/N] `)
  return answer !== null && answer !== undefined && /^\s*y(es)?\s*$/i.test(answer)
}
