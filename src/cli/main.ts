/**
 * The `node-axes` command line: django-axes' management commands, for any handler that stores
 * attempts (the database handler by default).
 *
 *   node-axes reset | reset-ip IP… | reset-username NAME… | reset-ip-username IP NAME
 *   node-axes list-attempts | reset-logs [--age DAYS] | reset-failure-logs [--age DAYS]
 *   node-axes migrate | check | locked | unlock ID
 *
 * Which node-axes: `--url`, else `--config FILE`, else `node-axes.config.{js,mjs,cjs,ts,json}` in
 * the working directory, else AXES_DATABASE_URL, else `sqlite:axes.sqlite3` (see ./config.ts).
 * Output: django-axes' messages ("3 attempts removed.", "No logs found.", …), or JSON with
 * `--json`. Exit codes: 0 done, 1 failed (one line saying why), 2 usage.
 */

import type { Axes } from '../compose/axes.js'
import { DEFAULT_DATABASE_URL } from '../core/options.js'
import { describeError } from '../ground/errors.js'
import { ConfigUsageError, loadAxes } from './config.js'
import { LOCK_VERBS, resetReporting } from './locks.js'

/** What the command line was asked to do. */
interface Invocation {
  command: string | undefined
  args: string[]
  url: string | undefined
  config: string | undefined
  age: string | undefined
  limit: string | undefined
  failLevel: string | undefined
  json: boolean
  help: boolean
  unknown: string[]
}

/** The command line's streams and surroundings (the binary passes the process's own). */
export interface CliIo {
  out: (text: string) => void
  err: (text: string) => void
  env: NodeJS.ProcessEnv
  cwd?: string
}

const SOURCE_HELP = `which node-axes (the first that is given):
  --url URL        a database (sqlite:PATH, postgres://…, mysql://…) or Redis (redis://…)
  --config FILE    a configuration file (default export: an Axes instance, createAxes
                   options, or a function returning one; JSON: options or AXES_* settings)
  node-axes.config.{js,mjs,cjs,ts,json} in the working directory
  $AXES_DATABASE_URL or $AXES_REDIS_URL
  ${DEFAULT_DATABASE_URL}, the embedded default`

interface Verb {
  /** `reset-ip IP…` */
  readonly synopsis: string
  readonly summary: string
  /** Options this verb takes besides the common ones. */
  readonly options?: string
  /** How many positional arguments: [least, most]. */
  readonly arity: readonly [number, number]
  /**
   * Whether it only reads or resets stored attempts and logs: it then needs the database to be
   * there with node-axes' tables, and never creates it (`migrate` creates; `check` reads no store).
   */
  readonly readsStore?: true
  run(axes: Axes, invocation: Invocation, io: CliIo): Promise<number>
}

const attemptsRemoved = (n: number) => (n > 0 ? `${n} attempts removed.` : 'No attempts found.')
const logsRemoved = (n: number) => (n > 0 ? `${n} logs removed.` : 'No logs found.')

/** Prints a count in django-axes' words, or as JSON. */
function report(io: CliIo, invocation: Invocation, removed: number, words: (n: number) => string) {
  io.out(invocation.json ? `${JSON.stringify({ removed })}\n` : `${words(removed)}\n`)
  return 0
}

/** A verb that resets by one field for each of its arguments, and reports the sum. */
function resetEach(field: 'ip' | 'username', synopsis: string, summary: string): Verb {
  return {
    synopsis,
    summary,
    arity: [1, Number.POSITIVE_INFINITY],
    readsStore: true,
    run: (axes, invocation, io) => resetReporting(axes, field, invocation, io),
  }
}

/** A verb that removes logs at least `--age` days old (django-axes' default: 30). */
function resetOld(
  name: string,
  what: string,
  remove: (axes: Axes, days: number | null) => Promise<number>,
): Verb {
  return {
    synopsis: `${name} [--age DAYS]`,
    summary: `remove ${what} at least DAYS old (default 30)`,
    options: '  --age DAYS       how old, in days (default 30; 0 removes every log)',
    arity: [0, 0],
    readsStore: true,
    run: async (axes, invocation, io) =>
      report(io, invocation, await remove(axes, age(invocation)), logsRemoved),
  }
}

