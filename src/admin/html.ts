/**
 * HTML with every interpolation escaped: the `html` tagged template escapes each value through
 * `escapeHtml` unless it is already `SafeHtml` (made by `html` itself or, for fixed markup, `raw`).
 * Pages are built only with it, so no stored value (a username, a user agent) reaches the page
 * unescaped.
 */

/** A fragment of HTML that is already safe to insert. */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value
  }
}

/**
 * Control and direction-changing characters, shown as visible `\uXXXX` text: C0/C1 controls (NUL
 * among them), bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F,
 * U+061C), zero-width and line/paragraph separators, and lone surrogates. A username with U+202E
 * cannot reverse the text around it, and a NUL cannot hide what follows.
 */
const INVISIBLE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
  '=': '&#61;',
}

/**
 * Escapes any value for HTML text and quoted attribute values: `& < > " ' \` =` as entities, and
 * invisible or direction-changing characters as visible `\uXXXX` text. null and undefined become
 * the empty string.
 */
export function escapeHtml(value: unknown): string {
  if (value === null || value === undefined) return ''
  return String(value)
    .replace(INVISIBLE, (c) => `\\u${(c.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`)
    .replace(/[&<>"'`=]/g, (c) => ENTITIES[c] as string)
}

/** Marks fixed markup (never data) as safe. */
export function raw(markup: string): SafeHtml {
  return new SafeHtml(markup)
}

type Part = SafeHtml | string | number | boolean | null | undefined | readonly Part[]

function render(value: Part): string {
  if (value instanceof SafeHtml) return value.value
  if (Array.isArray(value)) return value.map(render).join('')
  if (value === false || value === null || value === undefined) return ''
  return escapeHtml(value)
}

/** The tagged template: `html\`<td>${username}</td>\`` escapes `username`. */
export function html(strings: TemplateStringsArray, ...values: Part[]): SafeHtml {
  let out = strings[0] ?? ''
  for (let i = 0; i < values.length; i++) out += render(values[i] as Part) + (strings[i + 1] ?? '')
  return new SafeHtml(out)
}
