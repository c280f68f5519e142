/**
 * Answers that may or may not be promises: what a handler method may return (`Awaitable`), and
 * what the built-in handlers promise instead (`Promising`).
 *
 * @module
 */

/** A value, or a promise of it: what a handler method may answer. */
export type Awaitable<T> = T | Promise<T>

/**
 * A role of the contract whose every method answers with a promise: what the built-in handlers
 * promise their callers (`MemoryHandler extends Promising<CountingStore>`), so that code calling
 * them directly can chain `.then` as before.
 */
export type Promising<T> = {
  [K in keyof T]: NonNullable<T[K]> extends (...args: infer A) => infer R
    ? Promise<never> extends R
      ? (...args: A) => Promise<Awaited<R>>
      : T[K]
    : T[K]
}
