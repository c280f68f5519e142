import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'
import { sourceAliases } from './scripts/entry-points.js'
import { testKinds } from './test/support/test-kinds.js'

// The tests StrykerJS runs against each mutant (stryker.config.mjs, `npm run test:mutation`):
// the unit project of vitest.config.ts (no server, no build, no other process) under test/core,
// test/ground and test/handlers, the tests of the decision path's own modules. Left out:
// test/house (the house rules read the source tree, not its behaviour), and the adapters',
// examples' and docs' tests, which go through real frameworks and took 92 of the unit project's
// 120 s: run before every mutant they cover, they made one module take over a quarter of an
// hour. The decision path must be held by its own tests. One project, no global setup.
const root = fileURLToPath(new URL('.', import.meta.url))
const { unit } = testKinds(root)
const DECISION_PATH_TESTS = ['test/core/', 'test/ground/', 'test/handlers/']
// AXES_MUTATION_TESTS (comma-separated folders or files among those) narrows the tests for a
// quicker run: a mutant killed by fewer tests is killed by all of them, so a narrowed score is a
// lower bound of the full one (docs/ARCHITECTURE.md, "Mutation testing").
const narrowed = (process.env.AXES_MUTATION_TESTS ?? '').split(',').filter((entry) => entry !== '')
const TESTS = narrowed.length > 0 ? narrowed : DECISION_PATH_TESTS

export default defineConfig({
  resolve: { alias: sourceAliases() },
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    include: unit.filter(
      (file) =>
        DECISION_PATH_TESTS.some((dir) => file.startsWith(dir)) &&
        TESTS.some((entry) => file.startsWith(entry)),
    ),
  },
})
