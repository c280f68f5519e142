/**
 * What the Web-standard examples share: the demo's login page as one fetch-style handler, protected
 * by `node-axes/web`, for a client-address source each runtime names (Bun's `requestIP`, Deno's
 * `remoteAddr`, a Worker's trusted header). The memory handler keeps the lockouts: these runtimes
 * run one process here.
 */

import { createAxes } from 'node-axes'
import { type ClientAddressSource, protectLogin } from 'node-axes/web'
import { exampleOptions, loginPage, verifyUser, welcomePage, wrongPassword } from '../demo.js'

const html = (body: string, status = 200) =>
  new Response(body, { status, headers: { 'content-type': 'text/html; charset=utf-8' } })

/** The example's fetch handler: `GET /` is the form, `POST /login` the protected login. */
export function createHandler<Args extends unknown[]>(
  clientAddress: ClientAddressSource<Args>,
): (request: Request, ...args: Args) => Promise<Response> {
  const axes = createAxes({ ...exampleOptions, handler: 'memory', logger: console })
  const login = protectLogin(axes, ({ username, password }) => verifyUser(username, password), {
    clientAddress,
    bodyLimit: 16 * 1024,
    // `...runtime`: whatever else the runtime passed (unused here).
    onSuccess: (_request, { user }, ..._runtime: Args) => html(welcomePage(user)),
    onFailure: (_request, decision, ..._runtime: Args) =>
      html(loginPage(wrongPassword(decision.remaining)), 401),
  })
  return async (request, ...args) => {
    const { pathname } = new URL(request.url)
    if (pathname === '/login' && request.method === 'POST') return login(request, ...args)
    if (pathname === '/' && request.method === 'GET') return html(loginPage())
    return new Response('Not found', { status: 404 })
  }
}
