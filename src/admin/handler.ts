/**
 * `createAdminHandler`: django-axes' admin pages (Access attempts, Access logs, Access failure
 * logs) and an overview, as one Web-standard `(Request) => Promise<Response>` function.
 */

import type { Axes } from '../core/axes.js'
import type {
  AttemptDetail,
  AttemptSortKey,
  AttemptStats,
  LogSortKey,
  QueryPage,
} from '../ground/contract.js'
import { AxesConfigError, AxesError, describeError } from '../ground/errors.js'
import { detailsOfSnapshots, pageOfAttempts, statsOfAttempts } from '../handlers/query.js'
import { html, type SafeHtml } from './html.js'
import { CSRF_FIELD, Csrf } from './http/csrf.js'
import {
  accessLogRows,
  attemptStatus,
  type Column,
  CSS_HASH,
  cell,
  chart,
  csrfField,
  failureLogRows,
  filterBar,
  formatTime,
  href,
  layout,
  notices,
  type PageContext,
  pagination,
  type Section,
  searchForm,
  tableHead,
} from './pages.js'

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
   * The title in the header.
   * @default 'node-axes'
   */
  title?: string
}

/** The admin: a Web-standard request handler. */
export type AdminHandler = (request: Request) => Promise<Response>

const BODY_LIMIT = 64 * 1024
const FALLBACK_LIMIT = 1000
const ATTEMPT_SORTS: readonly AttemptSortKey[] = [
  'attemptTime',
  'ipAddress',
  'userAgent',
  'username',
  'pathInfo',
  'failures',
]
const LOG_SORTS: readonly LogSortKey[] = [
  'attemptTime',
  'ipAddress',
  'userAgent',
  'username',
  'pathInfo',
]
const TIME_FILTERS: [string, string][] = [
  ['', 'Any date'],
  ['today', 'Today'],
  ['7d', 'Past 7 days'],
  ['month', 'This month'],
  ['year', 'This year'],
]
const RANGES: Record<string, { label: string; steps: number; stepMs: number }> = {
  '24h': { label: 'Past 24 hours', steps: 24, stepMs: 3_600_000 },
  '7d': { label: 'Past 7 days', steps: 28, stepMs: 6 * 3_600_000 },
  '30d': { label: 'Past 30 days', steps: 30, stepMs: 86_400_000 },
}

