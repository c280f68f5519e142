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

// One IP, a new username each time, no cool-off. With `['ip_address', ['username', 'ip_address']]`
// the IP is locked after five failures, and every refused attempt after that used to create a
// username+IP bucket. With `[['username', 'ip_address']]`, five failures a username lock each
// username+IP bucket: the store used to fill with lockouts and refuse every new client with 503.
// A refused attempt now creates no bucket, a full store makes room instead of refusing, and the
// store's estimate of its bytes (its cap) bounds the heap it takes.
describe('the memory handler under a flood of usernames from one IP', () => {
  const USERNAMES = 200_000
  type Result = {
    heapGrowth: number
    maxBytes: number | null
    bytes: number | null
    size: number
    reasons: Record<string, number>
    newcomer: string
    newcomerFailures: number
    victim: string
  }
  const flood = async (args: string[]): Promise<Result> => {
    const { stdout } = await run(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', 'test/fixtures/memory-username-flood.ts', ...args],
      { cwd: process.cwd(), env: { ...process.env, NODE_OPTIONS: '' }, maxBuffer: 1 << 20 },
    )
    console.log('username flood', args.join(' '), stdout)
    return JSON.parse(stdout) as Result
  }

  it(`creates no bucket for ${USERNAMES.toLocaleString('en')} attempts refused by the IP's lock, and admits new clients`, async () => {
    const result = await flood([String(USERNAMES), String(16 * 1024 * 1024), '20000'])
    // Five failures counted, then every attempt refused by the IP's lock.
    expect(result.reasons).toEqual({ allowed: 4, lockedOut: USERNAMES - 4 })
    expect(result.newcomer).toBe('allowed')
    expect(result.newcomerFailures).toBe(1)
    expect(result.victim).toBe('lockedOut')
    // The victim's two buckets, the IP's, five username+IP ones, the newcomer's two.
    expect(result.size).toBeLessThanOrEqual(10)
  }, 180_000)

  it(`stays under its default byte cap with ${USERNAMES.toLocaleString('en')} locked usernames of multi-byte characters`, async () => {
    const result = await flood([String(USERNAMES), '-', '-', 'locks'])
    expect(result.reasons).toEqual({ allowed: USERNAMES * 4, lockedOut: USERNAMES })
    expect(result.newcomer).toBe('allowed')
    expect(result.newcomerFailures).toBe(1)
    expect(result.victim).toBe('lockedOut')
    expect(result.maxBytes).toBe(128 * 1024 * 1024)
    expect(result.bytes).toBeLessThanOrEqual(128 * 1024 * 1024)
    // The estimate is an upper bound of the heap the store takes.
    expect(result.heapGrowth).toBeLessThan(result.bytes as number)
  }, 300_000)

  it('when full of lockouts, still admits and counts new clients, within its byte cap', async () => {
    const maxBytes = 4 * 1024 * 1024
    const result = await flood(['100000', String(maxBytes), '-', 'locks'])
    expect(result.newcomer).toBe('allowed')
    expect(result.newcomerFailures).toBe(1)
    expect(result.bytes).toBeLessThanOrEqual(maxBytes)
    expect(result.heapGrowth).toBeLessThan(maxBytes)
  }, 180_000)
})

describe('the memory handler under a flood of spoofed clients, bounded in bytes', () => {
  it('keeps 1,000,000 clients within maxBytes (16 MiB) of heap', async () => {
    const maxBytes = 16 * 1024 * 1024
    const { stdout } = await run(
      process.execPath,
      [
        '--expose-gc',
        '--import',
        'tsx',
        'test/fixtures/memory-flood.ts',
        '1000000',
        '-',
        String(maxBytes),
      ],
      { cwd: process.cwd(), env: { ...process.env, NODE_OPTIONS: '' }, maxBuffer: 1 << 20 },
    )
    console.log('spoofed flood, maxBytes 16 MiB:', stdout)
    const result = JSON.parse(stdout) as {
      heapGrowth: number
      bytes: number
      reasons: Record<string, number>
      victim: string
    }
    expect(result.reasons).toEqual({ allowed: 1_000_000 })
    expect(result.bytes).toBeLessThanOrEqual(maxBytes)
    expect(result.heapGrowth).toBeLessThan(maxBytes)
    expect(result.victim).toBe('lockedOut')
  }, 180_000)
})
