import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { challengeOptions, createApp } from '../../examples/challenge-login.js'
import type { ChallengeRequiredEvent } from '../../src/index.js'
import { createAxes } from '../support/axes.js'

// The challenge example (node-axes/challenges with a stub verifier), played over real HTTP.
describe('examples/challenge-login', () => {
  const axes = createAxes({ ...challengeOptions, logger: false })
  const events: ChallengeRequiredEvent[] = []
  axes.on('challengeRequired', (event) => events.push(event))
  const server = createApp(axes).listen(0, '127.0.0.1')
  let base = ''

  beforeAll(async () => {
    if (!server.listening) await new Promise((resolve) => server.once('listening', resolve))
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve))
  })

  const login = (fields: Record<string, string>) =>
    fetch(`${base}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields),
      redirect: 'manual',
    })

  it('asks for the challenge after two failures, refuses without it (uncounted), checks with it, locks at five', async () => {
    const page = await fetch(`${base}/`)
    expect(await page.text()).not.toContain('not_a_robot')
    const first = await login({ username: 'alice', password: 'nope' })
    expect(first.status).toBe(401)
    expect(await first.text()).not.toContain('not_a_robot')
    const second = await login({ username: 'alice', password: 'nope' })
    expect(second.status).toBe(401)
    const withChallenge = await second.text()
    expect(withChallenge).toContain('3 attempts left')
    expect(withChallenge).toContain('<input type="checkbox" name="not_a_robot" value="yes">')
    // Without the box ticked, even the right password is not checked; nothing is counted.
    for (let i = 0; i < 5; i++) {
      const refused = await login({ username: 'alice', password: 'wonderland' })
      expect(refused.status).toBe(403)
      expect(await refused.text()).toContain('3 attempts left before the lock')
    }
    expect(events).toHaveLength(5)
    // Ticked: checked. The right password signs in.
    const ok = await login({ username: 'alice', password: 'wonderland', not_a_robot: 'yes' })
    expect(ok.status).toBe(200)
    expect(await ok.text()).toContain('Signed in as alice')
  })

  it('with the challenge passed, wrong passwords still count and lock at five', async () => {
    const statuses: number[] = []
    for (let i = 0; i < 6; i++) {
      const fields: Record<string, string> = { username: 'bob', password: 'nope' }
      if (i >= 2) fields.not_a_robot = 'yes'
      statuses.push((await login(fields)).status)
    }
    expect(statuses).toEqual([401, 401, 401, 401, 429, 429])
    const locked = await login({ username: 'bob', password: 'builder', not_a_robot: 'yes' })
    expect(locked.status).toBe(429)
    expect(await locked.text()).toContain('Locked out')
  })
})
