import { describe, expect, it } from 'vitest'
import { memoryHandler } from '../../../src/handlers/memory/index.js'
import { describeHandlerConformance } from '../../../src/testing/index.js'

// The memory handler as a whole (src/handlers/memory/handler.ts): the handler contract, and its
// options. The bucket store's bound and sweeps: store.test.ts.

describeHandlerConformance({ name: 'memory handler', create: () => memoryHandler() })

describe('memory handler: options', () => {
  it('refuses a bad maxBuckets', () => {
    expect(() => memoryHandler({ maxBuckets: 0 })).toThrow(/maxBuckets/)
  })

  it('refuses a bad maxBytes, and defaults to 128 MiB', () => {
    expect(() => memoryHandler({ maxBytes: 1000 })).toThrow(/maxBytes/)
    expect(() => memoryHandler({ maxBytes: Number.NaN })).toThrow(/maxBytes/)
    expect(memoryHandler().maxBytes).toBe(128 * 1024 * 1024)
  })
})
