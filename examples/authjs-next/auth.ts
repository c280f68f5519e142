/**
 * Auth.js (NextAuth.js v5) in a Next.js App Router app, its Credentials provider protected by
 * node-axes: `auth.ts` at the app's root, as Auth.js' own guide writes it, with the route handler
 * in app/api/auth/[...nextauth]/route.ts. Copy both into a Next.js app, then:
 *
 *   npm install next-auth@beta node-axes
 *   AUTH_SECRET=$(openssl rand -base64 33) npx next dev
 *
 * then Auth.js' sign-in page: http://localhost:3000/api/auth/signin (alice / wonderland).
 *
 * `axesAuthorize` wraps `authorize`: a locked-out client is refused before the password check with
 * Auth.js' `CredentialsSignin`, whose code (`locked_out`) Auth.js puts on its redirect to the
 * sign-in page (`?error=CredentialsSignin&code=locked_out`) and hands `signIn(…, { redirect:
 * false })` as `code`.
 */

import NextAuth from 'next-auth'
import Credentials from 'next-auth/providers/credentials'
import { createAxes } from 'node-axes'
import { axesAuthorize, trustedHeader } from 'node-axes/authjs'

// One instance for the server process (the route handler's module is loaded once). The memory
// handler counts in this process; on several instances or serverless, give node-axes a shared
// store (the database handler on PostgreSQL, or Redis: docs/handlers.md).
const axes = createAxes({
  handler: 'memory',
  failureLimit: 3,
  cooloffTime: '15m',
  lockoutParameters: [['username', 'ip_address']],
})

// Your users: the user for the right password, else null. Here one demo user; yours looks the user
// up and compares a password hash (bcrypt, argon2).
const users = {
  verify: async (username: unknown, password: unknown) =>
    username === 'alice' && password === 'wonderland' ? { id: username, name: username } : null,
}

export const { handlers, auth, signIn, signOut } = NextAuth({
  // Auth.js signs its cookies with AUTH_SECRET, from the environment.
  trustHost: true,
  providers: [
    Credentials({
      credentials: { username: { label: 'Username' }, password: { type: 'password' } },
      // A route handler sees no socket: the client address is the header the platform sets and
      // overwrites (Vercel's x-real-ip; behind your own proxy, the header it sets).
      authorize: axesAuthorize(
        axes,
        async ({ username, password }) => users.verify(username, password),
        {
          clientAddress: trustedHeader('x-real-ip'),
        },
      ),
    }),
  ],
})
