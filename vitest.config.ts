import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'
import { sourceAliases } from './scripts/entry-points.js'
import { testKinds } from './test/support/test-kinds.js'

// Two projects split the suite; `npm test` (what CI and the README run) runs both, each file once.
// - unit (`npm run test:unit`, seconds): every file that needs no server, no build and no other
//   process. No global setup.
// - integration: the files that ask for a server (test/support/inject-servers.ts or servers.ts),
//   run the build (built-cli.ts, dist/) or start processes (node:child_process, startProcess, a
//   browser), themselves or through a helper under test/. Its global setup starts PostgreSQL,
//   MariaDB, Redis and a Redis Cluster (Debian's packages or AXES_TEST_*_URL), builds dist/
//   when it is stale, and installs the runtimes into .runtimes/ when they are missing.
// A file's project follows from what it uses (test/support/test-kinds.ts): import a server helper
// and it moves to integration. A unit file that reaches a server helper some other way fails
// with an error that says so (inject-servers.ts).
const { unit, integration } = testKinds(fileURLToPath(new URL('.', import.meta.url)))

export default defineConfig({
  resolve: {
    // Examples and docs import the package by name; tests run them against the source
    // (entry-points.json).
    alias: sourceAliases(),
  },
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    projects: [
      { extends: true, test: { name: 'unit', include: unit } },
      {
        extends: true,
        test: {
          name: 'integration',
          include: integration,
          globalSetup: [
            'test/support/global-servers.ts',
            'test/support/global-build.ts',
            'test/support/global-runtimes.ts',
          ],
        },
      },
    ],
  },
})
