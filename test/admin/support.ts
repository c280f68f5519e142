// Helpers for the admin tests: a real node:http server around the admin, a cookie-keeping client,
// and login attempts recorded through the engine as an application would.

import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Axes, AxesRequest } from 'node-axes'
import { type AdminOptions, createAdminHandler, toNodeListener } from 'node-axes/admin'

export const BASE = '/admin/axes'
export const DEMO_COOKIE = 'demo_staff=yes'

/** A running admin on a free loopback port. */
export interface AdminServer {
  readonly url: string
  readonly server: Server
  /** How many times `authorize` ran. */
  authorizations: number
  close(): Promise<void>
}

/** Serves the admin for `axes`; authorize lets through requests with the demo cookie. */
export async function serveAdmin(
  axes: Axes,
  options: Partial<AdminOptions> = {},
): Promise<AdminServer> {
  const state = { authorizations: 0 }
  const admin = createAdminHandler({
    axes,
    basePath: BASE,
    authorize: (request) => {
      state.authorizations++
      return (request.headers.get('cookie') ?? '').includes(DEMO_COOKIE)
    },
    ...options,
  })
  const server = createServer(toNodeListener(admin))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    get authorizations() {
      return state.authorizations
    },
    set authorizations(value: number) {
      state.authorizations = value
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

/** A browser-like client: keeps the CSRF cookie, sends the demo login cookie. */
export class Client {
  cookies = new Map<string, string>([['demo_staff', 'yes']])

  constructor(readonly base: string) {}

  cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ')
  }

  async request(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers)
    if (!headers.has('cookie')) headers.set('cookie', this.cookieHeader())
    const response = await fetch(`${this.base}${path}`, { ...init, headers, redirect: 'manual' })
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';')
      const eq = (pair ?? '').indexOf('=')
      if (eq > 0) this.cookies.set((pair as string).slice(0, eq), (pair as string).slice(eq + 1))
    }
    return response
  }

  async get(path: string): Promise<{ status: number; text: string; response: Response }> {
    const response = await this.request(path)
    return { status: response.status, text: await response.text(), response }
  }

  /** POSTs a urlencoded form. */
  async post(
    path: string,
    form: [string, string][],
    headers: Record<string, string> = {},
  ): Promise<{ status: number; text: string; response: Response }> {
    const response = await this.request(path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams(form).toString(),
    })
    return { status: response.status, text: await response.text(), response }
  }

  /** The CSRF token of a page's forms. */
  static token(page: string): string {
    const match = /name="csrf" value="([^"]+)"/.exec(page)
    if (!match) throw new Error('no CSRF field on the page')
    return match[1] as string
  }
}

/** A login request as an adapter builds it. */
export function loginRequest(spec: {
  ip: string
  username: string
  userAgent?: string
  path?: string
  query?: Record<string, string>
}): AxesRequest {
  return {
    method: 'POST',
    path: spec.path ?? '/login',
    headers: { 'user-agent': spec.userAgent ?? 'Mozilla/5.0 test', accept: 'text/html' },
    socketAddress: spec.ip,
    query: spec.query ?? {},
    body: { username: spec.username, password: 'wrong-secret' },
  }
}

/** Records `times` failed logins. */
export async function fail(
  axes: Axes,
  spec: Parameters<typeof loginRequest>[0],
  times = 1,
): Promise<void> {
  for (let i = 0; i < times; i++) {
    const request = loginRequest(spec)
    await axes.loginFailed(request, { username: spec.username, password: 'wrong-secret' })
  }
}

/** The ids of the rows' selection boxes on an attempts page. */
export function selectedIds(page: string): string[] {
  return [...page.matchAll(/name="id" value="([^"]+)"/g)].map((m) => decodeEntities(m[1] as string))
}

/** Undoes escapeHtml's entities (for values read back from attributes). */
export function decodeEntities(text: string): string {
  return text
    .replace(/&#(\d+);/g, (_, n) => String.fromCodePoint(Number(n)))
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
}
