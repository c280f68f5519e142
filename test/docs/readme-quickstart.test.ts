import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ROOT, type StartedProcess, startProcess } from '../support/child-process.js'

/** The first fenced `ts` block under the README's `## Quickstart` heading, as written. */
function quickstartCode(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
  const section = readme.slice(readme.indexOf('\n## Quickstart\n'))
  const block = /```ts\n([\s\S]*?)```/.exec(section)?.[1]
  if (!block) throw new Error('README.md: no ```ts block under ## Quickstart')
  return block
}

// The README's quickstart, pasted into a file of a fresh project whose node_modules holds the
// built package (node-axes → this repository, its package.json "exports" → dist/) and express, run
// with tsx as the README says, and played over HTTP. Only the port is changed, to a free one.
describe('README.md quickstart', () => {
  const dir = mkdtempSync(join(tmpdir(), 'axes-readme-'))
  let app: StartedProcess | undefined

  beforeAll(async () => {
    const code = quickstartCode()
    expect(code).toContain('app.listen(3000)')
    mkdirSync(join(dir, 'node_modules'))
    symlinkSync(ROOT, join(dir, 'node_modules', 'node-axes'), 'dir')
    for (const name of ['express', 'tsx']) {
      symlinkSync(join(ROOT, 'node_modules', name), join(dir, 'node_modules', name), 'dir')
    }
    writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n')
    writeFileSync(
      join(dir, 'app.ts'),
      code.replace(
        'app.listen(3000)',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a template literal of the written file
        'app.listen(Number(process.env.PORT), () => console.log(`http://localhost:${process.env.PORT}`))',
      ),
    )
    app = await startProcess(process.execPath, ['--import', 'tsx', 'app.ts'], {}, { cwd: dir })
  }, 60_000)

  afterAll(async () => {
    await app?.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  const login = (username: string, password: string) =>
    fetch(`${app?.base}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username, password }),
    })

  it('signs alice in, then locks her out at the fifth wrong password', async () => {
    const welcome = await login('alice', 'wonderland')
    expect(welcome.status).toBe(200)
    expect(await welcome.text()).toBe('Welcome!')
    for (let i = 0; i < 4; i++) {
      const wrong = await login('alice', 'nope')
      expect(wrong.status).toBe(401)
      expect(await wrong.text()).toContain('Invalid username or password.')
    }
    expect((await login('alice', 'nope')).status).toBe(429)
    expect((await login('alice', 'wonderland')).status).toBe(429)
    // JSON logins are parsed and counted as forms are: the same pair, locked.
    const json = await fetch(`${app?.base}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ username: 'alice', password: 'wonderland' }),
    })
    expect(json.status).toBe(429)
    // A JSON client of another user gets through: its body was read.
    const bob = await fetch(`${app?.base}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'bob', password: 'nope' }),
    })
    expect(bob.status).toBe(401)
    // The attempts were kept where the README says: ./axes.sqlite3 in the working directory.
    expect(readFileSync(join(dir, 'axes.sqlite3')).subarray(0, 15).toString()).toBe(
      'SQLite format 3',
    )
  })
})
