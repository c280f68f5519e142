/**
 * The access attempts page: django-axes' "Access attempts" list, searchable, filtered by lockout,
 * time and path, sortable, with "Delete selected" and "Clean up expired attempts".
 */

import type { Axes } from '../../compose/axes.js'
import type { AttemptDetail, AttemptSortKey, QueryPage } from '../../ground/contract-browsing.js'
import { detailsOfSnapshots, pageOfAttempts } from '../../handlers/query.js'
import { html } from '../html.js'
import { encodeId } from '../http/ids.js'
import { page } from '../http/responses.js'
import { attemptSource, canBrowse, FALLBACK_LIMIT, queryAttemptsOf } from './attempt-source.js'
import {
  attemptStatus,
  type Column,
  cell,
  csrfField,
  filterBar,
  formatTime,
  notices,
  pagination,
  searchForm,
  tableHead,
  userCell,
} from './components.js'
import { href, type PageContext } from './layout.js'
import { listState, TIME_FILTERS } from './list-state.js'
import { locksInForce } from './locks.js'

const ATTEMPT_SORTS: readonly AttemptSortKey[] = [
  'attemptTime',
  'ipAddress',
  'userAgent',
  'username',
  'pathInfo',
  'failures',
]

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

/** The access attempts page (`/attempts`). */
export async function attemptsPage(
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
  const locks = await locksInForce(axes)
  const notes: { kind: 'notice' | 'warning'; text: string }[] = doneNotice(url)
  let result: QueryPage<AttemptDetail>
  if (source === 'query') result = await queryAttemptsOf(axes, query, ctx.now)
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
  const selectable = source === 'query' && canBrowse(axes)
  const rows = result.rows.map((a) => {
    const detailUrl = href(ctx, `/attempts/${encodeId(a.id)}`)
    return html`<tr>${
      selectable
        ? html`<td><input type="checkbox" name="id" value="${encodeId(a.id)}" aria-label="Select attempt ${encodeId(a.id)}"></td>`
        : ''
    }<td class="nowrap">${source === 'query' ? html`<a href="${detailUrl}">${formatTime(a.attemptTime)}</a>` : formatTime(a.attemptTime)}</td><td class="nowrap">${cell(a.ipAddress)}</td><td>${cell(a.userAgent)}</td><td>${userCell(a.username)}</td><td class="path">${cell(a.pathInfo)}</td><td class="num">${a.failures}</td><td>${attemptStatus(a, rule, ctx.now, locks)}</td>${
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
  const canClean = canBrowse(axes)
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
