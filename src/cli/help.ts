/** The command line's usage texts, built from the command table. */

import type { Command } from './command.js'

const SOURCE_HELP = `which node-axes:
  --config FILE    the application's configuration (default export: createAxes options,
                   an Axes instance, or a function returning either; .js, .mjs, .cjs,
                   .ts, .mts, .cts or .json); else node-axes.config.{js,mjs,cjs,ts,json}
                   in the working directory
  --url URL        the store: sqlite:PATH, postgres://…, mysql://…, redis://…; with a
                   configuration, its options on this store
  $AXES_DATABASE_URL or $AXES_REDIS_URL: the store, when there is no configuration
  (nothing of these: an error; the command never opens a default database)`

const COMMON = `  --json           print the result as JSON on standard output
  --yes, -y        confirm a command that removes everything, without asking
  --help           this text`

/** The usage of the whole command line. */
export function usage(commands: readonly Command[]): string {
  return `usage: node-axes <command> [arguments] [options]

commands:
${commands.map((c) => `  ${c.synopsis.padEnd(34)}${c.summary}`).join('\n')}

common options:
${COMMON}; \`node-axes <command> --help\` for one command

${SOURCE_HELP}

Which options and which store are used is printed on standard error.
exit codes: 0 done, 1 failed, 2 usage
`
}

/** The usage of one command. */
export function commandUsage(command: Command): string {
  const own = (command.options ?? []).map(
    (o) => `  ${`${o.name}${o.value ? ` ${o.value}` : ''}`.padEnd(17)}${o.help}\n`,
  )
  return `usage: node-axes ${command.synopsis} [options]

${command.summary}.

options:
${own.join('')}${COMMON}

${SOURCE_HELP}
`
}
