import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort, type StartedProcess, startProcess } from '../support/child-process.js'

/** The sum of a metric's samples whose labels include `labels`, in a Prometheus exposition. */
function sample(text: string, name: string, labels = ''): number {
  let total = 0
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue
    const [key, value] = line.split(' ')
    if (key === undefined || value === undefined) continue
    const bare = key.replace(/\{.*\}$/, '')
    if (bare === name && key.includes(labels)) total += Number(value)
  }
  return total
}

// examples/otel-prometheus.ts started as its users start it, scraped as Prometheus scrapes it.
describe('examples/otel-prometheus', () => {
  let app: StartedProcess
  let metrics = ''

  beforeAll(async () => {
    const metricsPort = await freePort()
    metrics = `http://127.0.0.1:${metricsPort}/metrics`
    app = await startProcess('npx', ['tsx', 'examples/otel-prometheus.ts'], {
      METRICS_PORT: String(metricsPort),
    })
  }, 60_000)

  afterAll(async () => {
    await app?.stop()
  })

  const scrape = async () => {
    const res = await fetch(metrics)
    expect(res.status).toBe(200)
    return res.text()
  }
  const login = (username: string, password: string) =>
    fetch(`${app.base}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username, password }),
    })

  it('shows the lockout counter rising during a burst of wrong passwords', async () => {
    const before = await scrape()
    expect(sample(before, 'axes_lockouts_total')).toBe(0)
    const statuses: number[] = []
    for (let i = 0; i < 10; i++) statuses.push((await login('alice', `guess-${i}`)).status)
    expect(statuses).toEqual([401, 401, 429, 429, 429, 429, 429, 429, 429, 429])
    const during = await scrape()
    expect(sample(during, 'axes_lockouts_total')).toBe(1)
    // The third attempt was let through to the password check, and its failure locked.
    expect(sample(during, 'axes_attempts_total', 'axes_allowed="true"')).toBe(3)
    expect(sample(during, 'axes_blocked_requests_total', 'axes_reason="lockedOut"')).toBe(7)
    expect(sample(during, 'axes_decision_duration_count', 'axes_operation="reserve"')).toBe(10)
    // A second user locked: the counter rises again.
    for (let i = 0; i < 3; i++) await login('bob', 'nope')
    expect(sample(await scrape(), 'axes_lockouts_total')).toBe(2)
    // Low cardinality: no username and no IP address in any label.
    expect(during).not.toMatch(/alice|127\.0\.0\.1/)
  })
})
