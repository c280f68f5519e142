// The identity node-axes counts is the identity the password check receives, on every adapter and
// every documented pattern: an attacker who sends the username twice, nested in arrays, as an
// object, or only in the query string, gets `failureLimit` guesses for alice and no more. Real HTTP
// through Passport (the repository's example), Express, Fastify, Koa and Hono with the docs' "your
// own login code" snippets and their protectLogin.

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { exampleOptions } from '../../../examples/demo.js'
import { createApp as passportExample } from '../../../examples/passport-login.js'
import { type Axes, type AxesOptions, createAxes } from '../../../src/index.js'
import { APPS, checker, LIMIT, listenNode } from './login-apps.js'
import { type StartedApp, USER } from './scenarios.js'

/** How an attack sends one guess: the path (with a query string) and the body. */
interface Shape {
  name: string
  path: string
  type: 'form' | 'json'
  body: (password: string, n: number) => string
}

const FORM_SHAPES: Shape[] = [
  {
    name: 'the username twice in the body, alice in the query string',
    path: '/login?username=alice',
    type: 'form',
    body: (p, n) => `username=j${n}&username=j${n}&password=${p}`,
  },
  {
    name: 'no username in the body, alice in the query string',
    path: '/login?username=alice',
    type: 'form',
    body: (p) => `password=${p}`,
  },
  {
    name: 'an empty username in the body, alice in the query string',
    path: '/login?username=alice',
    type: 'form',
    body: (p) => `username=&password=${p}`,
  },
  {
    name: 'alice twice in the body',
    path: '/login',
    type: 'form',
    body: (p) => `username=alice&username=alice&password=${p}`,
  },
  {
    name: 'alice nested in brackets (qs-style parsers)',
    path: '/login',
    type: 'form',
    body: (p) => `username[0][0]=alice&password=${p}`,
  },
  {
    name: 'alice and junk in the body',
    path: '/login',
    type: 'form',
    body: (p, n) => `username=alice&username=j${n}&password=${p}`,
  },
]

const JSON_SHAPES: Shape[] = [
  {
    name: 'alice nested in arrays (JSON)',
    path: '/login',
    type: 'json',
    body: (p) => JSON.stringify({ username: [['alice']], password: p }),
  },
  {
    name: 'alice in an array (JSON)',
    path: '/login',
    type: 'json',
    body: (p) => JSON.stringify({ username: ['alice'], password: p }),
  },
  {
    name: 'alice in an object (JSON)',
    path: '/login',
    type: 'json',
    body: (p) => JSON.stringify({ username: { toString: 'alice' }, password: p }),
  },
  {
    name: 'the password in an array (JSON)',
    path: '/login',
    type: 'json',
    body: (p) => JSON.stringify({ username: 'alice', password: [p] }),
  },
]

/** Guesses `wrong` times with wrong passwords, all at once, then once with alice's password. */
async function attack(base: string, shape: Shape, wrong: number): Promise<Response> {
  const send = (password: string, n: number) =>
    fetch(`${base}${shape.path}`, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        'content-type':
          shape.type === 'json' ? 'application/json' : 'application/x-www-form-urlencoded',
      },
      body: shape.body(password, n),
    })
  // The wrong guesses in parallel, as an attacker sends them.
  await Promise.all(
    Array.from({ length: wrong }, async (_, n) => (await send(`wrong${n}`, n)).arrayBuffer()),
  )
  return send(USER.password, wrong)
}

const PARAMETERS: { lockoutParameters: AxesOptions['lockoutParameters'] }[] = [
  { lockoutParameters: [['username', 'ip_address']] },
  { lockoutParameters: ['username'] },
]

describe.each(APPS)('$name', (app) => {
  let started: StartedApp | null = null
  let axes: Axes | null = null
  afterEach(async () => {
    await started?.close()
    await axes?.close()
    started = null
    axes = null
  })

  it('still logs alice in with her password, and answers a repeated field 400', async () => {
    axes = createAxes({ ...exampleOptions, handler: 'memory', logger: false })
    const { checks, verify } = checker()
    started = await app.start(axes, verify)
    const form = (path: string, body: string) =>
      fetch(`${started?.base}${path}`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body,
      })
    const good = await form('/login', 'username=alice&password=wonderland')
    expect(good.status).toBe(200)
    expect(await good.text()).toMatch(/welcome|"ok"/i)
    const twice = await form('/login', 'username=alice&username=bob&password=wonderland')
    if (app.lastValue) {
      // The body parser keeps the last value: bob is counted and bob's password checked.
      expect(twice.status).toBe(401)
    } else {
      expect(twice.status).toBe(400)
      expect(await twice.text()).toContain('send each field once')
    }
    expect(checks.alice).toBe(1)
  })

  const shapes = app.json ? [...FORM_SHAPES, ...JSON_SHAPES] : FORM_SHAPES
  describe.each(PARAMETERS)('lockoutParameters $lockoutParameters', ({ lockoutParameters }) => {
    // One app for every shape; axes.reset() between shapes forgets the previous one's failures.
    let shared: { axes: Axes; started: StartedApp; checks: { alice: number } } | null = null
    beforeAll(async () => {
      const instance = createAxes({
        ...exampleOptions,
        handler: 'memory',
        lockoutParameters,
        logger: false,
      })
      const { checks, verify } = checker()
      shared = { axes: instance, started: await app.start(instance, verify), checks }
    })
    afterAll(async () => {
      await shared?.started.close()
      await shared?.axes.close()
    })

    it.each(shapes)(
      '$name: 39 wrong guesses, then the right password does not log in',
      async (shape) => {
        const { axes: instance, started: running, checks } = shared as NonNullable<typeof shared>
        await instance.reset()
        checks.alice = 0
        const last = await attack(running.base, shape, 39)
        const text = await last.text()
        expect({ status: last.status, loggedIn: /welcome|"ok"/i.test(text) }).toMatchObject({
          loggedIn: false,
        })
        // alice's password was checked at most failureLimit times.
        expect(checks.alice).toBeLessThanOrEqual(LIMIT)
        expect(LIMIT).toBe(exampleOptions.failureLimit)
      },
    )
  })
})

describe('Passport: a login from the query string, where passport-local reads it', () => {
  it('counts the query-string username and logs in with the right password', async () => {
    const axes = createAxes({ ...exampleOptions, handler: 'memory', logger: false })
    const { checks, verify } = checker()
    const started = await listenNode(passportExample(axes, verify).listen(0, '127.0.0.1'))
    try {
      const post = (query: string) =>
        fetch(`${started.base}/login?${query}`, { method: 'POST', redirect: 'manual' })
      expect((await post('username=alice&password=wonderland')).status).toBe(200)
      for (let i = 0; i < 5; i++) await (await post('username=alice&password=wrong')).text()
      expect(checks.alice).toBe(1 + LIMIT)
      const locked = await post('username=alice&password=wonderland')
      expect(locked.status).toBe(429)
      expect(checks.alice).toBe(1 + LIMIT)
    } finally {
      await started.close()
      await axes.close()
    }
  })
})
