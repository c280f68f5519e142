/**
 * The "Locked out now" page: every lock in force, by what it locks (IP, username, the pair, ...),
 * since and until when, the failures that count toward it and where they came from, each with an
 * Unlock button that lifts exactly that lock (a CSRF-protected POST); and the locks the attempts
 * pages judge each row's status by.
 */

import type { Axes } from '../../compose/axes.js'
import { lockedOut, unlock } from '../../core/locks.js'
import type { ActiveLock, LockSource, UnlockResult } from '../../ground/contract-locks.js'
import { lockedValues as inWords } from '../../ground/lock-words.js'
import { html, type SafeHtml } from '../html.js'
import { decodeId, encodeId } from '../http/ids.js'
import { HttpProblem, page, redirect } from '../http/responses.js'
import { cell, csrfField, formatTime, notices, userCell } from './components.js'
import { href, type PageContext } from './layout.js'

/**
 * What a lock locks, in words: `IP 10.0.0.1, username alice`, `source 203.0.113.9 (4 usernames)`,
 * `device 3f2a9c1b… of username alice` (escaped where it is shown).
 */
export function lockedValues(lock: Pick<ActiveLock, 'kind' | 'fields' | 'usernames'>): string {
  return inWords(lock)
}

/** The locks in force, or null when the handler cannot list them (or not with these options). */
export async function locksInForce(axes: Axes): Promise<ActiveLock[] | null> {
  if (!axes.capabilities.locks && !axes.capabilities.buckets) return null
  try {
    return await lockedOut(axes)
  } catch {
    return null
  }
}

/** The notice after an unlock (`?done=unlocked:2&what=…`). */
function doneNotice(url: URL): { kind: 'notice'; text: string }[] {
  const match = /^unlocked:(\d{1,9})$/.exec(url.searchParams.get('done') ?? '')
  if (!match) return []
  const n = Number(match[1])
  const what = (url.searchParams.get('what') ?? '').slice(0, 300)
  const removed = `${n} attempt${n === 1 ? '' : 's'} removed`
  return [
    {
      kind: 'notice',
      text:
        what === '' ? `No such lock was in force: ${removed}.` : `Unlocked ${what}: ${removed}.`,
    },
  ]
}

function sourceList(lock: ActiveLock): SafeHtml {
  if (lock.kind === 'source') {
    return html`<span class="muted">Spray detection: failed on ${lock.usernames ?? 0} distinct usernames within its window.</span>`
  }
  return html`<ul class="sources">${lock.sources.map(
    (s: LockSource) =>
      html`<li><span class="num">${s.failures}</span> from ${cell(s.ipAddress)} · ${userCell(s.username)} · ${cell(s.userAgent)}${
        s.pathInfo === null ? '' : html` · ${s.pathInfo}`
      } <span class="muted">(last ${formatTime(s.attemptTime)})</span></li>`,
  )}</ul>`
}

/** The Locked out page (`/locks`). */
export async function locksPage(ctx: PageContext, axes: Axes, url: URL): Promise<Response> {
  if (!axes.capabilities.locks && !axes.capabilities.buckets) {
    const text = `The ${axes.handler.name} handler cannot list the locks in force.`
    return page(200, ctx, 'locks', 'Locked out now', notices([{ kind: 'warning', text }]))
  }
  const locks = await lockedOut(axes)
  const rows = locks.map(
    (lock) =>
      html`<tr><td class="nowrap">${lock.kind}</td><td>${lockedValues(lock)}</td><td class="nowrap">${formatTime(lock.since)}</td><td class="nowrap">${formatTime(lock.until)}</td><td class="num nowrap">${lock.kind === 'source' ? `${lock.usernames ?? 0} usernames` : lock.failures}</td><td>${sourceList(lock)}</td><td class="nowrap"><form method="post" action="${href(ctx, '/locks/unlock')}">${csrfField(ctx)}<input type="hidden" name="id" value="${encodeId(lock.id)}"><button type="submit" class="danger" aria-label="Unlock ${lockedValues(lock)}">Unlock</button></form></td></tr>`,
  )
  const body = html`${notices(doneNotice(url))}
<p class="muted">Every lock in force now. Unlock removes exactly what keeps that lock in place: every stored attempt that counts toward it, from every user agent; for a source locked by spray detection, what it counts; for a trusted device, its own failures.</p>
<table><thead><tr><th scope="col">Kind</th><th scope="col">Locks</th><th scope="col">Since</th><th scope="col">Until</th><th scope="col">Failures</th><th scope="col">Where they came from</th><th scope="col"><span class="muted">Unlock</span></th></tr></thead><tbody>${
    rows.length === 0
      ? html`<tr><td colspan="7" class="muted">No one is locked out.</td></tr>`
      : rows
  }</tbody></table>`
  return page(200, ctx, 'locks', 'Locked out now', body)
}

/** Unlock (POST `/locks/unlock`, CSRF checked by the caller): lifts the lock, then back to the list. */
export async function unlockAction(
  ctx: PageContext,
  axes: Axes,
  form: URLSearchParams,
): Promise<Response> {
  const token = form.get('id') ?? ''
  if (token === '' || token.length > 4096) throw new HttpProblem(400, 'No lock to unlock.')
  let result: UnlockResult
  try {
    result = await unlock(axes, decodeId(token))
  } catch (error) {
    if ((error as { code?: unknown }).code === 'AXES_INVALID_ARGUMENT') {
      throw new HttpProblem(400, 'Not a lock id.')
    }
    throw error
  }
  const what = result.lock ? `the ${result.lock.kind} lock on ${lockedValues(result.lock)}` : ''
  return redirect(href(ctx, '/locks', { done: `unlocked:${result.removed}`, what }))
}
