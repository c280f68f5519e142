/**
 * node-axes/otel: the instance's metrics on a real OpenTelemetry SDK meter (attempts, failures,
 * lockouts counted once per lock, blocked requests by reason, store errors, the decision latency),
 * with no username or IP address among the attributes; and the diagnostics channels a tracer
 * subscribes to.
 */

import diagnostics from 'node:diagnostics_channel'
import { AggregationTemporality, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics'
import { afterEach, describe, expect, it } from 'vitest'
import { repeatPasswords } from '../../src/core/repeat-passwords/index.js'
import {
  type AxesHandler,
  type AxesRequest,
  type DecidedEvent,
  HANDLER_METHODS,
  type LockedOutEvent,
} from '../../src/index.js'
import { axesChannels, axesMetrics, CHANNEL_NAMES, METRIC_NAMES } from '../../src/otel/index.js'
import { createAxes } from '../support/axes.js'

/** A reader the test collects from when it wants to look. */
class TestReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE })
  }
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

interface Point {
  attributes: Record<string, unknown>
  value: number | { count: number; sum?: number }
}

async function collect(reader: TestReader): Promise<Map<string, Point[]>> {
  const { resourceMetrics } = await reader.collect()
  const out = new Map<string, Point[]>()
  for (const scope of resourceMetrics.scopeMetrics) {
    for (const metric of scope.metrics) {
      out.set(metric.descriptor.name, metric.dataPoints as unknown as Point[])
    }
  }
  return out
}

const sum = (points: Point[] | undefined, match: Record<string, unknown> = {}): number =>
  (points ?? [])
    .filter((p) => Object.entries(match).every(([k, v]) => p.attributes[k] === v))
    .reduce((total, p) => total + (typeof p.value === 'number' ? p.value : p.value.count), 0)

function login(username = 'alice', ip = '10.1.1.1'): AxesRequest {
  return {
    method: 'POST',
    path: '/login',
    headers: {},
    socketAddress: ip,
    body: { username, password: 'x' },
  }
}

function setup() {
  const reader = new TestReader()
  const provider = new MeterProvider({ readers: [reader] })
  const axes = createAxes({ logger: false, failureLimit: 3 })
  const stop = axesMetrics(axes, { meter: provider.getMeter('node-axes') })
  return { reader, axes, stop, provider }
}

const wrong = async () => null
const right = async () => ({ username: 'alice' })

