import { describeHandlerConformance } from 'node-axes/testing'
import { withLockCache } from '../../../src/handlers/lock-cache/index.js'
import { memoryHandler } from '../../../src/handlers/memory/index.js'

// The whole handler contract through the lock cache, over the memory handler (the database and
// Redis handlers have it on by default, and their suites run with it): the cache changes how often
// the store is asked, never what a caller is told beyond the staleness it allows.
describeHandlerConformance({
  name: 'lock cache over the memory handler',
  create: () => withLockCache(memoryHandler()),
})
