// A flood of one locked client (alice, locked out under FLOOD_OPTIONS by lockOut), and the
// counters of what it costs the store: the statements this process's pg clients send, and the
// commands a Redis server has run (INFO commandstats). Used by the lock cache's tests and by
// `npm run bench -- --flood`.

import pg from 'pg'
import type { AxesRequest } from '../../src/index.js'

/** What `flood` did. */
export interface FloodResult {
  /** Requests made. */
  requests: number
  /** Requests refused (the client's lock). */
  refused: number
  /** Times the password verifier was called (a refused request never reaches it). */
  verified: number
  /** How long it took, in milliseconds. */
  ms: number
}

/** The options of a flood's instances: a client is locked out by 3 failures, for 15 minutes. */
export const FLOOD_OPTIONS = {
  failureLimit: 3,
  cooloffTime: '15m',
  lockoutParameters: [['username', 'ip_address']],
  logger: false,
  silencedChecks: ['axes.W002', 'axes.W003'],
} as const

/** The client of a flood: alice, with a wrong password. */
export const alice: AxesRequest = {
  method: 'POST',
  path: '/login',
  headers: { 'user-agent': 'flood/1.0' },
  socketAddress: '10.20.30.40',
  body: { username: 'alice', password: 'wrong' },
}

/** The part of an instance a flood calls. */
interface Protecting {
  protect(
    request: AxesRequest,
    credentials: null,
    verify: () => unknown,
  ): Promise<{ ok: boolean; decision: { allowed: boolean } }>
}

/**
 * Sends `request` (a fresh copy each time, as a server would build it) through `protect` with a
 * verifier that says no, one after the other at full speed, for `durationMs`.
 */
export async function flood(
  axes: Protecting,
  request: AxesRequest,
  durationMs: number,
): Promise<FloodResult> {
  let requests = 0
  let refused = 0
  let verified = 0
  const verify = () => {
    verified++
    return null
  }
  const start = performance.now()
  let now = start
  while (now - start < durationMs) {
    for (let i = 0; i < 256; i++) {
      const result = await axes.protect({ ...request }, null, verify)
      requests++
      if (!result.decision.allowed) refused++
    }
    now = performance.now()
  }
  return { requests, refused, verified, ms: now - start }
}

/** Locks alice out through `axes` (under FLOOD_OPTIONS): as many wrong passwords as it takes. */
export async function lockOut(axes: Protecting): Promise<void> {
  for (let i = 0; i < FLOOD_OPTIONS.failureLimit; i++) {
    await axes.protect({ ...alice }, null, () => null)
  }
}

/** Counts the queries every pg client of this process sends, from now until `restore`. */
export function countPgQueries(): { count: () => number; restore: () => void } {
  const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown }
  const original = proto.query
  let count = 0
  proto.query = function counted(this: unknown, ...args: unknown[]) {
    count++
    return original.apply(this, args)
  }
  return {
    count: () => count,
    restore: () => {
      proto.query = original
    },
  }
}

/** The part of an ioredis client `redisCommands` uses. */
interface InfoClient {
  info(section: string): Promise<string>
}

/**
 * The commands a Redis server has run (INFO commandstats), leaving out the INFO commands that read
 * it: on a server of its own, the difference between two readings is what was sent between them.
 */
export async function redisCommands(client: InfoClient): Promise<number> {
  const text = await client.info('commandstats')
  let total = 0
  for (const match of text.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
    if (match[1] !== 'info') total += Number(match[2])
  }
  return total
}
