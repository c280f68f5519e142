// Vitest globalSetup: installs into .runtimes/ what the runtime tests need and is not there yet
// (Bun, Deno, workerd, Next.js, Node 22, and better-sqlite3 built for this Node), by running
// scripts/install-runtimes.sh once, so that `npm test` after `npm ci` needs no other step. The
// first run downloads them from the npm registry (a minute or two); later runs find them and do
// nothing. AXES_TEST_NO_INSTALL=1 installs nothing: the runtime tests then skip, each with a line
// saying so (an error under CI=true).

import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { ROOT } from './root.js'
import { missingRuntimes } from './runtimes.js'

export default function setup(): void {
  const missing = missingRuntimes()
  if (missing.length === 0 || process.env.AXES_TEST_NO_INSTALL === '1') return
  console.log(
    `[node-axes tests] installing what the runtime tests need into .runtimes/ (${missing.join(', ')}): scripts/install-runtimes.sh`,
  )
  const result = spawnSync('bash', [join(ROOT, 'scripts', 'install-runtimes.sh')], {
    cwd: ROOT,
    stdio: 'inherit',
  })
  if (result.status !== 0) {
    throw new Error(
      `scripts/install-runtimes.sh failed (exit ${result.status ?? result.signal}): the runtime tests need it. Run \`npm run runtimes\` to see why, or set AXES_TEST_NO_INSTALL=1 to skip those tests.`,
    )
  }
  const still = missingRuntimes()
  if (still.length > 0) {
    throw new Error(`scripts/install-runtimes.sh left these missing: ${still.join(', ')}`)
  }
}
