/**
 * node-axes for observability: OpenTelemetry metrics (`axesMetrics`, on the meter the application
 * hands over; `@opentelemetry/api` is an optional peer dependency) and `node:diagnostics_channel`
 * channels for tracers (`axesChannels`). A subpath of its own, so that an application that does
 * not use them bundles none of it.
 *
 * @example
 * ```ts
 * import { metrics } from '@opentelemetry/api'
 * import { createAxes } from 'node-axes'
 * import { axesChannels, axesMetrics } from 'node-axes/otel'
 *
 * const axes = createAxes()
 * axesMetrics(axes, { meter: metrics.getMeter('node-axes') })
 * axesChannels(axes)
 * ```
 *
 * @module
 */

export { axesChannels, CHANNEL_NAMES } from './channels.js'
export { type AxesMetricsOptions, axesMetrics, METRIC_NAMES } from './metrics.js'
