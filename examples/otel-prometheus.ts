/**
 * node-axes' metrics for Prometheus: the node:http login example, with OpenTelemetry metrics
 * (`node-axes/otel`) exported on a Prometheus scrape endpoint.
 *
 *   npx tsx examples/otel-prometheus.ts   # login on http://localhost:3000, metrics on :9464/metrics
 *
 * Sign in as alice with a wrong password three times and scrape the metrics: `axes_lockouts_total`
 * rises by one, `axes_failures_total` by three, `axes_blocked_requests_total{axes_reason="lockedOut"}`
 * with every refused attempt after it; `axes_decision_duration` is the latency histogram.
 * The application owns the OpenTelemetry SDK (`@opentelemetry/sdk-metrics`,
 * `@opentelemetry/exporter-prometheus`); node-axes only needs the meter.
 */

import { PrometheusExporter } from '@opentelemetry/exporter-prometheus'
import { MeterProvider } from '@opentelemetry/sdk-metrics'
import { createAxes, memoryHandler } from 'node-axes'
import { axesChannels, axesMetrics } from 'node-axes/otel'
import { createLoginServer } from './node-http-login.js'

const port = Number(process.env.PORT ?? 3000)
const metricsPort = Number(process.env.METRICS_PORT ?? 9464)

const axes = createAxes({
  handler: memoryHandler(),
  failureLimit: 3,
  cooloffTime: '1m',
  lockoutParameters: [['username', 'ip_address']],
  enableRetryAfterHeader: true,
})

// The application's OpenTelemetry SDK: a Prometheus exporter is a metric reader with its own
// scrape server.
const exporter = new PrometheusExporter({ port: metricsPort, host: '127.0.0.1' })
const provider = new MeterProvider({ readers: [exporter] })

axesMetrics(axes, { meter: provider.getMeter('node-axes') })
// For tracers: decisions, failures, lockouts and store errors on node:diagnostics_channel.
axesChannels(axes)

const server = createLoginServer(axes)
server.listen(port, () => {
  console.log(`node-axes metrics example: http://localhost:${port}`)
  console.log(`Prometheus scrape endpoint: http://127.0.0.1:${metricsPort}/metrics`)
})

const stop = () => {
  server.close()
  void provider.shutdown()
}
process.once('SIGTERM', stop)
process.once('SIGINT', stop)
