/**
 * The commands on the store and the configuration: `migrate` (creates django-axes' tables: the
 * only command that creates a database) and `check` (the configuration checks, on the
 * application's own options).
 */

import { type Command, UsageError } from './command.js'

interface MigrateResult {
  applied: string[]
  adopted: number
}

const migrate: Command = {
  name: 'migrate',
  synopsis: 'migrate',
  summary: "create django-axes' tables, or adopt them where Django made them",
  arity: [0, 0],
  run: async ({ axes, json, io }) => {
    const handler = axes.handler as { migrate?: () => Promise<MigrateResult>; name: string }
    if (typeof handler.migrate !== 'function') {
      if (json) io.out(`${JSON.stringify({ applied: [], adopted: 0 })}\n`)
      else io.out(`The ${handler.name} handler keeps no tables: nothing to migrate.\n`)
      return 0
    }
    const result = await handler.migrate()
    if (json) io.out(`${JSON.stringify(result)}\n`)
    else if (result.applied.length === 0) io.out('No migrations to apply.\n')
    else {
      for (const name of result.applied) io.out(`Applied ${name}.\n`)
      if (result.adopted > 0) {
        io.out(`Adopted ${result.adopted} existing table, index or column definitions.\n`)
      }
    }
    return 0
  },
}

const check: Command = {
  name: 'check',
  synopsis: 'check [--fail-level WARNING]',
  summary: "run the configuration checks (axes.W001…) on the application's options",
  options: [
    {
      name: '--fail-level',
      value: 'L',
      help: 'exit 1 when a check at level L or above fires: ERROR (default; node-axes\n                   has none) or WARNING',
    },
  ],
  arity: [0, 0],
  needs: ['options'],
  validate: (_args, options) => {
    const level = options['--fail-level']
    return level === undefined || /^(ERROR|WARNING)$/i.test(String(level))
      ? null
      : '--fail-level takes ERROR or WARNING'
  },
  run: async ({ axes, options, json, io }) => {
    const level = String(options['--fail-level'] ?? 'ERROR').toUpperCase()
    if (level !== 'ERROR' && level !== 'WARNING')
      throw new UsageError('--fail-level takes ERROR or WARNING')
    const checks = axes.check()
    if (json) io.out(`${JSON.stringify(checks)}\n`)
    else if (checks.length === 0) io.out('System check identified no issues.\n')
    else {
      let text = 'System check identified some issues:\n\nWARNINGS:\n'
      for (const c of checks) text += `${c.id}: ${c.message}\n\tHINT: ${c.hint}\n\tSEE: ${c.help}\n`
      const n = checks.length
      text += `\nSystem check identified ${n} issue${n === 1 ? '' : 's'}.\n`
      io.out(text)
    }
    return level === 'WARNING' && checks.length > 0 ? 1 : 0
  },
}

/** `migrate` and `check`, for the command table. */
export const MAINTENANCE_COMMANDS: readonly Command[] = [migrate, check]
