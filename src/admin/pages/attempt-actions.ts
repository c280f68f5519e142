/**
 * The POST actions on access attempts: "Delete selected" (a confirmation page first, as Django's
 * admin asks, then the reset) and "Clean up expired attempts".
 */

import type { Axes } from '../../compose/axes.js'
import type { AttemptDetail } from '../../ground/contract-browsing.js'
import { html } from '../html.js'
import { decodeId, encodeId } from '../http/ids.js'
import { HttpProblem, page, redirect } from '../http/responses.js'
import { canBrowse } from './attempt-source.js'
import { cell, csrfField, formatTime, notices, userCell } from './components.js'
import { href, type PageContext } from './layout.js'

/** "Clean up expired attempts": how many were removed. */
export async function cleanup(axes: Axes): Promise<number> {
  if (!canBrowse(axes)) {
    throw new HttpProblem(501, `The ${axes.handler.name} handler cannot clean up expired attempts.`)
  }
  return axes.cleanExpiredAttempts()
}

/** "Delete selected": a confirmation page first (as Django's admin asks), then the reset. */
export async function deleteSelected(
  ctx: PageContext,
  axes: Axes,
  form: URLSearchParams,
): Promise<Response> {
  if (!canBrowse(axes)) {
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
      html`<tr><td>${formatTime(a.attemptTime)}</td><td>${cell(a.ipAddress)}</td><td>${userCell(a.username)}</td><td>${cell(a.userAgent)}</td><td class="num">${a.failures}</td></tr>`,
  )}</tbody></table>
<form method="post" action="${href(ctx, '/attempts/delete')}">${csrfField(ctx)}<input type="hidden" name="confirm" value="yes">${found.map(
    (a) => html`<input type="hidden" name="id" value="${encodeId(a.id)}">`,
  )}<div class="actions"><button type="submit" class="danger">Yes, delete</button> <a href="${href(ctx, '/attempts')}">No, take me back</a></div></form>`
  return page(200, ctx, 'attempts', 'Delete attempts', body)
}
