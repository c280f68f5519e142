/**
 * The package's entry points (entry-points.json) in the shapes the build and the tests need:
 * tsup's entries (`database/index` -> src/handlers/database/index.ts) and the aliases that let
 * tests, examples and docs import `node-axes/<subpath>` from the source.
 */

import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/** entry-points.json. */
export interface EntryPoints {
  /** package.json exports' subpaths (`.`, `./database`, …) -> their source file. */
  readonly subpaths: Readonly<Record<string, string>>
  /** Commands -> their source file and their built name under dist/. */
  readonly bin: Readonly<Record<string, { source: string; built: string }>>
}

const ROOT = new URL('../', import.meta.url)

/** Reads entry-points.json. */
export function entryPoints(): EntryPoints {
  return JSON.parse(readFileSync(new URL('entry-points.json', ROOT), 'utf8')) as EntryPoints
}

/** The name under dist/ (without extension) a subpath is built to: `.` -> `index`. */
export function builtName(subpath: string): string {
  return subpath === '.' ? 'index' : `${subpath.slice(2)}/index`
}

/** tsup's `entry`: built name -> source file. */
export function tsupEntries(entries: EntryPoints = entryPoints()): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [subpath, source] of Object.entries(entries.subpaths)) out[builtName(subpath)] = source
  for (const command of Object.values(entries.bin)) out[command.built] = command.source
  return out
}

/** Aliases `node-axes/<subpath>` -> absolute source file, the longest names first. */
export function sourceAliases(entries: EntryPoints = entryPoints()): Record<string, string> {
  return Object.fromEntries(
    Object.entries(entries.subpaths)
      .map(([subpath, source]) => [
        `node-axes${subpath.slice(1)}`,
        fileURLToPath(new URL(source, ROOT)),
      ])
      .sort(([a], [b]) => (b as string).length - (a as string).length),
  )
}
