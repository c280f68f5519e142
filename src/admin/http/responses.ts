/**
 * The admin's responses: security headers on every one (a Content-Security-Policy that allows only
 * the page's own style sheet), plain-text answers, whole pages, redirects, and `HttpProblem`, an
 * error answered as plain text with its status.
 */

import type { SafeHtml } from '../html.js'
import { CSS_HASH, layout, type PageContext, type Section } from '../pages/layout.js'

/** An error the admin answers as plain text with its HTTP status (415, 413, 404, 501). */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message)
  }
}

/** The headers of every admin response, with `extra` added. */
export function securityHeaders(extra: Record<string, string> = {}): Headers {
  return new Headers({
    'content-security-policy': `default-src 'none'; style-src ${CSS_HASH}; img-src data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'same-origin',
    'cache-control': 'no-store',
    ...extra,
  })
}

/** A plain-text answer. */
export function plain(status: number, text: string, extra: Record<string, string> = {}): Response {
  return new Response(text, {
    status,
    headers: securityHeaders({ 'content-type': 'text/plain; charset=utf-8', ...extra }),
  })
}

/** A whole page, in the layout with its navigation. */
export function page(
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

/** A 303 redirect (after a POST). */
export function redirect(location: string): Response {
  return new Response(null, { status: 303, headers: securityHeaders({ location }) })
}
