/**
 * `node:diagnostics_channel` channels for tracers and APMs: an instance's decisions, failures,
 * lockouts and store errors published where any subscriber (an OpenTelemetry instrumentation, an
 * APM agent, a test) can read them without a reference to the instance.
 *
 * The module is reached through `process.getBuiltinModule`, so that nothing is imported where it
 * is absent (a Worker without Node compatibility, an old runtime): there, publishing does nothing.
 */

import type { Axes } from '../compose/axes.js'

/** The channels' names. Each message is the event's payload (see docs/events.md). */
export const CHANNEL_NAMES = {
  decided: 'node-axes:decided',
  loginFailed: 'node-axes:loginFailed',
  lockedOut: 'node-axes:lockedOut',
  storeError: 'node-axes:storeError',
} as const

/** The subset of `node:diagnostics_channel` this module uses. */
interface DiagnosticsChannels {
  channel(name: string): { readonly hasSubscribers: boolean; publish(message: unknown): void }
}

/** `node:diagnostics_channel`, or null where the runtime has none. */
function diagnosticsChannels(): DiagnosticsChannels | null {
  const host = globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }
  try {
    const module = host.process?.getBuiltinModule?.('node:diagnostics_channel')
    return (module as DiagnosticsChannels | undefined) ?? null
  } catch {
    return null
  }
}

/**
 * Publishes an instance's events on `node:diagnostics_channel` ({@link CHANNEL_NAMES}); a channel
 * without subscribers costs one property read. Returns a function that stops publishing, and
 * `published: false` where the runtime has no diagnostics channels.
 *
 * @example
 * ```ts
 * import diagnostics from 'node:diagnostics_channel'
 * import { axesChannels } from 'node-axes/otel'
 *
 * axesChannels(axes)
 * diagnostics.subscribe('node-axes:decided', ({ operation, decision, durationMs }) => { … })
 * ```
 */
export function axesChannels(axes: Axes): { stop: () => void; published: boolean } {
  const dc = diagnosticsChannels()
  if (!dc) return { stop: () => {}, published: false }
  const stops = (Object.keys(CHANNEL_NAMES) as (keyof typeof CHANNEL_NAMES)[]).map((event) => {
    const channel = dc.channel(CHANNEL_NAMES[event])
    return axes.on(event, (payload) => {
      if (channel.hasSubscribers) channel.publish(payload)
    })
  })
  return {
    stop: () => {
      for (const stop of stops) stop()
    },
    published: true,
  }
}
