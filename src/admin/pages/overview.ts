/**
 * The overview page: stored attempts, current lockouts and failures over time (24 hours, 7 or 30
 * days), with the top IP addresses and usernames.
 */

import type { Axes } from '../../compose/axes.js'
import type { AttemptDetail, AttemptStats } from '../../ground/contract-browsing.js'
import { readableUsername } from '../../ground/devices.js'
import { detailsOfSnapshots, statsOfAttempts } from '../../handlers/query.js'
import { html } from '../html.js'
import { encodeId } from '../http/ids.js'
import { page } from '../http/responses.js'
import {
  attemptSource,
  attemptStatsOf,
  canBrowse,
  FALLBACK_LIMIT,
  queryAttemptsOf,
} from './attempt-source.js'
import { chart } from './chart.js'
import { cell, formatTime, notices, userCell } from './components.js'
import { href, type PageContext } from './layout.js'

const RANGES: Record<string, { label: string; steps: number; stepMs: number }> = {
  '24h': { label: 'Past 24 hours', steps: 24, stepMs: 3_600_000 },
  '7d': { label: 'Past 7 days', steps: 28, stepMs: 6 * 3_600_000 },
  '30d': { label: 'Past 30 days', steps: 30, stepMs: 86_400_000 },
}

/** The overview page (`/`). */
export async function overview(ctx: PageContext, axes: Axes, url: URL): Promise<Response> {
  const rangeKey = url.searchParams.get('range') ?? '7d'
  const range = RANGES[rangeKey] ?? (RANGES['7d'] as (typeof RANGES)[string])
  const chosen = RANGES[rangeKey] ? rangeKey : '7d'
  const source = attemptSource(axes)
  const now = ctx.now
  const since = Math.floor(now / range.stepMs) * range.stepMs - (range.steps - 1) * range.stepMs
  const statsQuery = { since, stepMs: range.stepMs, steps: range.steps, top: 10 }
  let stats: AttemptStats | null = null
  const notes: { kind: 'notice' | 'warning'; text: string }[] = []
  if (canBrowse(axes)) stats = await attemptStatsOf(axes, statsQuery, now)
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
      await queryAttemptsOf(
        axes,
        { lockedOut: true, offset: 0, limit: 20, sort: 'attemptTime' },
        now,
      )
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
              html`<tr><td>${r.value === null ? html`<span class="muted">—</span>` : html`<a href="${href(ctx, '/attempts', { q: r.value })}">${readableUsername(r.value)}</a>`}</td><td class="num">${r.failures}</td></tr>`,
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
                  html`<tr><td class="nowrap">${cell(a.ipAddress)}</td><td>${userCell(a.username)}</td><td class="num"><a href="${href(ctx, `/attempts/${encodeId(a.id)}`)}">${a.failures}</a></td><td>${formatTime(a.lockedUntil)}</td></tr>`,
              )
        }</tbody></table><p><a href="${href(ctx, '/attempts', { locked: 'yes' })}">All lockouts</a></p>`
      : html`<p class="muted">See Access attempts.</p>`
  }</section>
${topTable('Top IP addresses', 'IP address', stats.topIps)}
${topTable('Top usernames', 'Username', stats.topUsernames)}
</div>`
  return page(200, ctx, 'overview', 'Overview', body)
}