describe('axesMetrics', () => {
  it('counts attempts, failures, one lockout per lock, and blocked requests by reason', async () => {
    const { reader, axes } = setup()
    for (let i = 0; i < 5; i++) await axes.protect(login(), { username: 'alice' }, wrong)
    await axes.protect(login('bob', '10.2.2.2'), { username: 'bob' }, right)
    const m = await collect(reader)
    expect(sum(m.get(METRIC_NAMES.attempts))).toBe(6)
    expect(sum(m.get(METRIC_NAMES.attempts), { 'axes.allowed': true })).toBe(4)
    // Every recorded failure, the two refused during the lock included (as loginFailed is emitted).
    expect(sum(m.get(METRIC_NAMES.failures))).toBe(5)
    // Locked on the third failure; the two refused attempts after it are not new lockouts.
    expect(sum(m.get(METRIC_NAMES.lockouts))).toBe(1)
    expect(sum(m.get(METRIC_NAMES.blocked), { 'axes.reason': 'lockedOut' })).toBe(2)
    const durations = m.get(METRIC_NAMES.duration) ?? []
    expect(sum(durations, { 'axes.operation': 'reserve' })).toBe(6)
    for (const point of durations) {
      expect((point.value as { sum: number }).sum).toBeGreaterThan(0)
      expect((point.value as { sum: number }).sum).toBeLessThan(5)
    }
  })

  it('counts a repeated wrong password (repeatPasswords) as no failure recorded', async () => {
    const reader = new TestReader()
    const provider = new MeterProvider({ readers: [reader] })
    const axes = createAxes({
      logger: false,
      repeatPasswords: repeatPasswords({ secret: 'a-repeat-password-secret-of-32-chars' }),
    })
    axesMetrics(axes, { meter: provider.getMeter('node-axes') })
    for (let i = 0; i < 3; i++)
      await axes.protect(login(), { username: 'alice', password: 'x' }, wrong)
    expect(sum((await collect(reader)).get(METRIC_NAMES.failures))).toBe(1)
  })

  it('times isAllowed without counting it as an attempt', async () => {
    const { reader, axes } = setup()
    await axes.isAllowed(login())
    const m = await collect(reader)
    expect(sum(m.get(METRIC_NAMES.attempts))).toBe(0)
    expect(sum(m.get(METRIC_NAMES.duration), { 'axes.operation': 'isAllowed' })).toBe(1)
  })

  it('counts store errors by operation and policy', async () => {
    const failing: Record<string, unknown> = { name: 'failing', shared: true, kind: 'custom' }
    for (const method of HANDLER_METHODS) failing[method] = () => Promise.reject(new Error('down'))
    const reader = new TestReader()
    const meter = new MeterProvider({ readers: [reader] }).getMeter('node-axes')
    const axes = createAxes({ logger: false, handler: failing as unknown as AxesHandler })
    axesMetrics(axes, { meter })
    await axes.protect(login(), { username: 'alice' }, wrong)
    const m = await collect(reader)
    expect(m.get(METRIC_NAMES.storeErrors)?.[0]?.attributes).toEqual({
      'axes.store.operation': 'reserve',
      'axes.policy': 'failClosed',
    })
    expect(sum(m.get(METRIC_NAMES.blocked), { 'axes.reason': 'storeError' })).toBe(1)
  })

  it('keeps usernames and IP addresses out of every attribute', async () => {
    const { reader, axes } = setup()
    for (let i = 0; i < 4; i++) await axes.protect(login(), { username: 'alice' }, wrong)
    const m = await collect(reader)
    const attributes = JSON.stringify([...m.values()].flat().map((p) => p.attributes))
    expect(attributes).not.toMatch(/alice|10\.1\.1\.1/)
  })

  it('stops recording when asked', async () => {
    const { reader, axes, stop } = setup()
    stop()
    await axes.protect(login(), { username: 'alice' }, wrong)
    expect(sum((await collect(reader)).get(METRIC_NAMES.attempts))).toBe(0)
  })
})

describe('axesChannels', () => {
  const subscribed: [string, (message: unknown) => void][] = []
  afterEach(() => {
    for (const [name, fn] of subscribed.splice(0)) diagnostics.unsubscribe(name, fn)
  })

  it('publishes decisions and lockouts on node:diagnostics_channel', async () => {
    const axes = createAxes({ logger: false, failureLimit: 2 })
    const { published, stop } = axesChannels(axes)
    expect(published).toBe(true)
    const decided: DecidedEvent[] = []
    const locked: LockedOutEvent[] = []
    const onDecided = (m: unknown) => decided.push(m as DecidedEvent)
    const onLocked = (m: unknown) => locked.push(m as LockedOutEvent)
    diagnostics.subscribe(CHANNEL_NAMES.decided, onDecided)
    diagnostics.subscribe(CHANNEL_NAMES.lockedOut, onLocked)
    subscribed.push([CHANNEL_NAMES.decided, onDecided], [CHANNEL_NAMES.lockedOut, onLocked])
    for (let i = 0; i < 3; i++) await axes.protect(login(), { username: 'alice' }, wrong)
    expect(decided.map((d) => [d.operation, d.decision.reason])).toEqual([
      ['reserve', 'allowed'],
      ['reserve', 'allowed'],
      ['reserve', 'lockedOut'],
    ])
    expect(decided[0]?.durationMs).toBeGreaterThanOrEqual(0)
    expect(locked.length).toBeGreaterThanOrEqual(1)
    stop()
    await axes.protect(login(), { username: 'alice' }, wrong)
    expect(decided).toHaveLength(3)
  })

  it('does nothing where the runtime has no diagnostics channels', () => {
    const process = globalThis.process
    const original = process.getBuiltinModule
    ;(process as { getBuiltinModule?: unknown }).getBuiltinModule = undefined
    try {
      const axes = createAxes({ logger: false })
      expect(axesChannels(axes).published).toBe(false)
    } finally {
      process.getBuiltinModule = original
    }
  })
})
