/**
 * What a command of the `node-axes` command line is: a row of the command table in ./main.ts.
 * A module of commands (./attempts.ts, ./logs.ts, ./maintenance.ts, …) exports its rows; the
 * dispatcher parses the line, loads node-axes (./config.ts), checks the store, asks before a
 * destructive run (./confirm.ts), then calls `run`.
 */

import type { Axes } from '../compose/axes.js'

/** The command line's streams and surroundings (the binary passes the process's own). */
export interface CliIo {
  out: (text: string) => void
  err: (text: string) => void
  env: NodeJS.ProcessEnv
  cwd?: string
  /** Whether standard input and standard error are a terminal a person answers on. */
  interactive?: boolean
  /** Asks a question on the terminal and resolves to the line answered (null at end of input). */
  ask?: (question: string) => Promise<string | null>
}

/** An option a command takes besides the common ones (`--json`, `--help`, `--yes`, `--url`, `--config`). */
export interface CommandOption {
  /** `--age` */
  readonly name: `--${string}`
  /** The value's placeholder (`DAYS`), or absent for a flag without a value. */
  readonly value?: string
  /** One line for `--help`. */
  readonly help: string
}

/** One run of a command: what was asked, and the node-axes it works on. */
export interface CommandContext {
  readonly axes: Axes
  /** The positional arguments after the command's name. */
  readonly args: readonly string[]
  /** The command's own options as given: a value, or `true` for a flag. */
  readonly options: Readonly<Record<string, string | true>>
  /** `--json`: print one JSON value on standard output instead of text. */
  readonly json: boolean
  /** The store, as the header line printed it (a URL with its password masked, or a path). */
  readonly store: string
  readonly io: CliIo
  /** The current time by the configuration's clock. */
  now(): number
}

/** A row of the command table. */
export interface Command {
  /** `reset-ip` */
  readonly name: string
  /** `reset-ip IP…` (the name and its arguments) */
  readonly synopsis: string
  readonly summary: string
  readonly options?: readonly CommandOption[]
  /** How many positional arguments: [least, most]. */
  readonly arity: readonly [number, number]
  /**
   * What it needs before it runs: `'store'`, a database that is there with node-axes' tables
   * (never created: see ./store.ts); `'options'`, the application's configuration (not only a
   * URL); nothing for `migrate`.
   */
  readonly needs?: readonly ('store' | 'options')[]
  /**
   * When a run removes everything (no filter): the question asked on a terminal; elsewhere the
   * command refuses without `--yes`. Called with the arguments and options, before anything opens.
   */
  destructive?(
    args: readonly string[],
    options: Readonly<Record<string, string | true>>,
  ): string | null
  /** Checks the arguments and options before anything is opened: a usage message, or null. */
  validate?(
    args: readonly string[],
    options: Readonly<Record<string, string | true>>,
  ): string | null
  /** Does the work and prints; resolves to the exit code. */
  run(context: CommandContext): Promise<number>
}

/** A usage mistake found while running (exit code 2, with the command's usage). */
export class UsageError extends Error {}

/** A whole number written in decimal digits (at most 9), or null. */
export function wholeNumber(text: string | true | undefined): number | null {
  return typeof text === 'string' && /^\d{1,9}$/.test(text) ? Number(text) : null
}
