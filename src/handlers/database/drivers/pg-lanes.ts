/**
 * pg's socket corked for a tick, and the pipelined connections that carry PostgreSQL's statements
 * outside a transaction.
 */

import { AxesStoreError } from '../../../ground/errors.js'
import { withDeadline } from './deadline.js'
import type { PgPipelinedClient, PgPool } from './pg-types.js'

/**
 * Corks a socket until the end of the tick, so that every message written in this tick leaves in
 * one write (pg otherwise makes one system call per query). Nothing to do when already corked in
 * this tick, or for a stream without cork.
 */
export function corkForTick(stream: { cork?(): void; uncork?(): void } | undefined): void {
  if (!stream?.cork || !stream.uncork || corked.has(stream)) return
  corked.add(stream)
  stream.cork()
  process.nextTick(() => {
    corked.delete(stream)
    stream.uncork?.()
  })
}
const corked = new WeakSet<object>()

/**
 * Statements outside a transaction, spread over a few pipelined connections: each takes many
 * statements in flight (answered in order, each with its own Sync, so one failing statement does
 * not fail the others), and the statements issued in one tick leave in one write. Many
 * connections with one statement each cost a system call, a wake-up and a context switch per
 * statement on both sides; here a burst of failures costs a few. A connection that fails is
 * dropped (its statements in flight fail, and the store-error policy answers them) and opened
 * again on the next statement; so is one where a statement has no answer within `timeoutMs`
 * (answers come in order: the statements behind it would wait as long).
 */
export function pipelinedLanes(
  count: number,
  open: () => PgPipelinedClient,
  timeoutMs = 0,
): Pick<PgPool, 'query'> & { end(): Promise<void> } {
  interface Lane {
    client: PgPipelinedClient | null
    ready: Promise<unknown> | null
    live: boolean
    inFlight: number
  }
  const lanes: Lane[] = Array.from({ length: Math.max(1, count) }, () => ({
    client: null,
    ready: null,
    live: false,
    inFlight: 0,
  }))
  let ended = false
  const drop = (lane: Lane, client: PgPipelinedClient) => {
    if (lane.client !== client) return
    lane.client = null
    lane.ready = null
    lane.live = false
    // Closed at once: a server that does not answer would never see a polite end.
    client.connection?.stream?.destroy?.()
    client.end().catch(() => {})
  }
  const connected = (lane: Lane): Promise<PgPipelinedClient> => {
    if (!lane.client) {
      const client = open()
      lane.client = client
      client.on('error', () => drop(lane, client))
      client.on('end', () => drop(lane, client))
      lane.ready = client.connect().then(
        () => {
          if (lane.client === client) lane.live = true
        },
        (error: unknown) => {
          drop(lane, client)
          throw error
        },
      )
    }
    const client = lane.client
    return (lane.ready as Promise<unknown>).then(() => client)
  }
  const send = (client: PgPipelinedClient, config: Parameters<PgPool['query']>[0]) => {
    corkForTick(client.connection?.stream)
    return client.query(config)
  }
  return {
    async query(config) {
      if (ended) throw new AxesStoreError('the database handler is closed')
      let lane = lanes[0] as Lane
      for (const candidate of lanes) if (candidate.inFlight < lane.inFlight) lane = candidate
      lane.inFlight++
      try {
        // A connected lane sends in this tick, with the others issued in it.
        let waitedOn = lane.client
        const work =
          lane.live && lane.client
            ? send(lane.client, config)
            : connected(lane).then((client) => {
                waitedOn = client
                return send(client, config)
              })
        waitedOn = lane.client
        // No answer in time: the lane's connection is dropped, and what was in flight on it fails.
        return await withDeadline(timeoutMs, 'a statement', work, () => {
          if (waitedOn) drop(lane, waitedOn)
        })
      } finally {
        lane.inFlight--
      }
    },
    async end() {
      ended = true
      await Promise.all(
        lanes.map(async (lane) => {
          const client = lane.client
          lane.client = null
          await client?.end().catch(() => {})
        }),
      )
    },
  }
}
