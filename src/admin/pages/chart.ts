/**
 * The overview's chart: failures over time as an inline SVG bar chart (no script).
 */

import type { AttemptStats } from '../../ground/contract-browsing.js'
import { html, type SafeHtml } from '../html.js'

/** Failures over time as an inline SVG bar chart. */
export function chart(
  stats: AttemptStats,
  since: number,
  stepMs: number,
  label: (start: number) => string,
): SafeHtml {
  const width = 760
  const height = 220
  const left = 44
  const bottom = 28
  const top = 14
  const n = stats.series.length
  const max = Math.max(1, ...stats.series)
  const plotW = width - left - 10
  const plotH = height - top - bottom
  const barW = plotW / Math.max(1, n)
  const bars = stats.series.map((value, i) => {
    const h = Math.round((value / max) * plotH)
    const x = left + i * barW
    const start = since + i * stepMs
    return html`<rect x="${(x + 1).toFixed(1)}" y="${top + plotH - h}" width="${Math.max(1, barW - 2).toFixed(1)}" height="${h}" fill="#cf222e"><title>${label(start)}: ${value} failure${value === 1 ? '' : 's'}</title></rect>`
  })
  const ticks = [0, Math.floor(n / 2), n - 1].filter((v, i, a) => v >= 0 && a.indexOf(v) === i)
  const total = stats.series.reduce((a, b) => a + b, 0)
  return html`<svg role="img" aria-label="Failures over time: ${total} in all, at most ${max} per step" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" xmlns="http://www.w3.org/2000/svg">
<line x1="${left}" y1="${top + plotH}" x2="${width - 10}" y2="${top + plotH}" stroke="#8c959f"/>
<line x1="${left}" y1="${top}" x2="${left}" y2="${top + plotH}" stroke="#8c959f"/>
<text x="${left - 6}" y="${top + 4}" text-anchor="end" font-size="11" fill="#59636e">${max}</text>
<text x="${left - 6}" y="${top + plotH}" text-anchor="end" font-size="11" fill="#59636e">0</text>
${bars}
${ticks.map(
  (i) =>
    html`<text x="${(i === 0 ? left : i === n - 1 ? width - 10 : left + i * barW + barW / 2).toFixed(1)}" y="${height - 8}" text-anchor="${i === 0 ? 'start' : i === n - 1 ? 'end' : 'middle'}" font-size="11" fill="#59636e">${label(since + i * stepMs)}</text>`,
)}
</svg>`
}