const VERBS: Record<string, Verb> = {
  reset: {
    synopsis: 'reset',
    summary: 'remove every attempt',
    arity: [0, 0],
    readsStore: true,
    run: async (axes, invocation, io) =>
      report(io, invocation, await axes.reset(), attemptsRemoved),
  },
  'reset-ip': resetEach('ip', 'reset-ip IP…', 'remove the attempts from these IP addresses'),
  'reset-username': resetEach(
    'username',
    'reset-username NAME…',
    'remove the attempts for these usernames',
  ),
  'reset-ip-username': {
    synopsis: 'reset-ip-username IP NAME',
    summary: 'remove the attempts of this IP address and username together',
    arity: [2, 2],
    readsStore: true,
    run: async (axes, invocation, io) => {
      const [ip, username] = invocation.args as [string, string]
      return report(io, invocation, await axes.reset({ ip, username }), attemptsRemoved)
    },
  },
  'list-attempts': {
    synopsis: 'list-attempts',
    summary: 'list stored attempts, most recent first: IP, username and failures, tab-separated',
    options: '  --limit N        at most N attempts (default 1000)',
    arity: [0, 0],
    readsStore: true,
    run: async (axes, invocation, io) => {
      const limit = invocation.limit === undefined ? 1000 : wholeNumber(invocation.limit)
      if (limit === null || limit < 1) throw new UsageError('--limit takes a whole number ≥ 1')
      const attempts = await axes.listAttempts({ limit })
      if (invocation.json) {
        const rows = attempts.map((a) => ({
          ipAddress: a.ipAddress,
          username: a.username,
          userAgent: a.userAgent,
          failures: a.failures,
          attemptTime: a.attemptTime.toISOString(),
          locked: a.lockedUntil !== null,
          lockedUntil:
            a.lockedUntil === null || !Number.isFinite(a.lockedUntil)
              ? null
              : new Date(a.lockedUntil).toISOString(),
        }))
        io.out(`${JSON.stringify(rows)}\n`)
        return 0
      }
      // django-axes' format, None and all, so that scripts written for it keep working. Tabs and
      // line breaks inside a value are shown escaped: a username cannot forge a line.
      const field = (value: string | null) =>
        value === null
          ? 'None'
          : value.replace(/[\t\n\r\\]/g, (c) => JSON.stringify(c).slice(1, -1))
      for (const a of attempts) {
        io.out(`${field(a.ipAddress)}\t${field(a.username)}\t${a.failures}\n`)
      }
      return 0
    },
  },
  'reset-logs': resetOld('reset-logs', 'access logs', (axes, days) =>
    axes.resetLogs({ age: days }),
  ),
  'reset-failure-logs': resetOld('reset-failure-logs', 'access failure logs', (axes, days) =>
    axes.resetFailureLogs({ age: days }),
  ),
  migrate: {
    synopsis: 'migrate',
    summary: "create django-axes' tables, or adopt them where Django made them",
    arity: [0, 0],
    run: async (axes, invocation, io) => {
      const handler = axes.handler as { migrate?: () => Promise<MigrateResult>; name: string }
      if (typeof handler.migrate !== 'function') {
        if (invocation.json) io.out(`${JSON.stringify({ applied: [], adopted: 0 })}\n`)
        else io.out(`The ${handler.name} handler keeps no tables: nothing to migrate.\n`)
        return 0
      }
      const result = await handler.migrate()
      if (invocation.json) io.out(`${JSON.stringify(result)}\n`)
      else if (result.applied.length === 0) io.out('No migrations to apply.\n')
      else {
        for (const name of result.applied) io.out(`Applied ${name}.\n`)
        if (result.adopted > 0) {
          io.out(`Adopted ${result.adopted} existing table, index or column definitions.\n`)
        }
      }
      return 0
    },
  },
  check: {
    synopsis: 'check [--fail-level WARNING]',
    summary: 'run the configuration checks (axes.W001…) and print what they find',
    options:
      '  --fail-level L   exit 1 when a check at level L or above fires: ERROR (default; node-axes\n                   has none) or WARNING',
    arity: [0, 0],
    run: async (axes, invocation, io) => {
      const level = (invocation.failLevel ?? 'ERROR').toUpperCase()
      if (level !== 'ERROR' && level !== 'WARNING') {
        throw new UsageError('--fail-level takes ERROR or WARNING')
      }
      const checks = axes.check()
      if (invocation.json) io.out(`${JSON.stringify(checks)}\n`)
      else if (checks.length === 0) io.out('System check identified no issues.\n')
      else {
        let text = 'System check identified some issues:\n\nWARNINGS:\n'
        for (const c of checks)
          text += `${c.id}: ${c.message}\n\tHINT: ${c.hint}\n\tSEE: ${c.help}\n`
        const n = checks.length
        text += `\nSystem check identified ${n} issue${n === 1 ? '' : 's'}.\n`
        io.out(text)
      }
      return level === 'WARNING' && checks.length > 0 ? 1 : 0
    },
  },
  ...LOCK_VERBS,
}

