/**
 * OpenTelemetry metrics from an instance's events: attempts, failures, lockouts, blocked requests,
 * store errors and the decision latency, with low-cardinality attributes only (the operation, the
 * decision's reason, the store operation and policy), never a username or an IP address.
 *
 * The meter is the application's (`metrics.getMeter('node-axes')` from `@opentelemetry/api`, an
 * optional peer dependency): this module imports only its types, so nothing of OpenTelemetry is
 * loaded until the application hands one over.
 */

import type { Attributes, Meter } from '@opentelemetry/api'
import type { Axes } from '../compose/axes.js'

/** The instruments' names, as OpenTelemetry names them (Prometheus: dots become underscores). */
export const METRIC_NAMES = {
  attempts: 'axes.attempts',
  failures: 'axes.failures',
  lockouts: 'axes.lockouts',
  blocked: 'axes.blocked_requests',
  storeErrors: 'axes.store_errors',
  duration: 'axes.decision.duration',
} as const

/** Options of {@link axesMetrics}. */
export interface AxesMetricsOptions {
  /**
   * The meter to create the instruments on.
   * @example
   * ```ts
   * import { metrics } from '@opentelemetry/api'
   * axesMetrics(axes, { meter: metrics.getMeter('node-axes') })
   * ```
   */
  meter: Meter
  /** Attributes added to every measurement (e.g. `{ 'axes.instance': 'admin' }`); keep them few. */
  attributes?: Attributes
}

/**
 * Records an instance's metrics on `meter`; returns a function that stops recording.
 *
 * - `axes.attempts` (counter): each login checked by `reserve` (so `protect` and the adapters) or
 *   reported by `loginFailed`; attributes `axes.operation`, `axes.reason`, `axes.allowed`.
 * - `axes.failures` (counter): each failure recorded (not a repeated wrong password's).
 * - `axes.lockouts` (counter): each lock, counted once, on the failure that reaches the limit.
 * - `axes.blocked_requests` (counter): each attempt refused (locked out, blacklisted, too many in
 *   flight, store down under `failClosed`, malformed); attribute `axes.reason`.
 * - `axes.store_errors` (counter): each store failure; `axes.store.operation`, `axes.policy`.
 * - `axes.decision.duration` (histogram, seconds): how long each decision took, `isAllowed`
 *   included; `axes.operation`, `axes.reason`.
 *
 * @example
 * ```ts
 * import { metrics } from '@opentelemetry/api'
 * import { createAxes } from 'node-axes'
 * import { axesMetrics } from 'node-axes/otel'
 *
 * const axes = createAxes()
 * axesMetrics(axes, { meter: metrics.getMeter('node-axes') })
 * ```
 */
export function axesMetrics(axes: Axes, options: AxesMetricsOptions): () => void {
  const { meter } = options
  const base = options.attributes ?? {}
  const attempts = meter.createCounter(METRIC_NAMES.attempts, {
    description: 'Login attempts node-axes decided (reserve, loginFailed)',
  })
  const failures = meter.createCounter(METRIC_NAMES.failures, {
    description: 'Failed logins node-axes recorded',
  })
  const lockouts = meter.createCounter(METRIC_NAMES.lockouts, {
    description: 'Clients locked out (once per lock, on the failure that reaches the limit)',
  })
  const blocked = meter.createCounter(METRIC_NAMES.blocked, {
    description: 'Login attempts node-axes refused',
  })
  const storeErrors = meter.createCounter(METRIC_NAMES.storeErrors, {
    description: "Failures of node-axes' store",
  })
  const duration = meter.createHistogram(METRIC_NAMES.duration, {
    description: 'How long node-axes took to decide',
    unit: 's',
    advice: {
      explicitBucketBoundaries: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    },
  })
  const stops = [
    axes.on('decided', ({ operation, decision, durationMs }) => {
      const reason = { ...base, 'axes.operation': operation, 'axes.reason': decision.reason }
      duration.record(durationMs / 1000, reason)
      if (operation === 'isAllowed') return
      attempts.add(1, { ...reason, 'axes.allowed': decision.allowed })
      if (!decision.allowed) blocked.add(1, { ...base, 'axes.reason': decision.reason })
    }),
    // A repeated wrong password (repeatPasswords) fails without being recorded: not counted here.
    axes.on('loginFailed', ({ decision }) => {
      if (decision.recorded) failures.add(1, base)
    }),
    axes.on('lockedOut', ({ decision }) => {
      // lockedOut is emitted again on every attempt refused during the lock: count the lock once.
      if (decision.recorded && decision.failures === decision.failureLimit) lockouts.add(1, base)
    }),
    axes.on('storeError', ({ operation, policy }) =>
      storeErrors.add(1, { ...base, 'axes.store.operation': operation, 'axes.policy': policy }),
    ),
  ]
  return () => {
    for (const stop of stops) stop()
  }
}
