/**
 * The `node-axes` command line: django-axes' management commands and node-axes' own, for the
 * application's own configuration and store.
 *
 *   node-axes reset | reset-ip IP… | reset-username NAME… | reset-ip-username IP NAME
 *   node-axes list-attempts | reset-logs [--age DAYS] | reset-failure-logs [--age DAYS]
 *   node-axes migrate | check | locked | unlock ID
 *
 * This file is the command table and nothing else: a module of commands exports its rows
 * (`Command`, ./command.ts) and is added here in one line. ./dispatch.ts parses, loads the
 * configuration (./config.ts), prints which options and store on standard error, and runs.
 */

import { ATTEMPT_COMMANDS } from './attempts.js'
import type { CliIo, Command } from './command.js'
import { dispatch } from './dispatch.js'
import { LOCK_COMMANDS } from './locks.js'
import { LOG_COMMANDS } from './logs.js'
import { MAINTENANCE_COMMANDS } from './maintenance.js'

export type { CliIo } from './command.js'

/** Every command, in the order `--help` lists them. */
export const COMMANDS: readonly Command[] = [
  ...ATTEMPT_COMMANDS,
  ...LOCK_COMMANDS,
  ...LOG_COMMANDS,
  ...MAINTENANCE_COMMANDS,
]

/** Runs the command line; resolves to the exit code. */
export function main(argv: readonly string[], io: CliIo): Promise<number> {
  return dispatch(COMMANDS, argv, io)
}
