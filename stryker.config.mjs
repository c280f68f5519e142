// Mutation testing (StrykerJS 9 with its vitest runner): `npm run test:mutation`, and
// `npm run test:mutation -- --mutate src/core/policy.ts` for one module. Each mutant of the
// decision path is run against the server-free unit tests (vitest.mutation.config.ts); the HTML
// and JSON reports go to reports/mutation/. The scores are in docs/ARCHITECTURE.md ("Mutation
// testing").

/** The modules of the decision path, mutated by default. */
const DECISION_PATH = [
  'src/core/policy.ts',
  'src/core/identity.ts',
  'src/core/ip-resolver.ts',
  'src/core/rules.ts',
  'src/core/lockout-response.ts',
  'src/ground/ip-address.ts',
  'src/ground/ip-range.ts',
  'src/ground/ip-class.ts',
  'src/ground/buckets.ts',
  'src/ground/rule.ts',
  'src/handlers/memory/*.ts',
]

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.ts' },
  plugins: ['@stryker-mutator/vitest-runner'],
  mutate: DECISION_PATH,
  // Each mutant runs only the tests that cover it.
  coverageAnalysis: 'perTest',
  // Two shared cores: one or two test processes (`--concurrency 2` on the command line).
  concurrency: 1,
  // A mutant times out (and counts as killed) after 1.5 times the tests' own time plus 10 s:
  // room for the memory store's tests, which fill a store of thousands of buckets.
  timeoutMS: 10_000,
  timeoutFactor: 1.5,
  reporters: ['clear-text', 'progress-append-only', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
  thresholds: { high: 90, low: 80, break: null },
}
