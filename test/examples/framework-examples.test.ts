import type { Server } from 'node:http'
import { serve } from '@hono/node-server'
import { describe, expect, it } from 'vitest'
import { exampleOptions } from '../../examples/demo.js'
import { createApp as expressApp } from '../../examples/express-login.js'
import { createApp as fastifyApp } from '../../examples/fastify-login.js'
import { createApp as honoApp } from '../../examples/hono-login.js'
import { createApp as koaApp } from '../../examples/koa-login.js'
import { createApp as passportApp } from '../../examples/passport-login.js'
import type { Axes } from '../../src/index.js'
import { eachApp, type StartedApp, startedServer } from '../adapters/shared/scenarios.js'
import { createAxes } from '../support/axes.js'

const EXAMPLES: { name: string; start: (axes: Axes) => Promise<StartedApp>; failure: number }[] = [
  {
    name: 'examples/express-login',
    start: (axes) => startedServer(expressApp(axes).listen(0, '127.0.0.1')),
    failure: 401,
  },
  {
    name: 'examples/fastify-login',
    start: async (axes) => {
      const app = await fastifyApp(axes)
      return { base: await app.listen({ port: 0, host: '127.0.0.1' }), close: () => app.close() }
    },
    failure: 401,
  },
  {
    name: 'examples/koa-login',
    start: (axes) => startedServer(koaApp(axes).listen(0, '127.0.0.1')),
    failure: 401,
  },
  {
    name: 'examples/hono-login',
    start: (axes) =>
      startedServer(
        serve({ fetch: honoApp(axes).fetch, port: 0, hostname: '127.0.0.1' }) as Server,
      ),
    failure: 401,
  },
  {
    name: 'examples/passport-login',
    start: (axes) => startedServer(passportApp(axes).listen(0, '127.0.0.1')),
    failure: 302,
  },
]

// Each framework's example, started and played over real HTTP: the README's promise per framework.
for (const example of EXAMPLES) {
  describe(example.name, () => {
    const apps = eachApp()
    const login = (base: string, username: string, password: string, headers = {}) =>
      fetch(`${base}/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body: new URLSearchParams({ username, password }),
        redirect: 'manual',
      })

    it('serves the form, counts down, locks out at the third failure, and keeps other users in', async () => {
      const axes = createAxes({ ...exampleOptions, logger: false })
      const { base } = apps.use(await example.start(axes))
      const form = await fetch(`${base}/`)
      expect(form.status).toBe(200)
      expect(await form.text()).toContain('<form class="login" method="post" action="/login">')

      const first = await login(base, 'alice', 'nope')
      expect(first.status).toBe(example.failure)
      if (example.failure === 401) expect(await first.text()).toContain('2 attempts left')
      expect((await login(base, 'alice', 'nope')).status).toBe(example.failure)
      const third = await login(base, 'alice', 'nope')
      expect(third.status).toBe(429)
      expect(third.headers.get('retry-after')).toBe('60')
      expect(await third.text()).toContain('Too many failed sign-ins for alice.')
      const right = await login(base, 'alice', 'wonderland')
      expect(right.status).toBe(429)
      const json = await login(base, 'alice', 'wonderland', { accept: 'application/json' })
      expect(await json.json()).toMatchObject({ username: 'alice', failure_limit: 3 })

      const bob = await login(base, 'bob', 'builder')
      expect(bob.status).toBe(200)
      expect(await bob.text()).toContain('Signed in as bob.')
    })

    it('escapes a hostile username on the lockout page', async () => {
      const axes = createAxes({ ...exampleOptions, logger: false })
      const { base } = apps.use(await example.start(axes))
      const name = '<script>alert(1)</script>'
      let last: Response | null = null
      for (let i = 0; i < 3; i++) last = await login(base, name, 'x')
      expect(last?.status).toBe(429)
      const html = await last?.text()
      expect(html).not.toContain('<script>')
      expect(html).toContain('&lt;script&gt;')
    })
  })
}
