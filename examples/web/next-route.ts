/**
 * A Next.js App Router route handler (Node runtime) protected by `node-axes/web`: copy it to
 * `app/login/route.ts`. On Vercel the client address is the `x-real-ip` header Vercel's edge
 * writes; self-hosted behind a proxy, name the header that proxy writes (and let nothing reach
 * Next.js around it).
 *
 * test/examples/web-runtimes.test.ts runs it on Next.js (`next dev`, from .runtimes/, installed by
 * scripts/install-runtimes.sh; Next.js is not among the project's dependencies).
 */

import { createAxes } from 'node-axes'
import { protectLogin, trustedHeader } from 'node-axes/web'
import { exampleOptions, verifyUser, wrongPassword } from '../demo.js'

/** Route segment config: node-axes' default handler (a SQLite file) needs Node. */
export const runtime = 'nodejs'

/** One instance per server process (module scope), as for any Next.js server-side singleton. */
const axes = createAxes({ ...exampleOptions, handler: 'memory' })

/** `POST /login`: JSON or form credentials; JSON answers. */
export const POST = protectLogin(axes, ({ username, password }) => verifyUser(username, password), {
  clientAddress: trustedHeader('x-real-ip'),
  onSuccess: (_request, { user }) => Response.json({ user }),
  onFailure: (_request, decision) =>
    Response.json({ error: wrongPassword(decision.remaining) }, { status: 401 }),
})
