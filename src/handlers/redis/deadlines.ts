/**
 * The Redis handler's timeout (`timeoutMs`): the deadlines of the commands in flight, one queue
 * checked by one timer, that fail a command as a store error when Redis does not answer in time.
 */

import { AxesStoreError } from '../../ground/errors.js'

/** A command in flight, for the timeout. */
export interface InFlight {
  deadline: number
  readonly operation: string
  readonly reject: (error: AxesStoreError) => void
  /** Set by whoever settles the command first: its reply, its failure or the timeout. */
  done: boolean
}

/**
 * The timeout of the commands in flight. Every command waits the same time, so deadlines come in
 * the order the commands were sent: a queue checked by one timer every tenth of the timeout (5 ms
 * at least; only while anything is in flight) costs less per command than a timer of its own.
 */
export class Deadlines {
  readonly #ms: number
  readonly #queue: InFlight[] = []
  #head = 0
  #timer: ReturnType<typeof setInterval> | null = null

  /** @param ms the timeout; 0 for none */
  constructor(ms: number) {
    this.#ms = ms
  }

  /**
   * Watches a command just sent: unless the entry is marked `done` first, `onTimeout` receives an
   * AxesStoreError when the time is up (never, with no timeout).
   */
  track(operation: string, onTimeout: (error: AxesStoreError) => void): InFlight {
    const entry: InFlight = { deadline: 0, operation, reject: onTimeout, done: false }
    if (this.#ms <= 0) return entry
    entry.deadline = Date.now() + this.#ms
    this.#queue.push(entry)
    this.#timer ??= this.#start()
    return entry
  }

  #start(): ReturnType<typeof setInterval> {
    const timer = setInterval(() => this.#sweep(), Math.max(5, Math.ceil(this.#ms / 10)))
    // A handler with nothing in flight must not keep the process alive.
    timer.unref?.()
    return timer
  }

  #sweep(): void {
    const now = Date.now()
    const queue = this.#queue
    while (this.#head < queue.length) {
      const entry = queue[this.#head] as InFlight
      if (!entry.done) {
        if (entry.deadline > now) break
        entry.done = true
        entry.reject(
          new AxesStoreError(
            `redis handler: ${entry.operation} failed: no answer from Redis within ${this.#ms} ms`,
          ),
        )
      }
      this.#head++
    }
    if (this.#head === queue.length) {
      queue.length = 0
      this.#head = 0
      if (this.#timer) clearInterval(this.#timer)
      this.#timer = null
    } else if (this.#head > 1024 && this.#head * 2 > queue.length) {
      queue.splice(0, this.#head)
      this.#head = 0
    }
  }
}
