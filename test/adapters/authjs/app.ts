/**
 * The Auth.js app the tests start: examples/authjs-login.mjs (Express, `@auth/express`, a
 * Credentials provider wrapped by `axesAuthorize`) with a password check that records the
 * usernames it receives; and a client that signs in as a browser form does (CSRF token, cookie).
 */

import type express from 'express'
import type { Axes } from '../../../src/index.js'
import { type StartedApp, startedServer } from '../shared/scenarios.js'

/**
 * The example, imported without its types: @auth/express' types reach preact's, which load
 * TypeScript's DOM library into the whole program, where tsconfig.json keeps Node's types only.
 */
const EXAMPLE = '../../../examples/authjs-login.mjs'

/** The example's `createApp`. */
type CreateApp = (
  axes: Axes,
  verify: (username: unknown, password: unknown) => Promise<string | null>,
) => express.Express

/** A started Auth.js app, with the usernames its password check received. */
export interface AuthjsApp extends StartedApp {
  checked: unknown[]
}

/** Starts the example with `axes`. */
export async function startAuthjs(axes: Axes): Promise<AuthjsApp> {
  const checked: unknown[] = []
  const { createApp } = (await import(EXAMPLE)) as { createApp: CreateApp }
  const app = createApp(axes, async (username, password) => {
    checked.push(username)
    await new Promise((resolve) => setTimeout(resolve, 2))
    return username === 'alice' && password === 'wonderland' ? 'alice' : null
  })
  const started = await startedServer(app.listen(0, '127.0.0.1'))
  return { ...started, checked }
}

/** A browser's sign-in: the CSRF token and its cookie once, then form posts (or JSON bodies). */
export async function signInClient(base: string) {
  const csrf = await fetch(`${base}/auth/csrf`)
  const { csrfToken } = (await csrf.json()) as { csrfToken: string }
  const cookie = csrf.headers
    .getSetCookie()
    .map((line) => line.split(';')[0])
    .join('; ')
  return (fields: Record<string, string> | string, headers: Record<string, string> = {}) => {
    const json = typeof fields === 'string'
    return fetch(`${base}/auth/callback/credentials`, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        'content-type': json ? 'application/json' : 'application/x-www-form-urlencoded',
        cookie,
        ...headers,
      },
      body: json
        ? fields.replace('CSRF', csrfToken)
        : new URLSearchParams({ ...fields, csrfToken }),
    })
  }
}
