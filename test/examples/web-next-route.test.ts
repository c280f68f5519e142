// examples/web/next-route.ts, the Next.js route handler, called as Next.js calls it: `POST` with a
// Web `Request`, the client address in Vercel's x-real-ip header: in seconds, without Next.js. On
// Next.js itself it runs in web-runtimes.test.ts.

import { describe, expect, it } from 'vitest'
import { POST, runtime } from '../../examples/web/next-route.js'

const login = (ip: string | null, username: string, password: string) =>
  POST(
    new Request('https://app.example/login', {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        ...(ip === null ? {} : { 'x-real-ip': ip }),
      },
      body: new URLSearchParams({ username, password }),
    }),
  )

describe('examples/web/next-route (a Next.js route handler)', () => {
  it('locks out per address from x-real-ip, and refuses a request without one', async () => {
    expect(runtime).toBe('nodejs')
    expect((await login('203.0.113.9', 'alice', 'nope')).status).toBe(401)
    expect((await login('203.0.113.9', 'alice', 'nope')).status).toBe(401)
    const third = await login('203.0.113.9', 'alice', 'nope')
    expect(third.status).toBe(429)
    expect(await third.text()).toContain('Too many failed sign-ins for alice.')
    expect((await login('203.0.113.9', 'alice', 'wonderland')).status).toBe(429)
    const elsewhere = await login('203.0.113.10', 'alice', 'wonderland')
    expect(elsewhere.status).toBe(200)
    expect(await elsewhere.json()).toEqual({ user: 'alice' })
    await expect(login(null, 'alice', 'wonderland')).rejects.toMatchObject({
      code: 'AXES_NO_CLIENT_ADDRESS',
    })
  })
})