interface MigrateResult {
  applied: string[]
  adopted: number
}

class UsageError extends Error {}

function wholeNumber(text: string): number | null {
  return /^\d{1,9}$/.test(text) ? Number(text) : null
}

function age(invocation: Invocation): number | null {
  if (invocation.age === undefined) return 30
  const days = wholeNumber(invocation.age)
  if (days === null) throw new UsageError('--age takes a whole number of days')
  // django-axes deletes `attempt_time <= now - age`: an age of 0 is every log.
  return days
}

const USAGE = `usage: node-axes <command> [arguments] [options]

commands:
${Object.values(VERBS)
  .map((verb) => `  ${verb.synopsis.padEnd(34)}${verb.summary}`)
  .join('\n')}

common options:
  --json           print the result as JSON
  --help           this text; \`node-axes <command> --help\` for one command

${SOURCE_HELP}

exit codes: 0 done, 1 failed, 2 usage
`

function verbUsage(verb: Verb): string {
  return `usage: node-axes ${verb.synopsis} [options]

${verb.summary}.

options:
${verb.options ? `${verb.options}\n` : ''}  --json           print the result as JSON
  --help           this text

${SOURCE_HELP}
`
}

const VALUE_OPTIONS = {
  '--url': 'url',
  '--config': 'config',
  '--age': 'age',
  '--limit': 'limit',
  '--fail-level': 'failLevel',
} as const

function parse(argv: readonly string[]): Invocation | string {
  const invocation: Invocation = {
    command: undefined,
    args: [],
    url: undefined,
    config: undefined,
    age: undefined,
    limit: undefined,
    failLevel: undefined,
    json: false,
    help: false,
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
    else {
      const eq = arg.indexOf('=')
      const name = eq === -1 ? arg : arg.slice(0, eq)
      const key = VALUE_OPTIONS[name as keyof typeof VALUE_OPTIONS]
      if (key === undefined) invocation.unknown.push(arg)
      else {
        const value = eq === -1 ? argv[++i] : arg.slice(eq + 1)
        if (value === undefined || value === '') return `${name} needs a value`
        invocation[key] = value
      }
    }
  }
  return invocation
}

/** Which options each verb takes, besides --json, --help, --url and --config. */
const VERB_OPTIONS: Record<string, readonly (keyof typeof VALUE_OPTIONS)[]> = {
  'list-attempts': ['--limit'],
  'reset-logs': ['--age'],
  'reset-failure-logs': ['--age'],
  check: ['--fail-level'],
}

