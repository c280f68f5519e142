/**
 * Running one command line against a command table: parse, check the usage, refuse an
 * unconfirmable destructive run, load node-axes (./config.ts), print which options and which
 * store on standard error (./header.ts), refuse a store that is not there (./store.ts), ask on a
 * terminal when the command removes everything (./confirm.ts), then run the command.
 * Exit codes: 0 done, 1 failed (one line on standard error, never a stack trace), 2 usage.
 */

import type { Axes } from '../compose/axes.js'
import { describeError } from '../ground/errors.js'
import { type Invocation, parse, usageProblem } from './args.js'
import { type CliIo, type Command, UsageError } from './command.js'
import { CONFIG_FILES, ConfigUsageError, loadAxes } from './config.js'
import { confirmed, refuseUnconfirmable } from './confirm.js'
import { header } from './header.js'
import { commandUsage, usage } from './help.js'
import { describeStore, requireStore, StoreLocationError } from './store.js'

/** Runs `argv` with the commands of `table`; resolves to the exit code. */
export async function dispatch(
  table: readonly Command[],
  argv: readonly string[],
  io: CliIo,
): Promise<number> {
  const parsed = parse(argv, table)
  if (typeof parsed === 'string') {
    io.err(`node-axes: ${parsed}\n`)
    return 2
  }
  if (parsed.command === undefined) {
    ;(parsed.help ? io.out : io.err)(usage(table))
    return parsed.help ? 0 : 2
  }
  const command = table.find((c) => c.name === parsed.command)
  if (command === undefined) {
    io.err(`node-axes: unknown command '${parsed.command}'\n\n${usage(table)}`)
    return 2
  }
  if (parsed.help) {
    io.out(commandUsage(command))
    return 0
  }
  const problem = usageProblem(parsed, command)
  if (problem !== null) {
    io.err(`node-axes ${command.name}: ${problem}\n\n${commandUsage(command)}`)
    return 2
  }
  let axes: Axes | undefined
  try {
    await prepareAndRun(command, parsed, io, (opened) => {
      axes = opened
    })
    return 0
  } catch (error) {
    if (error instanceof Exit) return error.code
    if (error instanceof UsageError || error instanceof ConfigUsageError) {
      io.err(`node-axes ${command.name}: ${error.message}\n`)
      return 2
    }
    io.err(`node-axes ${command.name}: ${oneLine(error)}\n`)
    return 1
  } finally {
    await axes?.close().catch(() => {})
  }
}

/** The command's own exit code, carried out of `prepareAndRun`. */
class Exit extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`)
  }
}

async function prepareAndRun(
  command: Command,
  invocation: Invocation,
  io: CliIo,
  opened: (axes: Axes) => void,
): Promise<void> {
  const cwd = io.cwd ?? process.cwd()
  const question = command.destructive?.(invocation.args, invocation.options) ?? null
  if (question !== null) refuseUnconfirmable(question, io, invocation.yes)
  const loaded = await loadAxes(invocation, cwd, io.env)
  const { axes } = loaded
  opened(axes)
  const needs = command.needs ?? []
  if (needs.includes('options') && loaded.optionsFrom === null) {
    throw new StoreLocationError(
      `needs the application's options, and there is no configuration file in ${cwd} (looked for ${CONFIG_FILES.join(', ')}): name it with --config FILE. node-axes' defaults are not checked in its place.`,
    )
  }
  const probe = !(needs.length === 1 && needs[0] === 'options')
  const store = await describeStore(axes, loaded.url, cwd, probe)
  io.err(header(axes.options, loaded.optionsFrom, store, loaded.storeFrom))
  if (needs.includes('store')) await requireStore(axes, `from ${loaded.storeFrom}`)
  if (question !== null && !(await confirmed(question, store, io, invocation.yes))) {
    io.err(`node-axes ${command.name}: not confirmed; nothing was removed.\n`)
    throw new Exit(1)
  }
  const code = await command.run({
    axes,
    args: invocation.args,
    options: invocation.options,
    json: invocation.json,
    store,
    io,
    now: () => axes.options.clock(),
  })
  if (code !== 0) throw new Exit(code)
}

/** An error as one line: the message, with node-axes' prefix dropped and line breaks folded. */
function oneLine(error: unknown): string {
  return describeError(error)
    .replace(/^\[node-axes\] /, '')
    .replace(/\s*\n\s*/g, ' ')
}
