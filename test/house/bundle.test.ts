// The core knows no store: an application that imports createAxes and memoryHandler from the built
// package bundles without the database handler, Kysely or a SQLite driver, and runs where none of
// them is installed. The default handler still works from the built package, ESM and CommonJS.

import { execFileSync } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { build } from 'esbuild'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ensureBuilt } from '../support/built-cli.js'
import { ROOT } from '../support/root.js'

const MEMORY_APP = `
import { createAxes, memoryHandler } from 'node-axes'
const axes = createAxes({ handler: memoryHandler(), logger: false, failureLimit: 1 })
const request = { method: 'POST', path: '/login', headers: {}, socketAddress: '192.0.2.7', body: { username: 'alice' } }
const decision = await axes.loginFailed(request, request.body)
console.log(JSON.stringify({ lockedOut: decision.lockedOut, handler: axes.handler.name }))
`

let work: string

beforeAll(() => {
  ensureBuilt()
  work = mkdtempSync(join(tmpdir(), 'axes-bundle-'))
})

afterAll(() => rmSync(work, { recursive: true, force: true }))

/** The built package alone, as node_modules/node-axes of an application with nothing else. */
function isolatedPackage(): string {
  const app = join(work, `app-${Math.random().toString(36).slice(2)}`)
  const pkg = join(app, 'node_modules/node-axes')
  mkdirSync(pkg, { recursive: true })
  cpSync(join(ROOT, 'dist'), join(pkg, 'dist'), { recursive: true })
  cpSync(join(ROOT, 'package.json'), join(pkg, 'package.json'))
  return app
}

describe('createAxes + memoryHandler from the built package', () => {
  it('bundles (esbuild, minified) to at most 70 KB, without Kysely or a store driver', async () => {
    const app = isolatedPackage()
    // Resolve node-axes from the isolated copy, and its dependencies from the project.
    const entry = join(app, 'entry.mjs')
    writeFileSync(entry, MEMORY_APP)
    const result = await build({
      entryPoints: [entry],
      bundle: true,
      minify: true,
      platform: 'node',
      format: 'esm',
      write: true,
      outfile: join(app, 'out.mjs'),
      metafile: true,
      logLevel: 'silent',
      nodePaths: [join(ROOT, 'node_modules')],
    })
    const inputs = Object.keys(result.metafile.inputs)
    const drivers = inputs.filter((input) =>
      /kysely|better-sqlite3|node_modules\/(pg|mysql2|ioredis|redis)\//.test(input),
    )
    expect(drivers).toEqual([])
    expect(inputs.some((input) => input.includes('handlers/database'))).toBe(false)
    const kb = statSync(join(app, 'out.mjs')).size / 1024
    // 69.25 KB when the house landed; 72.0 KB with issue 14's defences (safe defaults, W014,
    // unknownClientIp, malformed credentials, admin-path spellings, the memory handler's byte
    // cap), issue 19's CORS list and node-axes/web's shared body reader. Issue 13 asks for 70:
    // the memory handler now gives the admin a raw snapshot of its buckets (capability `buckets`)
    // and node-axes/admin pages, sorts, searches and counts over it, and the lock listing
    // (lockedOut, unlock, resetAndReport) is functions an application bundles only if it calls them.
    // 69.0 KB then. Issue 17's unread-body refusal, framework client IP and rateLimitHeaders
    // (checks W015 to W017) and issue 18's structured log records added about 1.4 KB, of which
    // shorter check texts won back 1 KB (docs/checks.md has the details). Next cuts: the memory
    // handler's attempt details (admin only) and the 'test' handler loaded like the database one.
    // 72.5 KB with issue 15's device cookies and spray detection (their hooks in the engine and
    // the options table; the defences themselves are subpaths). Won back without changing what
    // anything does: the options table no longer spells each Django setting's name (it is the
    // option's, in upper snake case) and writes its common rows in one call (setting, nodeOption,
    // pathSetting); option checks share one message template and the durations' value naming;
    // the dummy and test handlers share one ground; the memory handler's methods are async
    // instead of wrapped: 68.7 KB. Keep headroom under 70: new features go behind subpaths
    // or the hooks the core has (the repeat-passwords hook, its option and the engine's
    // `repeated` step, added 0.4 KB; the hashing and its store are node-axes/repeat-passwords;
    // issue 15's challenges 0.3 KB: their option, the decision's `challenge`, the refusal's answer
    // asked of node-axes/challenges).
    expect(kb).toBeLessThanOrEqual(70)
    // And the bundle runs.
    const out = execFileSync(process.execPath, [join(app, 'out.mjs')], { encoding: 'utf8' })
    expect(JSON.parse(out)).toEqual({ lockedOut: true, handler: 'memory' })
  })

  it('runs where neither Kysely nor better-sqlite3 is installed (ESM and CommonJS)', () => {
    const app = isolatedPackage()
    writeFileSync(join(app, 'app.mjs'), MEMORY_APP)
    const esm = execFileSync(process.execPath, ['app.mjs'], { cwd: app, encoding: 'utf8' })
    expect(JSON.parse(esm)).toEqual({ lockedOut: true, handler: 'memory' })
    writeFileSync(
      join(app, 'app.cjs'),
      `const { createAxes, memoryHandler } = require('node-axes')
const axes = createAxes({ handler: memoryHandler(), logger: false })
axes.isAllowed({ method: 'POST', path: '/login', headers: {}, socketAddress: '192.0.2.7' })
  .then((d) => console.log(JSON.stringify({ reason: d.reason })))`,
    )
    const cjs = execFileSync(process.execPath, ['app.cjs'], { cwd: app, encoding: 'utf8' })
    expect(JSON.parse(cjs)).toEqual({ reason: 'allowed' })
  })

  it('loads the default database handler on first use, from either build', () => {
    const app = join(work, 'default')
    mkdirSync(app, { recursive: true })
    const script = (load: string) => `${load}
const axes = createAxes({ logger: false, failureLimit: 1 })
const request = { method: 'POST', path: '/login', headers: {}, socketAddress: '192.0.2.8', body: { username: 'bob' } }
axes.loginFailed(request, request.body).then(async (d) => {
  console.log(JSON.stringify({ lockedOut: d.lockedOut, handler: axes.handler.name }))
  await axes.close()
})`
    writeFileSync(
      join(app, 'esm.mjs'),
      script(`import { createAxes } from '${join(ROOT, 'dist/index.js')}'`),
    )
    writeFileSync(
      join(app, 'cjs.cjs'),
      script(`const { createAxes } = require('${join(ROOT, 'dist/index.cjs')}')`),
    )
    for (const file of ['esm.mjs', 'cjs.cjs']) {
      const out = execFileSync(process.execPath, [file], { cwd: app, encoding: 'utf8' })
      expect(JSON.parse(out)).toEqual({ lockedOut: true, handler: 'database' })
    }
  })
})
