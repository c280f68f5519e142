/**
 * The Redis handler's side of the application's client: ioredis (`Redis` or `Cluster`) and
 * node-redis adapted to one `Connection`, and `RedisCommands`, which sends over it with the
 * timeout (see deadlines.ts), turns failures into store errors and retries a script once on
 * NOSCRIPT.
 */

import { AxesError, AxesStoreError, describeError } from '../../ground/errors.js'
import { Deadlines } from './deadlines.js'

/** A Redis argument as both clients accept it. */
export type Arg = string | number

/**
 * The subset of an ioredis `Redis` or `Cluster` that the handler calls (typed here so that
 * node-axes does not depend on ioredis).
 */
export interface IoredisClient {
  call(command: string, ...args: Arg[]): Promise<unknown>
  /** `true` on an ioredis `Cluster`. */
  readonly isCluster?: boolean
  /** On a `Cluster`: its nodes, for SCAN on every master. */
  nodes?(role: 'master'): IoredisClient[]
}

/**
 * The subset of a node-redis (v4 or later) client that the handler calls. node-redis' cluster
 * client is not supported: use ioredis' `Cluster` for Redis Cluster.
 */
export interface NodeRedisClient {
  sendCommand(args: string[]): Promise<unknown>
}

/** One Redis server (or the whole cluster), as the handler talks to it. */
export interface Connection {
  /** Sends one command; on a cluster it goes to the slot of its keys. */
  send(args: Arg[]): Promise<unknown>
  /** The masters to SCAN: the server itself, or each master of a cluster. */
  masters(): Connection[]
  readonly cluster: boolean
}

function ioredisConnection(client: IoredisClient): Connection {
  return {
    cluster: client.isCluster === true,
    send: (args) => (client.call as (...all: Arg[]) => Promise<unknown>)(...args),
    masters: () =>
      client.isCluster === true && client.nodes
        ? client.nodes('master').map((node) => ioredisConnection(node))
        : [ioredisConnection(client)],
  }
}

function nodeRedisConnection(client: NodeRedisClient): Connection {
  const self: Connection = {
    cluster: false,
    send: (args) => client.sendCommand(args.map(String)),
    masters: () => [self],
  }
  return self
}

/**
 * The connection over the application's client, whichever library it comes from; an
 * `AxesError` for anything else (node-redis' cluster client included).
 */
export function connectionOf(client: unknown): Connection {
  const c = client as Record<string, unknown> | null
  if (c && typeof c.call === 'function' && typeof c.evalsha === 'function') {
    return ioredisConnection(client as IoredisClient)
  }
  if (c && typeof c.sendCommand === 'function') {
    if ('masters' in c || typeof c.getMasters === 'function') {
      throw new AxesError(
        'AXES_INVALID_OPTIONS',
        "redisHandler: node-redis' cluster client is not supported; use ioredis' Cluster for Redis Cluster",
      )
    }
    return nodeRedisConnection(client as NodeRedisClient)
  }
  throw new AxesError(
    'AXES_INVALID_OPTIONS',
    'redisHandler: client must be an ioredis Redis or Cluster, or a node-redis client',
  )
}

/** Wraps anything a Redis call threw as a store error naming the operation. */
export function storeError(error: unknown, operation: string): AxesStoreError {
  if (error instanceof AxesStoreError) return error
  return new AxesStoreError(`redis handler: ${operation} failed: ${describeError(error)}`, {
    cause: error,
  })
}

function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT')
}

/**
 * Commands to Redis as the handler sends them: each with the timeout, every failure an
 * `AxesStoreError` naming the handler method (`operation`) that sent it.
 */
export class RedisCommands {
  /** Whether the client is a Redis Cluster (keys of one script must then share a slot). */
  readonly cluster: boolean
  readonly #connection: Connection
  readonly #deadlines: Deadlines

  /** @param timeoutMs how long a command may take; 0 waits for ever */
  constructor(connection: Connection, timeoutMs: number) {
    this.#connection = connection
    this.cluster = connection.cluster
    this.#deadlines = new Deadlines(timeoutMs)
  }

  /** The masters to SCAN: the server itself, or each master of a cluster. */
  masters(): Connection[] {
    return this.#connection.masters()
  }

  /**
   * Sends a command with the timeout, to the server (or the slot of its keys), or to `master`;
   * failures become store errors.
   */
  send(args: Arg[], operation: string, master?: Connection): Promise<unknown> {
    return new Promise((resolve, reject) =>
      this.#call(master ?? this.#connection, args, operation, false, resolve, reject),
    )
  }

  /**
   * Sends `EVALSHA sha …` (args[0] and args[1]); when the server lost its script cache (a restart,
   * SCRIPT FLUSH, a failover) and answers NOSCRIPT, sends it again once as `EVAL source …`, which
   * loads it. `done` gets the reply, `failed` a store error. Callbacks rather than a promise, as
   * the batches' hot path calls it.
   */
  evalshaCall(
    args: Arg[],
    source: string,
    operation: string,
    done: (reply: unknown) => void,
    failed: (error: unknown) => void,
  ): void {
    this.#call(this.#connection, args, operation, true, done, (error) => {
      if (!isNoScript(error)) {
        failed(error)
        return
      }
      args[0] = 'EVAL'
      args[1] = source
      this.#call(this.#connection, args, operation, false, done, failed)
    })
  }

  /** `evalshaCall` as a promise. */
  evalsha(args: Arg[], source: string, operation: string): Promise<unknown> {
    return new Promise((resolve, reject) =>
      this.evalshaCall(args, source, operation, resolve, reject),
    )
  }

  /**
   * Sends one command: `done` gets the reply; `failed` an AxesStoreError for a failure or no
   * answer in time (with `passNoScript`, a NOSCRIPT error as it is).
   */
  #call(
    connection: Connection,
    args: Arg[],
    operation: string,
    passNoScript: boolean,
    done: (reply: unknown) => void,
    failed: (error: unknown) => void,
  ): void {
    let pending: Promise<unknown>
    try {
      pending = connection.send(args)
    } catch (error) {
      failed(storeError(error, operation))
      return
    }
    const entry = this.#deadlines.track(operation, failed)
    pending.then(
      (reply) => {
        if (entry.done) return
        entry.done = true
        done(reply)
      },
      (error: unknown) => {
        if (entry.done) return
        entry.done = true
        failed(passNoScript && isNoScript(error) ? error : storeError(error, operation))
      },
    )
  }
}
