// The package's entry points are declared once, in entry-points.json. tsup.config.ts and
// vitest.config.ts derive theirs from it; package.json's exports and bin and tsconfig.json's paths
// cannot be derived (npm and TypeScript read them as they are), so this test holds them to it.

import { existsSync, readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { builtName, entryPoints, sourceAliases, tsupEntries } from '../../scripts/entry-points.js'

const root = new URL('../../', import.meta.url)
const json = (file: string) => JSON.parse(readFileSync(new URL(file, root), 'utf8'))
const entries = entryPoints()
const pkg = json('package.json') as {
  exports: Record<string, unknown>
  bin: Record<string, string>
  main: string
  module: string
  types: string
}
// tsconfig.json allows comments; this one has none.
const tsconfig = json('tsconfig.json') as { compilerOptions: { paths: Record<string, string[]> } }

describe('entry-points.json', () => {
  it('names source files that exist', () => {
    const sources = [
      ...Object.values(entries.subpaths),
      ...Object.values(entries.bin).map((command) => command.source),
    ]
    expect(sources.filter((source) => !existsSync(new URL(source, root)))).toEqual([])
  })

  it("is package.json's exports, subpath for subpath, each built to dist/<subpath>/index", () => {
    const expected: Record<string, unknown> = { './package.json': './package.json' }
    for (const subpath of Object.keys(entries.subpaths)) {
      const built = `./dist/${builtName(subpath)}`
      expected[subpath] = {
        import: { types: `${built}.d.ts`, default: `${built}.js` },
        require: { types: `${built}.d.cts`, default: `${built}.cjs` },
      }
    }
    expect(pkg.exports).toEqual(expected)
    expect([pkg.main, pkg.module, pkg.types]).toEqual([
      './dist/index.cjs',
      './dist/index.js',
      './dist/index.d.cts',
    ])
  })

  it("is package.json's bin", () => {
    const expected = Object.fromEntries(
      Object.entries(entries.bin).map(([name, command]) => [name, `./dist/${command.built}.js`]),
    )
    expect(pkg.bin).toEqual(expected)
  })

  it("is tsconfig.json's paths", () => {
    const expected = Object.fromEntries(
      Object.entries(entries.subpaths).map(([subpath, source]) => [
        `node-axes${subpath.slice(1)}`,
        [`./${source}`],
      ]),
    )
    expect(tsconfig.compilerOptions.paths).toEqual(expected)
  })

  it("gives tsup and vitest every entry point, and vitest's aliases match the longest name first", () => {
    expect(Object.keys(tsupEntries())).toEqual([
      ...Object.keys(entries.subpaths).map(builtName),
      ...Object.values(entries.bin).map((command) => command.built),
    ])
    const aliases = Object.keys(sourceAliases())
    expect(aliases).toHaveLength(Object.keys(entries.subpaths).length)
    // 'node-axes' must come after 'node-axes/database', or it would swallow it.
    expect(aliases.at(-1)).toBe('node-axes')
  })
})
