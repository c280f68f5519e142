/**
 * Parsing the command line: the command's name, its positional arguments, the common options
 * (`--json`, `--help`, `--yes`, `--url URL`, `--config FILE`) and the options the commands
 * declare (`--age DAYS`, …), in any order; `--name=value` or `--name value`; `--` ends options.
 */

import type { Command } from './command.js'

/** What the command line was asked to do. */
export interface Invocation {
  command: string | undefined
  args: string[]
  url: string | undefined
  config: string | undefined
  json: boolean
  help: boolean
  yes: boolean
  /** Options declared by some command, as given: a value, or `true` for a flag. */
  options: Record<string, string | true>
  unknown: string[]
}

/**
 * Parses `argv`, knowing which options take a value from the commands' declarations; a string
 * is a usage mistake (an option without its value).
 */
export function parse(argv: readonly string[], commands: readonly Command[]): Invocation | string {
  const declared = new Map<string, boolean>()
  for (const command of commands) {
    for (const option of command.options ?? [])
      declared.set(option.name, option.value !== undefined)
  }
  const invocation: Invocation = {
    command: undefined,
    args: [],
    url: undefined,
    config: undefined,
    json: false,
    help: false,
    yes: false,
    options: {},
    unknown: [],
  }
  let positionalOnly = false
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string
    if (positionalOnly || !arg.startsWith('-') || arg === '-') {
      if (invocation.command === undefined) invocation.command = arg
      else invocation.args.push(arg)
      continue
    }
    if (arg === '--') positionalOnly = true
    else if (arg === '--help' || arg === '-h') invocation.help = true
    else if (arg === '--json') invocation.json = true
    else if (arg === '--yes' || arg === '-y') invocation.yes = true
    else {
      const eq = arg.indexOf('=')
      const name = eq === -1 ? arg : arg.slice(0, eq)
      const common = name === '--url' || name === '--config'
      const takesValue = common || declared.get(name)
      if (takesValue === undefined) {
        invocation.unknown.push(arg)
        continue
      }
      let value: string | true = true
      if (takesValue) {
        const given = eq === -1 ? argv[++i] : arg.slice(eq + 1)
        if (given === undefined || given === '') return `${name} needs a value`
        value = given
      } else if (eq !== -1) return `${name} takes no value`
      if (name === '--url') invocation.url = value as string
      else if (name === '--config') invocation.config = value as string
      else invocation.options[name] = value
    }
  }
  return invocation
}

/** What is wrong with the invocation for this command (before anything is opened), or null. */
export function usageProblem(invocation: Invocation, command: Command): string | null {
  if (invocation.unknown.length > 0) return `unknown option '${invocation.unknown[0]}'`
  const own = new Set((command.options ?? []).map((option) => option.name))
  for (const name of Object.keys(invocation.options)) {
    if (!own.has(name as `--${string}`)) return `${name} does not apply to this command`
  }
  const [least, most] = command.arity
  const n = invocation.args.length
  if (n < least) return least === most ? `takes ${least} arguments` : 'needs at least one argument'
  if (n > most) {
    return most === 0
      ? `takes no arguments (got '${invocation.args[0]}')`
      : `takes ${most} arguments`
  }
  return command.validate?.(invocation.args, invocation.options) ?? null
}