class HttpProblem extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message)
  }
}

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

  const base = basePath.replace(/\/+$/, '')
  const cookiePath = base === '' ? '/' : base
  const csrf = new Csrf(options.csrfSecret)
  const title = options.title ?? 'node-axes'
  const authorize = options.authorize

  return async function adminHandler(request: Request): Promise<Response> {
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
    }
    const finish = (response: Response) => {
      if (setCookie)
        response.headers.append('set-cookie', csrf.setCookie(cookie, cookiePath, secure))
      return response
    }

    const method = request.method.toUpperCase()
    try {
      if (route === '/attempts/delete' || route === '/attempts/cleanup') {
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
      else if (route === '/attempts') response = await attemptsPage(ctx, axes, url, pageSize)
      else if (route.startsWith('/attempts/')) {
        response = await attemptPage(ctx, axes, decodeId(route.slice('/attempts/'.length)))
      } else if (route === '/logs') response = await logsPage(ctx, axes, url, pageSize, 'logs')
      else if (route === '/failure-logs') {
        response = await logsPage(ctx, axes, url, pageSize, 'failureLogs')
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

// ----- responses

function securityHeaders(extra: Record<string, string> = {}): Headers {
  return new Headers({
    'content-security-policy': `default-src 'none'; style-src ${CSS_HASH}; img-src data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'same-origin',
    'cache-control': 'no-store',
    ...extra,
  })
}

function plain(status: number, text: string, extra: Record<string, string> = {}): Response {
  return new Response(text, {
    status,
    headers: securityHeaders({ 'content-type': 'text/plain; charset=utf-8', ...extra }),
  })
}

function page(
  status: number,
  ctx: PageContext,
  section: Section | null,
  heading: string,
  body: SafeHtml,
): Response {
  return new Response(layout(ctx, section, heading, body), {
    status,
    headers: securityHeaders({ 'content-type': 'text/html; charset=utf-8' }),
  })
}

function redirect(location: string): Response {
  return new Response(null, { status: 303, headers: securityHeaders({ location }) })
}

// ----- requests

async function readForm(request: Request): Promise<URLSearchParams> {
  const type = request.headers.get('content-type') ?? ''
  if (!type.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
    throw new HttpProblem(415, 'Send the form as application/x-www-form-urlencoded.')
  }
  const length = Number(request.headers.get('content-length') ?? 0)
  if (length > BODY_LIMIT) throw new HttpProblem(413, 'The form is too large.')
  if (!request.body) return new URLSearchParams()
  const reader = request.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > BODY_LIMIT) {
      await reader.cancel()
      throw new HttpProblem(413, 'The form is too large.')
    }
    chunks.push(value)
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'))
}

/**
 * Whether the browser says the POST comes from this host (Sec-Fetch-Site, else Origin). Absent
 * headers (old browsers, scripts) leave the decision to the token. The host is compared without the
 * scheme, since a proxy in front may end TLS.
 */
function sameOrigin(request: Request, url: URL): boolean {
  const site = request.headers.get('sec-fetch-site')
  if (site !== null && site !== 'same-origin' && site !== 'none') return false
  const origin = request.headers.get('origin')
  if (origin === null) return true
  if (origin === 'null') return false
  try {
    const host = request.headers.get('x-forwarded-host') ?? request.headers.get('host') ?? url.host
    return new URL(origin).host === host || new URL(origin).host === url.host
  } catch {
    return false
  }
}

/**
 * An attempt id as it travels in URLs and forms: a plain id (a database row's number) as it is,
 * anything else (a memory bucket key, which holds the client's values) as `~` and its UTF-8 in
 * base64url, so that no character of it is changed on the way.
 */
export function encodeId(id: string): string {
  return /^[A-Za-z0-9_-]{1,64}$/.test(id) ? id : `~${Buffer.from(id, 'utf8').toString('base64url')}`
}

/** The id back from `encodeId`'s form (a URL segment may also arrive percent-encoded). */
export function decodeId(token: string): string {
  let text = token
  if (text.includes('%')) {
    try {
      text = decodeURIComponent(text)
    } catch {
      throw new HttpProblem(404, 'Not found.')
    }
  }
  return text.startsWith('~') ? Buffer.from(text.slice(1), 'base64url').toString('utf8') : text
}

function pageNumber(url: URL): number {
  const p = Number(url.searchParams.get('p') ?? '1')
  return Number.isInteger(p) && p >= 1 && p <= 1_000_000 ? p : 1
}

function sortOf<K extends string>(
  url: URL,
  allowed: readonly K[],
): { key: K; descending: boolean; param: string | null } {
  const o = url.searchParams.get('o') ?? ''
  const descending = o.startsWith('-')
  const key = (descending ? o.slice(1) : o) as K
  if (allowed.includes(key)) return { key, descending, param: o }
  return { key: allowed[0] as K, descending: true, param: null }
}

/** The start of the chosen attempt-time filter, in UTC. */
function sinceOf(filter: string | null, now: number): number | null {
  const d = new Date(now)
  const day = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate())
  if (filter === 'today') return day
  if (filter === '7d') return now - 7 * 86_400_000
  if (filter === 'month') return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1)
  if (filter === 'year') return Date.UTC(d.getUTCFullYear(), 0, 1)
  return null
}

/** The notice after an action (`?done=deleted:3`), in django-axes' words. */
function doneNotice(url: URL): { kind: 'notice'; text: string }[] {
  const match = /^(deleted|cleaned):(\d{1,9})$/.exec(url.searchParams.get('done') ?? '')
  if (!match) return []
  const n = Number(match[2])
  if (n === 0) return [{ kind: 'notice', text: 'No attempts found.' }]
  const noun = `${n} attempt${n === 1 ? '' : 's'}`
  return [
    {
      kind: 'notice',
      text: match[1] === 'deleted' ? `${noun} removed.` : `${noun} removed (expired).`,
    },
  ]
}

// ----- data, with the fallbacks for handlers that cannot query

type AttemptSource = 'query' | 'list' | 'none'

function attemptSource(axes: Axes): AttemptSource {
  if (typeof axes.handler.queryAttempts === 'function') return 'query'
  if (typeof axes.handler.listAttempts === 'function') return 'list'
  return 'none'
}

async function cleanup(axes: Axes): Promise<number> {
  if (typeof axes.handler.cleanExpiredAttempts !== 'function') {
    throw new HttpProblem(501, `The ${axes.handler.name} handler cannot clean up expired attempts.`)
  }
  return axes.cleanExpiredAttempts()
}

// ----- pages

/**
 * What a list page reads from its URL (search, filters, sort, page), the query it makes of them,
 * and links that change one of them.
 */
function listState<K extends string>(
  ctx: PageContext,
  url: URL,
  pageSize: number,
  sorts: readonly K[],
  target: string,
  withLocked: boolean,
) {
  const params = url.searchParams
  const search = (params.get('q') ?? '').slice(0, 255)
  const lockedParam = withLocked ? params.get('locked') : null
  const time = params.get('time')
  const path = params.get('path')
  const sort = sortOf(url, sorts)
  const pageNo = pageNumber(url)
  const query = {
    search,
    lockedOut: lockedParam === 'yes' ? true : lockedParam === 'no' ? false : null,
    since: sinceOf(time, ctx.now),
    path: path || null,
    sort: sort.key,
    descending: sort.descending,
    offset: (pageNo - 1) * pageSize,
    limit: pageSize,
  }
  /** The parameters other than the search and the page, kept by the search form. */
  const keep: Record<string, string | null> = { locked: lockedParam, time, path, o: sort.param }
  const current: Record<string, string | null> = { q: search, ...keep }
  const link = (changes: Record<string, string | number | null>) =>
    href(ctx, target, { ...current, ...changes })
  const filterOption = (key: string, value: string, label: string) => ({
    label,
    url: link({ [key]: value || null, p: null }),
    current: (current[key] ?? '') === value,
  })
  return { search, keep, sort, pageNo, query, link, filterOption }
}

async function overview(ctx: PageContext, axes: Axes, url: URL): Promise<Response> {
  const rangeKey = url.searchParams.get('range') ?? '7d'
  const range = RANGES[rangeKey] ?? (RANGES['7d'] as (typeof RANGES)[string])
  const chosen = RANGES[rangeKey] ? rangeKey : '7d'
  const source = attemptSource(axes)
  const now = ctx.now
  const since = Math.floor(now / range.stepMs) * range.stepMs - (range.steps - 1) * range.stepMs
  const statsQuery = { since, stepMs: range.stepMs, steps: range.steps, top: 10 }
  let stats: AttemptStats | null = null
  const notes: { kind: 'notice' | 'warning'; text: string }[] = []
  if (typeof axes.handler.attemptStats === 'function') stats = await axes.attemptStats(statsQuery)
  else if (source !== 'none') {
    const details = detailsOfSnapshots(await axes.listAttempts({ limit: FALLBACK_LIMIT }))
    stats = statsOfAttempts(details, {
      ...statsQuery,
      now,
      rule: axes.listingRule(),
      fromFailureLog: false,
    })
    notes.push({
      kind: 'warning',
      text: `The ${axes.handler.name} handler can only list its latest ${FALLBACK_LIMIT} attempts; these figures are drawn from them.`,
    })
  }
  if (stats === null) {
    return page(
      200,
      ctx,
      'overview',
      'Overview',
      notices([
        {
          kind: 'warning',
          text: `The ${axes.handler.name} handler keeps no attempts that can be listed.`,
        },
      ]),
    )
  }
  let lockouts: AttemptDetail[] = []
  if (source === 'query') {
    // Without one rule a handler cannot filter on lockouts; keep only what it reports locked.
    lockouts = (
      await axes.queryAttempts({ lockedOut: true, offset: 0, limit: 20, sort: 'attemptTime' })
    ).rows.filter((a) => a.lockedUntil !== null && a.lockedUntil > now)
  }
  const stepLabel = (start: number) =>
    range.stepMs >= 86_400_000
      ? new Date(start).toISOString().slice(0, 10)
      : new Date(start).toISOString().slice(0, 16).replace('T', ' ')
  const topTable = (
    title: string,
    field: 'IP address' | 'Username',
    rows: AttemptStats['topIps'],
  ) =>
    html`<section><h2>${title}</h2><table><thead><tr><th scope="col">${field}</th><th scope="col">Failures</th></tr></thead><tbody>${
      rows.length === 0
        ? html`<tr><td colspan="2" class="muted">None.</td></tr>`
        : rows.map(
            (r) =>
              html`<tr><td>${r.value === null ? html`<span class="muted">—</span>` : html`<a href="${href(ctx, '/attempts', { q: r.value })}">${r.value}</a>`}</td><td class="num">${r.failures}</td></tr>`,
          )
    }</tbody></table></section>`
  const rangeLinks = html`<p>${Object.entries(RANGES).map(([key, r], i) =>
    key === chosen
      ? html`${i > 0 ? ' · ' : ''}<strong>${r.label}</strong>`
      : html`${i > 0 ? ' · ' : ''}<a href="${href(ctx, '/', { range: key })}">${r.label}</a>`,
  )}</p>`
  const body = html`${notices(notes)}
<div class="cards">
<div class="card"><b>${stats.attempts}</b>stored attempts</div>
<div class="card"><b class="${stats.lockedOut ? 'locked' : ''}">${stats.lockedOut ?? '—'}</b>locked out now</div>
<div class="card"><b>${stats.series.reduce((a, b) => a + b, 0)}</b>failures, ${range.label.toLowerCase()}</div>
</div>
<h2>Failures over time</h2>${rangeLinks}
${chart(stats, since, range.stepMs, stepLabel)}
<p class="muted">${
    stats.source === 'failureLog'
      ? 'From the access failure log: one per failed login.'
      : 'From the stored attempts: each attempt’s failures at the time of its latest failure (turn on enableAccessFailureLog for one count per failed login).'
  }</p>
<div class="grid">
<section><h2>Current lockouts</h2>${
    source === 'query'
      ? html`<table><thead><tr><th scope="col">IP address</th><th scope="col">Username</th><th scope="col">Failures</th><th scope="col">Until</th></tr></thead><tbody>${
          lockouts.length === 0
            ? html`<tr><td colspan="4" class="muted">Nobody is locked out.</td></tr>`
            : lockouts.map(
                (a) =>
                  html`<tr><td class="nowrap">${cell(a.ipAddress)}</td><td>${cell(a.username)}</td><td class="num"><a href="${href(ctx, `/attempts/${encodeId(a.id)}`)}">${a.failures}</a></td><td>${formatTime(a.lockedUntil)}</td></tr>`,
              )
        }</tbody></table><p><a href="${href(ctx, '/attempts', { locked: 'yes' })}">All lockouts</a></p>`
      : html`<p class="muted">See Access attempts.</p>`
  }</section>
${topTable('Top IP addresses', 'IP address', stats.topIps)}
${topTable('Top usernames', 'Username', stats.topUsernames)}
</div>`
  return page(200, ctx, 'overview', 'Overview', body)
}

async function attemptsPage(
  ctx: PageContext,
  axes: Axes,
  url: URL,
  pageSize: number,
): Promise<Response> {
  const source = attemptSource(axes)
  if (source === 'none') {
    return page(
      200,
      ctx,
      'attempts',
      'Access attempts',
      notices([
        {
          kind: 'warning',
          text: `The ${axes.handler.name} handler keeps no attempts that can be listed.`,
        },
      ]),
    )
  }
  const list = listState(ctx, url, pageSize, ATTEMPT_SORTS, '/attempts', true)
  const { query, sort, link, filterOption } = list
  const rule = axes.listingRule()
  const notes: { kind: 'notice' | 'warning'; text: string }[] = doneNotice(url)
  let result: QueryPage<AttemptDetail>
  if (source === 'query') result = await axes.queryAttempts(query)
  else {
    const details = detailsOfSnapshots(await axes.listAttempts({ limit: FALLBACK_LIMIT }))
    result = pageOfAttempts(details, { ...query, now: ctx.now, rule })
    notes.push({
      kind: 'warning',
      text: `The ${axes.handler.name} handler can only list its latest ${FALLBACK_LIMIT} attempts, without details: no detail view and no deleting by selection here (use reset).`,
    })
  }
  if (query.lockedOut !== null && rule === null) {
    notes.push({
      kind: 'warning',
      text: 'The failure limit or the cool-off depends on the request, so the locked-out filter cannot judge stored attempts.',
    })
  }
  const sidebar = filterBar([
    {
      title: 'By locked out',
      options: [
        filterOption('locked', '', 'All'),
        filterOption('locked', 'yes', 'Yes'),
        filterOption('locked', 'no', 'No'),
      ],
    },
    { title: 'By attempt time', options: TIME_FILTERS.map(([v, l]) => filterOption('time', v, l)) },
    {
      title: 'By path',
      options: [
        filterOption('path', '', 'All'),
        ...result.paths.map((p) => filterOption('path', p, p)),
      ],
    },
  ])
  const withExpiration = axes.options.useAttemptExpiration
  const columns: Column[] = [
    { key: 'attemptTime', label: 'Attempt time' },
    { key: 'ipAddress', label: 'IP address' },
    { key: 'userAgent', label: 'User agent' },
    { key: 'username', label: 'Username' },
    { key: 'pathInfo', label: 'Path' },
    { key: 'failures', label: 'Failures' },
    { key: null, label: 'Status' },
    ...(withExpiration ? [{ key: null, label: 'Expiration' }] : []),
  ]
  const selectable = source === 'query' && typeof axes.handler.deleteAttempts === 'function'
  const rows = result.rows.map((a) => {
    const detailUrl = href(ctx, `/attempts/${encodeId(a.id)}`)
    return html`<tr>${
      selectable
        ? html`<td><input type="checkbox" name="id" value="${encodeId(a.id)}" aria-label="Select attempt ${encodeId(a.id)}"></td>`
        : ''
    }<td class="nowrap">${source === 'query' ? html`<a href="${detailUrl}">${formatTime(a.attemptTime)}</a>` : formatTime(a.attemptTime)}</td><td class="nowrap">${cell(a.ipAddress)}</td><td>${cell(a.userAgent)}</td><td>${cell(a.username)}</td><td>${cell(a.pathInfo)}</td><td class="num">${a.failures}</td><td>${attemptStatus(a, rule, ctx.now)}</td>${
      withExpiration ? html`<td>${formatTime(a.expiresAt)}</td>` : ''
    }</tr>`
  })
  const colspan = columns.length + (selectable ? 1 : 0)
  const table = html`<table>${tableHead(
    columns,
    sort,
    (o) => link({ o, p: null }),
    selectable ? html`<th scope="col"><span class="muted">Select</span></th>` : null,
  )}<tbody>${rows.length === 0 ? html`<tr><td colspan="${colspan}" class="muted">No attempts found.</td></tr>` : rows}</tbody></table>`
  const canClean = typeof axes.handler.cleanExpiredAttempts === 'function'
  const body = html`${notices(notes)}
${searchForm(href(ctx, '/attempts'), list.search, list.keep)}
<div class="layout"><div class="content">
${
  selectable
    ? html`<form method="post" action="${href(ctx, '/attempts/delete')}">${csrfField(ctx)}
<div class="actions"><button type="submit" name="action" value="delete">Delete selected attempts</button></div>
${table}</form>`
    : table
}
${pagination(result.total, list.pageNo, pageSize, (p) => link({ p }), 'attempt')}
${
  canClean
    ? html`<form method="post" action="${href(ctx, '/attempts/cleanup')}">${csrfField(ctx)}<div class="actions"><button type="submit">Clean up expired attempts</button></div></form>`
    : ''
}
</div>${sidebar}</div>`
  return page(200, ctx, 'attempts', 'Access attempts', body)
}

async function attemptPage(ctx: PageContext, axes: Axes, id: string): Promise<Response> {
  if (typeof axes.handler.getAttempt !== 'function') {
    return page(
      404,
      ctx,
      'attempts',
      'Access attempt',
      notices([
        { kind: 'warning', text: `The ${axes.handler.name} handler cannot show one attempt.` },
      ]),
    )
  }
  const a = await axes.getAttempt(id)
  if (a === null) {
    return page(
      404,
      ctx,
      'attempts',
      'Access attempt',
      html`${notices([{ kind: 'warning', text: 'No such attempt (it may have been reset or expired).' }])}<p><a href="${href(ctx, '/attempts')}">Back to access attempts</a></p>`,
    )
  }
  const rule = axes.listingRule()
  const pre = (value: string | null) =>
    value === null
      ? html`<span class="muted">not kept by the ${axes.handler.name} handler</span>`
      : html`<pre>${value}</pre>`
  const body = html`<dl>
<dt>Username</dt><dd>${cell(a.username)}</dd>
<dt>Path</dt><dd>${cell(a.pathInfo)}</dd>
<dt>Failures</dt><dd>${a.failures}</dd>
<dt>Status</dt><dd>${attemptStatus(a, rule, ctx.now)}</dd>
<dt>Attempt time</dt><dd>${formatTime(a.attemptTime)}</dd>
<dt>Expiration</dt><dd>${formatTime(a.expiresAt)}</dd>
</dl>
<h2>Form data</h2><dl>
<dt>GET data</dt><dd>${pre(a.getData)}</dd>
<dt>POST data</dt><dd>${pre(a.postData)}</dd>
</dl>
<h2>Meta data</h2><dl>
<dt>User agent</dt><dd>${cell(a.userAgent)}</dd>
<dt>IP address</dt><dd>${cell(a.ipAddress)}</dd>
<dt>HTTP accept</dt><dd>${cell(a.httpAccept)}</dd>
</dl>
${
  typeof axes.handler.deleteAttempts === 'function'
    ? html`<form method="post" action="${href(ctx, '/attempts/delete')}">${csrfField(ctx)}<input type="hidden" name="id" value="${encodeId(a.id)}"><div class="actions"><button type="submit" name="action" value="delete">Delete this attempt</button></div></form>`
    : ''
}
<p><a href="${href(ctx, '/attempts')}">Back to access attempts</a></p>`
  return page(200, ctx, 'attempts', 'Access attempt', body)
}

/** "Delete selected": a confirmation page first (as Django's admin asks), then the reset. */
async function deleteSelected(
  ctx: PageContext,
  axes: Axes,
  form: URLSearchParams,
): Promise<Response> {
  if (typeof axes.handler.deleteAttempts !== 'function') {
    throw new HttpProblem(501, `The ${axes.handler.name} handler cannot delete attempts by id.`)
  }
  const ids = [
    ...new Set(
      form
        .getAll('id')
        .filter((id) => id.length > 0 && id.length <= 4096)
        .map(decodeId),
    ),
  ].slice(0, 1000)
  if (ids.length === 0) {
    return page(
      200,
      ctx,
      'attempts',
      'Delete attempts',
      html`${notices([{ kind: 'warning', text: 'Select the attempts to delete first.' }])}<p><a href="${href(ctx, '/attempts')}">Back to access attempts</a></p>`,
    )
  }
  if (form.get('confirm') === 'yes') {
    const removed = await axes.deleteAttempts(ids)
    return redirect(href(ctx, '/attempts', { done: `deleted:${removed}` }))
  }
  const found = (await Promise.all(ids.map((id) => axes.getAttempt(id)))).filter(
    (a): a is AttemptDetail => a !== null,
  )
  const body = html`<p>Delete these ${found.length} attempt${found.length === 1 ? '' : 's'}? Their failures are reset: a locked-out client may log in again.</p>
<table><thead><tr><th scope="col">Attempt time</th><th scope="col">IP address</th><th scope="col">Username</th><th scope="col">User agent</th><th scope="col">Failures</th></tr></thead><tbody>${found.map(
    (a) =>
      html`<tr><td>${formatTime(a.attemptTime)}</td><td>${cell(a.ipAddress)}</td><td>${cell(a.username)}</td><td>${cell(a.userAgent)}</td><td class="num">${a.failures}</td></tr>`,
  )}</tbody></table>
<form method="post" action="${href(ctx, '/attempts/delete')}">${csrfField(ctx)}<input type="hidden" name="confirm" value="yes">${found.map(
    (a) => html`<input type="hidden" name="id" value="${encodeId(a.id)}">`,
  )}<div class="actions"><button type="submit" class="danger">Yes, delete</button> <a href="${href(ctx, '/attempts')}">No, take me back</a></div></form>`
  return page(200, ctx, 'attempts', 'Delete attempts', body)
}

async function logsPage(
  ctx: PageContext,
  axes: Axes,
  url: URL,
  pageSize: number,
  section: 'logs' | 'failureLogs',
): Promise<Response> {
  const failures = section === 'failureLogs'
  const heading = failures ? 'Access failure logs' : 'Access logs'
  const supported = failures
    ? typeof axes.handler.queryFailureLogs === 'function'
    : typeof axes.handler.queryAccessLogs === 'function'
  if (!supported) {
    return page(
      200,
      ctx,
      section,
      heading,
      notices([
        {
          kind: 'warning',
          text: `The ${axes.handler.name} handler keeps no ${failures ? 'access failure logs' : 'access logs'}.`,
        },
      ]),
    )
  }
  const target = failures ? '/failure-logs' : '/logs'
  const list = listState(ctx, url, pageSize, LOG_SORTS, target, failures)
  const { query, sort, link, filterOption } = list
  const result = failures ? await axes.queryFailureLogs(query) : await axes.queryAccessLogs(query)
  const notes: { kind: 'notice' | 'warning'; text: string }[] = []
  if (failures && !axes.options.enableAccessFailureLog) {
    notes.push({
      kind: 'notice',
      text: 'Access failure logging is off (enableAccessFailureLog: false): no new rows are written.',
    })
  }
  if (!failures && axes.options.disableAccessLog) {
    notes.push({
      kind: 'notice',
      text: 'Access logging is off (disableAccessLog: true): no new rows are written.',
    })
  }
  const groups = [
    { title: 'By attempt time', options: TIME_FILTERS.map(([v, l]) => filterOption('time', v, l)) },
    ...(failures
      ? [
          {
            title: 'By locked out',
            options: [
              filterOption('locked', '', 'All'),
              filterOption('locked', 'yes', 'Yes'),
              filterOption('locked', 'no', 'No'),
            ],
          },
        ]
      : []),
    {
      title: 'By path',
      options: [
        filterOption('path', '', 'All'),
        ...result.paths.map((p) => filterOption('path', p, p)),
      ],
    },
  ]
  const columns: Column[] = failures
    ? [
        { key: 'attemptTime', label: 'Attempt time' },
        { key: 'ipAddress', label: 'IP address' },
        { key: 'username', label: 'Username' },
        { key: 'userAgent', label: 'User agent' },
        { key: 'pathInfo', label: 'Path' },
        { key: null, label: 'Locked out' },
      ]
    : [
        { key: 'attemptTime', label: 'Attempt time' },
        { key: null, label: 'Logout time' },
        { key: 'ipAddress', label: 'IP address' },
        { key: 'username', label: 'Username' },
        { key: 'userAgent', label: 'User agent' },
        { key: 'pathInfo', label: 'Path' },
      ]
  const rows = failures
    ? failureLogRows(result.rows as Parameters<typeof failureLogRows>[0])
    : accessLogRows(result.rows as Parameters<typeof accessLogRows>[0])
  const body = html`${notices(notes)}
${searchForm(href(ctx, target), list.search, list.keep)}
<div class="layout"><div class="content">
<table>${tableHead(columns, sort, (o) => link({ o, p: null }))}<tbody>${
    result.rows.length === 0
      ? html`<tr><td colspan="${columns.length}" class="muted">No logs found.</td></tr>`
      : rows
  }</tbody></table>
${pagination(result.total, list.pageNo, pageSize, (p) => link({ p }), 'log')}
</div>${filterBar(groups)}</div>`
  return page(200, ctx, section, heading, body)
}
