/**
 * A handler whose implementation is loaded on first use: it answers `name`, `kind` and `shared`
 * at once, keeps the settings `attach` gives it, and forwards every call to the handler that
 * `load` resolves, once loaded without an extra await. A failed load fails that call (a store
 * error for the engine to answer) and is tried again on the next.
 */

import {
  type AxesHandler,
  CAPABILITY_METHODS,
  HANDLER_METHODS,
  type HandlerCapabilities,
  type HandlerSettings,
} from '../ground/contract.js'
import { AxesError } from '../ground/errors.js'

/** What a lazily loaded handler says of itself before it is loaded. */
export interface LazyHandlerIdentity {
  readonly name: string
  readonly kind: AxesHandler['kind']
  readonly shared: boolean
  /** What the loaded handler can do beyond counting (see `HandlerCapabilities`). */
  readonly supports: HandlerCapabilities
  /** Methods of the loaded handler beyond the contract's to forward as well (e.g. `migrate`). */
  readonly also?: readonly string[]
}

/** The methods a lazy handler forwards: the counting store's and every capability's. */
const CONTRACT_METHODS: readonly string[] = [
  ...HANDLER_METHODS,
  ...Object.values(CAPABILITY_METHODS).flat(),
]

type Method = (...args: unknown[]) => Promise<unknown>

/** A handler that loads its implementation with `load` on the first call. */
export function lazyHandler(
  identity: LazyHandlerIdentity,
  load: () => Promise<AxesHandler>,
): AxesHandler {
  let settings: HandlerSettings | null = null
  let loading: Promise<AxesHandler> | null = null
  let loaded: AxesHandler | null = null
  const get = (): Promise<AxesHandler> => {
    loading ??= load().then(
      (handler) => {
        if (settings) handler.attach?.(settings)
        loaded = handler
        return handler
      },
      (error: unknown) => {
        loading = null
        throw error
      },
    )
    return loading
  }
  const forward = (name: string): Method => {
    const missing = (handler: AxesHandler): Method => {
      const fn = (handler as unknown as Record<string, unknown>)[name] as Method | undefined
      if (typeof fn === 'function') return fn
      return () =>
        Promise.reject(
          new AxesError('AXES_NOT_SUPPORTED', `the ${handler.name} handler has no ${name}`),
        )
    }
    return (...args) => {
      if (loaded) {
        try {
          return missing(loaded).apply(loaded, args)
        } catch (error) {
          return Promise.reject(error)
        }
      }
      return get().then((handler) => missing(handler).apply(handler, args))
    }
  }
  const handler: Record<string, unknown> = {
    name: identity.name,
    kind: identity.kind,
    shared: identity.shared,
    supports: identity.supports,
    attach(next: HandlerSettings) {
      settings = next
      loaded?.attach?.(next)
    },
    async ready() {
      const loadedHandler = await get()
      await loadedHandler.ready?.()
    },
    async close() {
      const pending = loading
      if (!pending) return
      const current = await pending.catch(() => null)
      loading = null
      loaded = null
      await current?.close?.()
    },
  }
  for (const name of [...CONTRACT_METHODS, ...(identity.also ?? [])]) handler[name] = forward(name)
  return handler as unknown as AxesHandler
}