/** Runs the command line; resolves to the exit code. */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const parsed = parse(argv)
  if (typeof parsed === 'string') {
    io.err(`node-axes: ${parsed}\n`)
    return 2
  }
  const invocation = parsed
  if (invocation.command === undefined) {
    ;(invocation.help ? io.out : io.err)(USAGE)
    return invocation.help ? 0 : 2
  }
  const verb = Object.hasOwn(VERBS, invocation.command) ? VERBS[invocation.command] : undefined
  if (verb === undefined) {
    io.err(`node-axes: unknown command '${invocation.command}'\n\n${USAGE}`)
    return 2
  }
  if (invocation.help) {
    io.out(verbUsage(verb))
    return 0
  }
  const usage = usageProblem(invocation, verb)
  if (usage !== null) {
    io.err(`node-axes ${invocation.command}: ${usage}\n\n${verbUsage(verb)}`)
    return 2
  }
  let axes: Axes | undefined
  try {
    let source: string
    ;({ axes, source } = await loadAxes(invocation, io.cwd ?? process.cwd(), io.env))
    if (verb.readsStore) await requireStore(axes, source)
    return await verb.run(axes, invocation, io)
  } catch (error) {
    if (error instanceof UsageError || error instanceof ConfigUsageError) {
      io.err(`node-axes ${invocation.command}: ${error.message}\n`)
      return 2
    }
    io.err(`node-axes ${invocation.command}: ${oneLine(error)}\n`)
    return 1
  } finally {
    await axes?.close().catch(() => {})
  }
}

/** What a database handler's `probe()` answers (node-axes/database). */
interface StoreProbe {
  location: string
  exists: boolean
  tables: boolean
}

/** A store that is not there, or not node-axes': the command fails (exit 1) saying where it looked. */
class StoreMissingError extends Error {}

/**
 * Refuses to read or reset a database that is not there or holds no node-axes tables, which
 * opening it would otherwise create (and migrating would fill) before answering "No attempts
 * found.". Handlers without `probe()` (Redis, memory, the application's own) are taken as they are.
 */
async function requireStore(axes: Axes, source: string): Promise<void> {
  const handler = axes.handler as { probe?: () => Promise<StoreProbe> }
  if (typeof handler.probe !== 'function') return
  const probe = await handler.probe()
  const from = source.startsWith('the default') ? source : `from ${source}`
  if (!probe.exists) {
    throw new StoreMissingError(
      `no database at ${probe.location} (${from}): nothing was read or reset. Run this command where the database is, name it with --url or --config, or create it with 'node-axes migrate'.`,
    )
  }
  if (!probe.tables) {
    throw new StoreMissingError(
      `${probe.location} has no node-axes tables (axes_accessattempt): it is not node-axes' database (${from}), or it was never migrated ('node-axes migrate' creates them). Nothing was read or reset.`,
    )
  }
}

function usageProblem(invocation: Invocation, verb: Verb): string | null {
  if (invocation.unknown.length > 0) return `unknown option '${invocation.unknown[0]}'`
  const allowed = VERB_OPTIONS[invocation.command as string] ?? []
  for (const [option, key] of Object.entries(VALUE_OPTIONS)) {
    if (key === 'url' || key === 'config') continue
    if (invocation[key] !== undefined && !allowed.includes(option as keyof typeof VALUE_OPTIONS)) {
      return `${option} does not apply to this command`
    }
  }
  // Values are checked here too, before any store is opened or probed.
  if (invocation.age !== undefined && wholeNumber(invocation.age) === null) {
    return '--age takes a whole number of days'
  }
  const limit = invocation.limit === undefined ? 1 : wholeNumber(invocation.limit)
  if (limit === null || limit < 1) return '--limit takes a whole number ≥ 1'
  const level = invocation.failLevel?.toUpperCase()
  if (level !== undefined && level !== 'ERROR' && level !== 'WARNING') {
    return '--fail-level takes ERROR or WARNING'
  }
  const [least, most] = verb.arity
  const n = invocation.args.length
  if (n < least) return least === most ? `takes ${least} arguments` : 'needs at least one argument'
  if (n > most)
    return most === 0
      ? `takes no arguments (got '${invocation.args[0]}')`
      : `takes ${most} arguments`
  return null
}

/** An error as one line: the message, with node-axes' prefix dropped and line breaks folded. */
function oneLine(error: unknown): string {
  return describeError(error)
    .replace(/^\[node-axes\] /, '')
    .replace(/\s*\n\s*/g, ' ')
}
