/**
 * The login example with node-axes' admin pages beside it, on plain `node:http`.
 *
 *   npm run example:admin      # then open http://localhost:3000 and http://localhost:3000/admin/axes
 *
 * Fail a few logins on the login page, then watch them in the admin and delete the lockout. The
 * admin asks for HTTP Basic credentials: user `admin`, and the password printed at start (or
 * AXES_ADMIN_PASSWORD). `authorize` answers a Response of its own here (401 with
 * WWW-Authenticate), which makes the browser ask.
 */

import { randomBytes, timingSafeEqual } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import { type Axes, createAxes } from 'node-axes'
import { createAdminHandler, toNodeListener } from 'node-axes/admin'
import { createLoginServer } from './node-http-login.js'

export const ADMIN_PATH = '/admin/axes'

/** Whether the request carries `admin:<password>` as HTTP Basic credentials. */
function hasCredentials(request: Request, password: string): boolean {
  const header = request.headers.get('authorization') ?? ''
  if (!header.startsWith('Basic ')) return false
  const given = Buffer.from(Buffer.from(header.slice(6), 'base64').toString('utf8'))
  const expected = Buffer.from(`admin:${password}`)
  return given.length === expected.length && timingSafeEqual(given, expected)
}

/** The login example's server, with the admin pages under /admin/axes. */
export function createExampleServer(axes: Axes, adminPassword: string): Server {
  const login = createLoginServer(axes)
  const admin = toNodeListener(
    createAdminHandler({
      axes,
      basePath: ADMIN_PATH,
      authorize: (request) =>
        hasCredentials(request, adminPassword) ||
        new Response('Sign in as admin.', {
          status: 401,
          headers: { 'www-authenticate': 'Basic realm="node-axes admin", charset="UTF-8"' },
        }),
    }),
  )
  return createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/'
    if (path === ADMIN_PATH || path.startsWith(`${ADMIN_PATH}/`)) admin(req, res)
    // Everything else is the login example's (its server's request listener, reused).
    else login.emit('request', req, res)
  })
}

const isMain =
  process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'))
if (isMain) {
  const axes = createAxes({
    failureLimit: 3,
    cooloffTime: '1m',
    lockoutParameters: [['username', 'ip_address']],
    enableAccessFailureLog: true,
  })
  const password = process.env.AXES_ADMIN_PASSWORD ?? randomBytes(9).toString('base64url')
  const port = Number(process.env.PORT ?? 3000)
  createExampleServer(axes, password).listen(port, () => {
    console.log(`node-axes example: http://localhost:${port}`)
    console.log(`admin pages:       http://localhost:${port}${ADMIN_PATH} (admin / ${password})`)
  })
}
