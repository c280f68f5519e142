// examples/authjs-next/ on the real Next.js (`next dev`, the App Router) with NextAuth.js v5
// (next-auth, installed beside next by scripts/install-runtimes.sh): the Credentials provider's
// `authorize` wrapped by node-axes/authjs, played over HTTP at Auth.js' own endpoints (its CSRF
// token, then the credentials callback), the client address in Vercel's `x-real-ip`. Wrong
// passwords lock out, the lockout is Auth.js' CredentialsSignin with code locked_out, and the
// right password before the lock signs in with a session. node-axes is the package as built
// (dist/), copied into the app's node_modules (test/support/next-site.ts). next-auth is not in the
// project's own node_modules, so tsconfig.json leaves examples/authjs-next out: this test is its
// check.

import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { signInClient } from '../adapters/authjs/app.js'
import { ROOT } from '../support/child-process.js'
import { nextSite, startNext } from '../support/next-site.js'
import { eachRunning } from '../support/runtime-server.js'
import { runtimeBinary, runtimePackage } from '../support/runtimes.js'

/** Where Auth.js sends a failed credentials sign-in: its sign-in page with the error's code. */
const signInError = (code: string) =>
  new RegExp(`/api/auth/signin\\?error=CredentialsSignin&code=${code}$`)

const AUTH = 'examples/authjs-next/auth.ts'
const ROUTE = 'examples/authjs-next/app/api/auth/[...nextauth]/route.ts'

/** A file from its first `import` on (after its header comment), as docs/authjs.md shows it. */
const code = (file: string) => {
  const text = readFileSync(join(ROOT, file), 'utf8')
  return text.slice(text.indexOf('\nimport ') + 1)
}

describe('docs/authjs.md', () => {
  it("shows examples/authjs-next's auth.ts and route handler as they are (this test plays them)", () => {
    const page = readFileSync(join(ROOT, 'docs/authjs.md'), 'utf8')
    const blocks = [
      ...page.matchAll(
        /<!-- (?:tested elsewhere|fragment)[^>]*authjs-next[^>]*-->\n\n```ts\n([\s\S]*?)```/g,
      ),
    ]
    expect(blocks.map((m) => m[1])).toEqual([code(AUTH), code(ROUTE)])
  })
})

const next = runtimeBinary('next')
const nextAuth = next === null ? null : runtimePackage('next-auth')

describe.skipIf(nextAuth === null)('examples/authjs-next on Next.js with next-auth v5', () => {
  const servers = eachRunning()

  it('locks out wrong passwords with CredentialsSignin code locked_out, and signs in the right password before the lock', async () => {
    const site = nextSite('authjs-site', {
      'auth.js': AUTH,
      'app/api/auth/[...nextauth]/route.js': ROUTE,
    })
    // As the example's comment starts it: Auth.js signs its cookies with AUTH_SECRET.
    const secret = 'test-secret-test-secret-test-secret-0123456789'
    const running = servers.use(await startNext(next as string, site, { AUTH_SECRET: secret }))
    const signIn = await signInClient(`${running.base}/api`)
    const from = (ip: string) => ({ 'x-real-ip': ip })
    const wrong = { username: 'alice', password: 'nope' }
    const right = { username: 'alice', password: 'wonderland' }

    // The right password, before any lock: a session for alice.
    const first = await signIn(right, from('203.0.113.6'))
    expect(first.status, running.output()).toBe(302)
    expect(first.headers.get('location')).not.toMatch(/error=/)
    const session = first.headers
      .getSetCookie()
      .map((line) => line.split(';')[0])
      .find((cookie) => cookie?.startsWith('authjs.session-token='))
    expect(session).toBeDefined()
    const me = await fetch(`${running.base}/api/auth/session`, {
      headers: { cookie: session as string },
    })
    expect(((await me.json()) as { user?: { name?: string } }).user?.name).toBe('alice')

    // Wrong passwords from another address: Auth.js' own code twice, then the lockout.
    for (let i = 0; i < 2; i++) {
      const res = await signIn(wrong, from('203.0.113.5'))
      expect(res.status).toBe(302)
      expect(res.headers.get('location')).toMatch(signInError('credentials'))
    }
    const third = await signIn(wrong, from('203.0.113.5'))
    expect(third.headers.get('location'), running.output()).toMatch(signInError('locked_out'))
    // Locked out: the right password is refused too, and `signIn(…, { redirect: false })`
    // (Auth.js' JSON answer) reads the same code.
    const locked = await signIn(right, from('203.0.113.5'))
    expect(locked.headers.get('location')).toMatch(signInError('locked_out'))
    const json = await signIn(right, { ...from('203.0.113.5'), 'x-auth-return-redirect': '1' })
    expect(((await json.json()) as { url: string }).url).toMatch(signInError('locked_out'))
    // The other address is another client: alice still signs in there.
    const elsewhere = await signIn(right, from('203.0.113.6'))
    expect(elsewhere.headers.get('location')).not.toMatch(/error=/)
    // No address: not one shared bucket, a refused sign-in (Auth.js reports the error).
    const none = await signIn(right)
    expect(none.headers.get('location') ?? '').toMatch(/error=/)
    expect(none.headers.getSetCookie().join('\n')).not.toMatch(/authjs\.session-token=/)
  }, 180_000)
})
