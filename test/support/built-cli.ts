// The `node-axes` binary as a user runs it: dist/cli.js, built from the sources (CI builds before
// testing; a local run rebuilds when a source file is newer than the build).

import { execFile, execFileSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'

const root = process.cwd()
export const CLI = join(root, 'dist/cli.js')
const run = promisify(execFile)

function newestSource(dir: string): number {
  let newest = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs)
  }
  return newest
}

/** Builds dist/ when it is missing or older than src/ (call from beforeAll). */
export function ensureBuilt(): void {
  if (existsSync(CLI) && statSync(CLI).mtimeMs >= newestSource(join(root, 'src'))) return
  execFileSync('npx', ['tsup'], { cwd: root, stdio: 'ignore', timeout: 180_000 })
}

/** One run of the binary: its exit code and what it printed. */
export interface CliRun {
  code: number
  stdout: string
  stderr: string
}

/**
 * Runs `node dist/cli.js …args` in `cwd` with the environment plus `env`; `binary` runs another
 * copy of the command (an install of its own), `node` another Node.
 */
export async function cli(
  args: readonly string[],
  options: {
    cwd: string
    env?: Record<string, string | undefined>
    binary?: string
    node?: string
    /** Kills the command after this long (its code is then not a number). */
    timeoutMs?: number
  },
): Promise<CliRun> {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_OPTIONS: '', ...options.env }
  // The caller's database must come from the test, not from the machine.
  if (!options.env || !('AXES_DATABASE_URL' in options.env)) delete env.AXES_DATABASE_URL
  try {
    const { stdout, stderr } = await run(
      options.node ?? process.execPath,
      [options.binary ?? CLI, ...args],
      {
        cwd: options.cwd,
        env,
      },
    )
    return { code: 0, stdout, stderr }
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string }
    return { code: e.code, stdout: e.stdout, stderr: e.stderr }
  }
}
