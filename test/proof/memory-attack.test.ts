// Memory under attack: 1,000,000 distinct spoofed clients against the memory handler. The store
// stays within maxBuckets, the heap grows by no more than maxBuckets' worth (about 120 bytes a
// bucket, 200 allowed), no timer is made per key, and the victim locked out before the flood is
// still locked out after it (a flood cannot evict a lockout). Run in a child process with
// --expose-gc so that the heap is measured after collection.

import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'

const run = promisify(execFile)
const CLIENTS = 1_000_000
const MAX_BUCKETS = 200_000

describe('the memory handler under a flood of spoofed clients', () => {
  it(`keeps 1,000,000 clients within maxBuckets (${MAX_BUCKETS.toLocaleString('en')}) and its heap, with no timer per key`, async () => {
    const { stdout } = await run(
      process.execPath,
      [
        '--expose-gc',
        '--import',
        'tsx',
        'test/fixtures/memory-flood.ts',
        String(CLIENTS),
        String(MAX_BUCKETS),
      ],
      { cwd: process.cwd(), env: { ...process.env, NODE_OPTIONS: '' }, maxBuffer: 1 << 20 },
    )
    const result = JSON.parse(stdout) as {
      heapGrowth: number
      maxSize: number
      size: number
      timersBefore: number
      timersAfter: number
      reasons: Record<string, number>
      victim: string
    }
    // Two buckets a client: the store filled up and stayed at its cap.
    expect(result.maxSize).toBe(MAX_BUCKETS)
    expect(result.size).toBeLessThanOrEqual(MAX_BUCKETS)
    expect(result.heapGrowth).toBeLessThan(MAX_BUCKETS * 200)
    // Every flood client was answered (counted, not refused for a full store).
    expect(result.reasons).toEqual({ allowed: CLIENTS })
    expect(result.timersAfter).toBe(result.timersBefore)
    expect(result.victim).toBe('lockedOut')
  }, 180_000)
})
