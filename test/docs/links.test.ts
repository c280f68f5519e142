import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'
import { OPTION_NAMES } from '../../src/core/options.js'
import { anchorsOf, prose } from '../support/markdown.js'
import { ROOT } from '../support/root.js'

const PAGES = [
  'README.md',
  'CHANGELOG.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`),
]

/** Every relative link target of a page: `[text](target)` and `![alt](target)`. */
function linksOf(markdown: string): string[] {
  return [...prose(markdown).matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)]
    .map((match) => match[1] as string)
    .filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target))
}

// README.md and docs/ point into each other and into the repository: every relative link must
// land on a file that exists, and a link with #anchor on a heading of that page.
describe('relative links in README.md, CHANGELOG.md and docs/', () => {
  for (const page of PAGES) {
    it(page, () => {
      const text = readFileSync(join(ROOT, page), 'utf8')
      const broken: string[] = []
      for (const target of linksOf(text)) {
        const [path = '', anchor] = target.split('#')
        const file = path === '' ? join(ROOT, page) : join(ROOT, dirname(page), decodeURI(path))
        if (!existsSync(file)) {
          broken.push(`${target}: no file ${relative(ROOT, file)}`)
          continue
        }
        if (anchor && file.endsWith('.md') && statSync(file).isFile()) {
          if (!anchorsOf(readFileSync(file, 'utf8')).has(anchor)) {
            broken.push(`${target}: no heading #${anchor} in ${relative(ROOT, file)}`)
          }
        }
      }
      expect(broken).toEqual([])
    })
  }

  it('finds the links it checks (the test itself works)', () => {
    expect(
      linksOf('[a](docs/x.md#y) ![i](img.png) [w](https://e.com)\n```\n[c](code.md)\n```'),
    ).toEqual(['docs/x.md#y', 'img.png'])
    expect([...anchorsOf('# A `b` c\n## axes.W001\n## Every `AXES_*` x\n## A `b` c')]).toEqual([
      'a-b-c',
      'axesw001',
      'every-axes_-x',
      'a-b-c-1',
    ])
  })
})

describe('docs/configuration.md', () => {
  it('has a section for every option createAxes accepts', () => {
    const text = readFileSync(join(ROOT, 'docs/configuration.md'), 'utf8')
    const missing = OPTION_NAMES.filter((name) => !text.includes(`\`${name}\``))
    expect(missing).toEqual([])
  })
})
