/**
 * The admin's options: `AdminOptions` as `createAdminHandler` takes them, what `authorize` may
 * answer, the handler's type, and the check that refuses bad options before any request.
 */

import type { Axes } from '../compose/axes.js'
import { AxesConfigError } from '../ground/errors.js'

/** What `authorize` may answer: true to go on, false for 403, or a Response of its own (a redirect to a login page). */
export type AdminAuthorization = boolean | Response

/** Options of `createAdminHandler`. */
export interface AdminOptions {
  /** The node-axes instance whose attempts the pages show. */
  axes: Axes
  /**
   * Decides, on every request, whether it may see the pages: true to go on, false for a 403 page,
   * or a Response of its own (say, a redirect to your login page). Required: the admin refuses to
   * start without it. It receives the Web-standard Request (cookies in
   * `request.headers.get('cookie')`).
   *
   * @example
   * ```ts
   * authorize: async (request) => (await sessions.userOf(request))?.isStaff === true
   * ```
   */
  authorize: (request: Request) => AdminAuthorization | Promise<AdminAuthorization>
  /**
   * The path the pages are mounted under, e.g. `/admin/axes`: the handler answers below it, and
   * its links and forms point there.
   * @default '/'
   */
  basePath?: string
  /**
   * The secret that signs CSRF tokens. By default a random one per handler, which suits one
   * process; give the same secret to every process behind a load balancer (32 bytes or more).
   */
  csrfSecret?: string | Uint8Array
  /**
   * Rows per page.
   * @default 100
   */
  pageSize?: number
  /**
   * Where the header's "Sign out" button posts (your application's sign-out route, e.g.
   * `/admin/logout`); no button when unset.
   * @default undefined
   */
  signOutPath?: string
  /**
   * The title in the header.
   * @default 'node-axes'
   */
  title?: string
}

/** The admin: a Web-standard request handler. */
export type AdminHandler = (request: Request) => Promise<Response>

/** The options once checked, with their defaults. */
export interface CheckedAdminOptions {
  readonly axes: Axes
  readonly basePath: string
  readonly pageSize: number
}

/** Checks `createAdminHandler`'s options: an `AxesConfigError` lists every problem. */
export function checkAdminOptions(options: AdminOptions): CheckedAdminOptions {
  const issues: { key: string; message: string }[] = []
  if (typeof options !== 'object' || options === null) {
    throw new AxesConfigError(
      [{ key: 'options', message: 'give { axes, authorize }' }],
      'admin options',
    )
  }
  const axes = options.axes
  if (!axes || typeof axes !== 'object' || typeof axes.queryAttempts !== 'function') {
    issues.push({ key: 'axes', message: 'a node-axes instance (createAxes()) is required' })
  }
  if (typeof options.authorize !== 'function') {
    issues.push({
      key: 'authorize',
      message:
        'a function (request) => boolean | Response is required: the admin pages never run without an authorization check',
    })
  }
  const basePath = options.basePath ?? '/'
  if (typeof basePath !== 'string' || !/^\/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*$/.test(basePath)) {
    issues.push({ key: 'basePath', message: 'a path starting with "/", e.g. "/admin/axes"' })
  }
  if (
    options.signOutPath !== undefined &&
    (typeof options.signOutPath !== 'string' || !/^\/(?!\/)\S*$/.test(options.signOutPath))
  ) {
    issues.push({ key: 'signOutPath', message: 'a path on this site starting with "/"' })
  }
  const pageSize = options.pageSize ?? 100
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 500) {
    issues.push({ key: 'pageSize', message: 'a whole number from 1 to 500' })
  }
  if (
    options.csrfSecret !== undefined &&
    (typeof options.csrfSecret === 'string' || options.csrfSecret instanceof Uint8Array
      ? options.csrfSecret.length < 16
      : true)
  ) {
    issues.push({
      key: 'csrfSecret',
      message: 'a string or bytes of at least 16 (32 or more is best)',
    })
  }
  if (axes && typeof axes === 'object' && axes.options?.enableAdmin === false) {
    // django-axes' AXES_ENABLE_ADMIN = False: its models stay out of the admin.
    issues.push({
      key: 'axes',
      message:
        'this instance has enableAdmin: false (AXES_ENABLE_ADMIN), so its admin pages are off; remove the mount or the setting',
    })
  }
  if (issues.length > 0) throw new AxesConfigError(issues, 'admin options')

  return { axes, basePath, pageSize }
}
