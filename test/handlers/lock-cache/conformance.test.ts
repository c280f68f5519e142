import { describeHandlerConformance } from 'node-axes/testing'
import type { AxesHandler } from '../../../src/ground/contract.js'
import { withLockCache } from '../../../src/handlers/lock-cache/index.js'
import { memoryHandler } from '../../../src/handlers/memory/index.js'

// The whole handler contract through the lock cache, over the memory handler (the database and
// Redis suites run it over their stores): the cache changes how often the store is asked, never
// what a caller is told beyond the staleness it allows.
const inner = new WeakMap<AxesHandler, AxesHandler>()

describeHandlerConformance({
  name: 'lock cache over the memory handler',
  create: () => {
    const store = memoryHandler()
    const cached = withLockCache(store)
    inner.set(cached, store)
    return cached
  },
  sameStore: (handler) => inner.get(handler) ?? handler,
})
