/**
 * One access attempt's page: django-axes' change view of an attempt, read-only, with its form and
 * meta data and a delete button.
 */

import type { Axes } from '../../compose/axes.js'
import { html } from '../html.js'
import { encodeId } from '../http/ids.js'
import { page } from '../http/responses.js'
import { canBrowse } from './attempt-source.js'
import { attemptStatus, cell, csrfField, formatTime, notices, userCell } from './components.js'
import { href, type PageContext } from './layout.js'
import { locksInForce } from './locks.js'

/** One attempt's page (`/attempts/<id>`). */
export async function attemptPage(ctx: PageContext, axes: Axes, id: string): Promise<Response> {
  if (!canBrowse(axes)) {
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
  const locks = await locksInForce(axes)
  const pre = (value: string | null) =>
    value === null
      ? html`<span class="muted">not kept by the ${axes.handler.name} handler</span>`
      : html`<pre>${value}</pre>`
  const body = html`<dl>
<dt>Username</dt><dd>${userCell(a.username)}</dd>
<dt>Path</dt><dd>${cell(a.pathInfo)}</dd>
<dt>Failures</dt><dd>${a.failures}</dd>
<dt>Status</dt><dd>${attemptStatus(a, rule, ctx.now, locks)}</dd>
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
  canBrowse(axes)
    ? html`<form method="post" action="${href(ctx, '/attempts/delete')}">${csrfField(ctx)}<input type="hidden" name="id" value="${encodeId(a.id)}"><div class="actions"><button type="submit" name="action" value="delete">Delete this attempt</button></div></form>`
    : ''
}
<p><a href="${href(ctx, '/attempts')}">Back to access attempts</a></p>`
  return page(200, ctx, 'attempts', 'Access attempt', body)
}
