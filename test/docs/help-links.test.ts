// Every code node-axes reports has its section in the docs, and its help link lands on it: each
// check code (CHECKS) on a heading of docs/checks.md, each error code thrown in src/ on a heading
// of docs/errors.md, the anchors as GitHub makes them.

import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { CHECKS, type CheckId, makeCheck } from '../../src/core/checks.js'
import { DOCS_BASE, docAnchor, helpLink } from '../../src/ground/help.js'
import { headingsOf } from '../support/markdown.js'
import { ROOT } from '../support/root.js'

const page = (name: string) => readFileSync(join(ROOT, 'docs', name), 'utf8')

/** The anchor GitHub gives the heading that is exactly `code` on a page, if there is one. */
function sectionOf(markdown: string, code: string): string | undefined {
  return headingsOf(markdown).find((heading) => heading.text === code)?.anchor
}

function filesOf(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? filesOf(join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(dir, entry.name)]
        : [],
  )
}

/** The codes of src/: `new AxesError('CODE', …)`, and the `super('CODE', …)` of its subclasses. */
function thrownCodes(text: string): string[] {
  const pattern = /(?:new\s+AxesError|super)\(\s*['"`](AXES_[A-Z0-9_]+)['"`]/g
  return [...text.matchAll(pattern)].map((match) => match[1] as string)
}

const SRC_CODES = [
  ...new Set(filesOf(join(ROOT, 'src')).flatMap((file) => thrownCodes(readFileSync(file, 'utf8')))),
].sort()

describe('check codes and docs/checks.md', () => {
  const checks = page('checks.md')
  const ids = Object.keys(CHECKS) as CheckId[]

  it.each(ids)('%s has its section, and its help link lands on it', (id) => {
    const anchor = sectionOf(checks, id)
    expect(anchor, `no heading "## ${id}" in docs/checks.md`).toBeDefined()
    const help = makeCheck(id).help
    expect(help).toBe(`${DOCS_BASE}checks.md#${anchor}`)
    expect(help).toBe(helpLink('checks.md', id))
  })

  it('has no section for a code that does not exist (axes.W008 aside: an error in node-axes)', () => {
    const sections = headingsOf(checks)
      .map((heading) => heading.text)
      .filter((text) => /^axes\.[WE]\d+$/.test(text))
    expect(sections.filter((code) => !(code in CHECKS))).toEqual(['axes.W008'])
  })
})

describe('error codes and docs/errors.md', () => {
  const errors = page('errors.md')

  it('finds the codes thrown in src/ (the scan itself works)', () => {
    expect(SRC_CODES).toEqual(
      expect.arrayContaining([
        'AXES_INVALID_OPTIONS',
        'AXES_STORE_UNAVAILABLE',
        'AXES_NOT_SUPPORTED',
      ]),
    )
    expect(thrownCodes("new AxesError(\n  'AXES_X',\n  'm')\nsuper('AXES_Y', m)")).toEqual([
      'AXES_X',
      'AXES_Y',
    ])
  })

  it('has a section for every code thrown in src/, where its help link lands', () => {
    const missing = SRC_CODES.filter((code) => sectionOf(errors, code) === undefined)
    expect(missing, 'add a "## CODE" section to docs/errors.md').toEqual([])
    for (const code of SRC_CODES) {
      expect(helpLink('errors.md', code)).toBe(`${DOCS_BASE}errors.md#${sectionOf(errors, code)}`)
    }
  })

  it('has no section for a code src/ does not throw', () => {
    const sections = headingsOf(errors)
      .map((heading) => heading.text)
      .filter((text) => /^AXES_[A-Z0-9_]+$/.test(text))
    expect(sections.filter((code) => !SRC_CODES.includes(code))).toEqual([])
  })
})

describe('the help links', () => {
  it("follow GitHub's anchor rule", () => {
    expect(docAnchor('axes.W006')).toBe('axesw006')
    expect(docAnchor('AXES_INVALID_OPTIONS')).toBe('axes_invalid_options')
    expect(docAnchor('When it is full')).toBe(headingsOf('## When it is full')[0]?.anchor)
  })

  it('point into the repository that package.json names, once it names one', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      repository?: string | { url?: string }
    }
    const url = typeof pkg.repository === 'string' ? pkg.repository : pkg.repository?.url
    const github = url?.match(/github\.com[/:]([^/]+\/[^/.]+)/)?.[1]
    expect(DOCS_BASE).toBe(
      github === undefined
        ? 'node_modules/node-axes/docs/'
        : `https://github.com/${github}/blob/main/docs/`,
    )
  })
})
