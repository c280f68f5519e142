/**
 * Help links: where the reference section of a check code (docs/checks.md) or an error code
 * (docs/errors.md) lives, as express-rate-limit's `ERR_ERL_*` codes link to theirs. One constant
 * says where the docs are; each code's section is the heading that names it, and the link's
 * anchor follows GitHub's rule for headings.
 *
 * @module
 */

/**
 * Where the reference pages live: the copy of docs/ that ships inside the installed package
 * (package.json `files`), as an application's root sees it. The link opens the pages of the very
 * version that printed it, offline, and editors and terminals make such a path clickable.
 * package.json names no repository yet; when it names one, make this
 * `https://github.com/<owner>/<name>/blob/main/docs/` (test/docs/help-links.test.ts then insists).
 */
export const DOCS_BASE = 'node_modules/node-axes/docs/'

/** The reference pages a code can link to. */
export type HelpPage = 'checks.md' | 'errors.md'

/**
 * GitHub's anchor for a Markdown heading: lower case, punctuation dropped (letters, digits,
 * `_`, `-` and spaces kept), spaces as hyphens; e.g. `axes.W006` → `axesw006`,
 * `AXES_INVALID_OPTIONS` → `axes_invalid_options`.
 */
export function docAnchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-')
}

/** The link to the section of `page` whose heading is `code`, e.g.
 * `node_modules/node-axes/docs/checks.md#axesw006`.
 */
export function helpLink(page: HelpPage, code: string): string {
  return `${DOCS_BASE}${page}#${docAnchor(code)}`
}
