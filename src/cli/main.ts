/**
 * The `node-axes` command line. This first version has the verb the database handler needs,
 * `migrate`; the reset and listing verbs join it (issue 6).
 *
 *   node-axes migrate [--url URL]
 *
 * The database: `--url`, else the environment's AXES_DATABASE_URL, else `sqlite:axes.sqlite3` (the
 * embedded default, in the working directory). Exit codes: 0 done, 1 failed (one line saying why),
 * 2 usage.
 */

import { describeError } from '../core/errors.js'
import { databaseHandler } from '../handlers/database/index.js'

const USAGE = `usage: node-axes <command> [options]

commands:
  migrate     create django-axes' tables, or adopt them where Django made them

options:
  --url URL   the database: sqlite:PATH, postgres://…, mysql://…
              (default: $AXES_DATABASE_URL, else sqlite:axes.sqlite3)
  --json      print the result as JSON
  --help      this text
`

/** What the command line was asked to do. */
interface Invocation {
  command: string | undefined
  url: string | undefined
  json: boolean
  help: boolean
  unknown: string[]
}

function parse(argv: readonly string[]): Invocation {
  const invocation: Invocation = {
    command: undefined,
    url: undefined,
    json: false,
    help: false,
    unknown: [],
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string
    if (arg === '--help' || arg === '-h') invocation.help = true
    else if (arg === '--json') invocation.json = true
    else if (arg === '--url') invocation.url = argv[++i]
    else if (arg.startsWith('--url=')) invocation.url = arg.slice('--url='.length)
    else if (!arg.startsWith('-') && invocation.command === undefined) invocation.command = arg
    else invocation.unknown.push(arg)
  }
  return invocation
}

/** Runs the command line; resolves to the exit code. */
export async function main(
  argv: readonly string[],
  io: { out: (text: string) => void; err: (text: string) => void; env: NodeJS.ProcessEnv },
): Promise<number> {
  const invocation = parse(argv)
  if (invocation.help || invocation.command === undefined) {
    ;(invocation.help ? io.out : io.err)(USAGE)
    return invocation.help ? 0 : 2
  }
  if (invocation.command !== 'migrate' || invocation.unknown.length > 0) {
    const what =
      invocation.command !== 'migrate'
        ? `unknown command '${invocation.command}'`
        : `unknown option '${invocation.unknown[0]}'`
    io.err(`node-axes: ${what}\n${USAGE}`)
    return 2
  }
  if (invocation.url === '') {
    io.err('node-axes: --url needs a value\n')
    return 2
  }
  const url = invocation.url ?? io.env.AXES_DATABASE_URL ?? 'sqlite:axes.sqlite3'
  let handler: ReturnType<typeof databaseHandler> | undefined
  try {
    handler = databaseHandler({ url })
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
  } catch (error) {
    io.err(`node-axes: migrate failed: ${describeError(error).replace(/^\[node-axes\] /, '')}\n`)
    return 1
  } finally {
    await handler?.close().catch(() => {})
  }
}
