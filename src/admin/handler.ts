/**
 * `createAdminHandler`: django-axes' admin pages (Access attempts, Access logs, Access failure
 * logs), an overview and the locks in force, as one Web-standard `(Request) => Promise<Response>` function. Here is a
 * request's way through the admin: authorization, the CSRF cookie and check, routing to a page
 * (src/admin/pages/) or an action, and the error page; the HTTP pieces are in src/admin/http/.
 */

import { AxesError, describeError } from '../ground/errors.js'
import { html } from './html.js'
import { CSRF_FIELD, Csrf } from './http/csrf.js'
import { readForm, sameOrigin } from './http/form.js'
import { decodeId } from './http/ids.js'
import { HttpProblem, page, plain, redirect } from './http/responses.js'
import {
  type AdminAuthorization,
  type AdminHandler,
  type AdminOptions,
  checkAdminOptions,
} from './options.js'
import { accessLogsPage } from './pages/access-logs.js'
import { attemptPage } from './pages/attempt.js'
import { cleanup, deleteSelected } from './pages/attempt-actions.js'
import { attemptsPage } from './pages/attempts.js'
import { notices } from './pages/components.js'
import { failureLogsPage } from './pages/failure-logs.js'
import { href, type PageContext } from './pages/layout.js'
import { locksPage, unlockAction } from './pages/locks.js'
import { overview } from './pages/overview.js'

/**
 * Creates the admin pages as one Web-standard handler: `(request: Request) => Promise<Response>`.
 * Mount it with `toNodeListener`, `expressAdmin`, `fastifyAdmin`, `koaAdmin` or `honoAdmin`, or
 * call it yourself wherever Requests arrive (Next.js route handlers, Bun, Deno).
 *
 * Throws an `AxesConfigError` without `axes` or `authorize`.
 *
 * @example
 * ```ts
 * import { createServer } from 'node:http'
 * import { createAdminHandler, toNodeListener } from 'node-axes/admin'
 *
 * const admin = createAdminHandler({
 *   axes,
 *   basePath: '/admin/axes',
 *   authorize: (request) => isStaff(request),
 * })
 * createServer(toNodeListener(admin)).listen(8080)
 * ```
 */
export function createAdminHandler(options: AdminOptions): AdminHandler {
  const { axes, basePath, pageSize } = checkAdminOptions(options)
  const base = basePath.replace(/\/+$/, '')
  const cookiePath = base === '' ? '/' : base
  const csrf = new Csrf(options.csrfSecret)
  const title = options.title ?? 'node-axes'
  const authorize = options.authorize

  return async function adminHandler(request: Request): Promise<Response> {
    // A method no page answers is refused before authorize runs (a runtime such as
    // @hono/node-server hands TRACE over as a GET whose method reads TRACE).
    const method = request.method.toUpperCase()
    if (method !== 'GET' && method !== 'HEAD' && method !== 'POST') {
      return plain(405, 'Method not allowed.', { allow: 'GET, HEAD, POST' })
    }
    let authorized: AdminAuthorization
    try {
      authorized = await authorize(request)
    } catch {
      return plain(500, 'The authorization check failed.')
    }
    if (authorized instanceof Response) return authorized
    if (authorized !== true) return plain(403, 'Forbidden: you may not see these pages.')

    const url = new URL(request.url)
    const path = url.pathname
    if (!(path === base || path.startsWith(`${base}/`))) return plain(404, 'Not found.')
    const route = path.slice(base.length) || '/'

    const secure = url.protocol === 'https:'
    let cookie = csrf.cookieValue(request.headers.get('cookie'))
    const setCookie = cookie === null
    cookie ??= csrf.newCookieValue()
    const ctx: PageContext = {
      base,
      csrfToken: csrf.token(cookie),
      title,
      now: axes.options.clock(),
      signOutPath: options.signOutPath ?? null,
    }
    const finish = (response: Response) => {
      if (setCookie)
        response.headers.append('set-cookie', csrf.setCookie(cookie, cookiePath, secure))
      return response
    }

    try {
      if (
        route === '/attempts/delete' ||
        route === '/attempts/cleanup' ||
        route === '/locks/unlock'
      ) {
        if (method !== 'POST') return finish(plain(405, 'Use POST.', { allow: 'POST' }))
        const form = await readForm(request)
        if (
          !sameOrigin(request, url) ||
          !csrf.verify(csrf.cookieValue(request.headers.get('cookie')), form.get(CSRF_FIELD))
        ) {
          return finish(
            page(
              403,
              ctx,
              null,
              'Forbidden',
              notices([
                { kind: 'error', text: 'CSRF check failed: reload the page and try again.' },
              ]),
            ),
          )
        }
        if (route === '/locks/unlock') return finish(await unlockAction(ctx, axes, form))
        if (route === '/attempts/cleanup') {
          const removed = await cleanup(axes)
          return finish(redirect(href(ctx, '/attempts', { done: `cleaned:${removed}` })))
        }
        return finish(await deleteSelected(ctx, axes, form))
      }
      if (method !== 'GET' && method !== 'HEAD') {
        return finish(plain(405, 'Use GET.', { allow: 'GET, HEAD' }))
      }
      let response: Response
      if (route === '/') response = await overview(ctx, axes, url)
      else if (route === '/locks') response = await locksPage(ctx, axes, url)
      else if (route === '/attempts') response = await attemptsPage(ctx, axes, url, pageSize)
      else if (route.startsWith('/attempts/')) {
        response = await attemptPage(ctx, axes, decodeId(route.slice('/attempts/'.length)))
      } else if (route === '/logs') response = await accessLogsPage(ctx, axes, url, pageSize)
      else if (route === '/failure-logs') {
        response = await failureLogsPage(ctx, axes, url, pageSize)
      } else response = page(404, ctx, null, 'Not found', html`<p>No such page.</p>`)
      if (method === 'HEAD') response = new Response(null, response)
      return finish(response)
    } catch (error) {
      if (error instanceof HttpProblem) return finish(plain(error.status, error.message))
      const code = error instanceof AxesError ? `${error.code}: ` : ''
      return finish(
        page(
          500,
          ctx,
          null,
          'Error',
          notices([
            {
              kind: 'error',
              text: `The ${axes.handler.name} handler failed: ${code}${describeError(error)
                .replace(/^\[node-axes\] /, '')
                .slice(0, 300)}`,
            },
          ]),
        ),
      )
    }
  }
}
