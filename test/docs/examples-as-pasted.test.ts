// Every complete example in README.md and docs/ runs as pasted. A complete example is a `ts` or
// `js` block that imports node-axes and starts a server (`.listen(`, `serve({`); it is pasted into
// `app.ts` (or `app.js`) of a fresh project with `npm init -y`'s package.json (CommonJS, so a
// top-level await fails as it would there), node-axes installed from the packed package
// (`npm pack`), its framework from this repository's node_modules, run with tsx as the README
// says, with only the port changed. Then it is played over HTTP as a user would: alice signs in
// with her password, and wrong passwords end in the lockout (429), after which her password is
// refused too. Auth.js' examples are played through its own sign-in (a CSRF token, then a POST to
// /auth/callback/credentials; the lockout is its CredentialsSignin with code locked_out), with
// AUTH_SECRET set as their page says; NestJS' with `experimentalDecorators` in the project's
// tsconfig.json, as their page says. Examples for Bun, Deno and Workers are left to
// test/examples/web-runtimes.test.ts; a block that continues a page's example says so with an
// HTML comment before it (`<!-- fragment: … -->`) and is not run alone; one that needs more than
// this names the test that plays it (`<!-- tested elsewhere: test/… -->`).

import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { signInClient } from '../adapters/authjs/app.js'
import { freePort, ROOT } from '../support/child-process.js'

interface Example {
  /** `docs/express.md:13` */
  where: string
  lang: 'ts' | 'js'
  code: string
}

const SERVER = /\.listen\(|(?<![\w.])serve\(\{/
const OTHER_RUNTIME = /Bun\.serve|Deno\.serve|export default \{/

/** The complete examples of README.md and docs/*.md. */
function completeExamples(): Example[] {
  const files = ['README.md', ...readdirSync(join(ROOT, 'docs')).map((f) => `docs/${f}`)]
  const examples: Example[] = []
  for (const file of files.filter((f) => f.endsWith('.md')).sort()) {
    const text = readFileSync(join(ROOT, file), 'utf8')
    const blocks = /(<!-- (?:fragment|tested elsewhere)[^>]*-->\n\n)?```(ts|js)\n([\s\S]*?)```/g
    for (const match of text.matchAll(blocks)) {
      if (match[1]) {
        // A block tested elsewhere names the test file that plays it; the file must exist.
        const test = /tested elsewhere: (\S+)/.exec(match[1])?.[1]
        if (test) expect(existsSync(join(ROOT, test)), `${test}, named by ${file}`).toBe(true)
        continue
      }
      const code = match[3] as string
      if (!/from 'node-axes/.test(code) || !SERVER.test(code) || OTHER_RUNTIME.test(code)) continue
      const line = text.slice(0, match.index + (match[1]?.length ?? 0)).split('\n').length + 1
      examples.push({ where: `${file}:${line}`, lang: match[2] as 'ts' | 'js', code })
    }
  }
  return examples
}

const EXAMPLES = completeExamples()
const work = mkdtempSync(join(tmpdir(), 'axes-docs-examples-'))
let packed = ''

beforeAll(() => {
  // The package as npm would install it: packed, then unpacked.
  const tarball = execFileSync('npm', ['pack', '--silent', '--pack-destination', work], {
    cwd: ROOT,
    encoding: 'utf8',
  }).trim()
  // Unpacked into a node_modules whose other packages are this repository's, so that its own
  // dependencies resolve from where it lies (Node follows the projects' symlinks to it).
  const modules = join(work, 'node_modules')
  packed = join(modules, 'node-axes')
  mkdirSync(packed, { recursive: true })
  execFileSync('tar', ['-xzf', join(work, tarball), '-C', packed, '--strip-components=1'])
  linkDependencies(modules)
}, 120_000)

/** Links every package of this repository's node_modules into `modules`, but node-axes. */
function linkDependencies(modules: string): void {
  for (const name of readdirSync(join(ROOT, 'node_modules'))) {
    if (name === 'node-axes' || name.startsWith('.')) continue
    symlinkSync(join(ROOT, 'node_modules', name), join(modules, name))
  }
}

afterAll(() => rmSync(work, { recursive: true, force: true }))

/** A fresh project holding `code`: npm init -y's package.json, node-axes packed, the rest linked. */
function project(example: Example, index: number): { dir: string; file: string } {
  const dir = join(work, `example-${index}`)
  mkdirSync(join(dir, 'node_modules'), { recursive: true })
  writeFileSync(
    join(dir, 'package.json'),
    `${JSON.stringify({ name: `example-${index}`, version: '1.0.0', main: 'index.js', license: 'ISC' }, null, 2)}\n`,
  )
  symlinkSync(packed, join(dir, 'node_modules', 'node-axes'), 'dir')
  linkDependencies(join(dir, 'node_modules'))
  const file = example.lang === 'ts' ? 'app.ts' : 'app.js'
  if (example.code.includes("from '@nestjs/")) {
    // Nest's decorators, as a Nest project's tsconfig.json has them (docs/nestjs.md says so).
    writeFileSync(
      join(dir, 'tsconfig.json'),
      `${JSON.stringify({ compilerOptions: { experimentalDecorators: true } }, null, 2)}\n`,
    )
  }
  // Only the port changes.
  writeFileSync(join(dir, file), example.code.replaceAll('3000', 'Number(process.env.PORT)'))
  return { dir, file }
}

async function run(
  dir: string,
  file: string,
): Promise<{ base: string; child: ChildProcess; output: () => string }> {
  const port = await freePort()
  const child = spawn(process.execPath, ['--import', 'tsx', file], {
    cwd: dir,
    env: {
      ...process.env,
      PORT: String(port),
      NODE_ENV: 'production',
      // Auth.js' examples need one (docs/authjs.md says so).
      AUTH_SECRET: 'docs-example-secret-docs-example-secret-0123',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout?.on('data', (c: Buffer) => {
    output += c.toString()
  })
  child.stderr?.on('data', (c: Buffer) => {
    output += c.toString()
  })
  const base = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 20_000
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`the example exited (${child.exitCode}):\n${output}`)
    try {
      await fetch(base)
      return { base, child, output: () => output }
    } catch {
      if (Date.now() > deadline) throw new Error(`the example never listened:\n${output}`)
      await sleep(100)
    }
  }
}

/** How an example is played: alice's password, then wrong ones until the lockout. */
interface Flow {
  /** Signs alice in with `password`; what the user sees. */
  login(password: string): Promise<Response>
  /** Whether a response is a signed-in one. */
  signedIn(res: Response): boolean
  /** Whether a response is the lockout; else it must be an ordinary failure. */
  lockedOut(res: Response): boolean
}

/** A form POST to /login: signed in below 400, locked out with 429. */
const formFlow = (base: string): Flow => ({
  login: (password) =>
    fetch(`${base}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username: 'alice', password }),
    }),
  signedIn: (res) => res.status < 400,
  lockedOut: (res) => res.status === 429,
})

/** Auth.js' credentials sign-in: redirected without an error, or with code locked_out. */
async function authjsFlow(base: string): Promise<Flow> {
  const signIn = await signInClient(base)
  const location = (res: Response) => res.headers.get('location') ?? ''
  return {
    login: (password) => signIn({ username: 'alice', password }),
    signedIn: (res) => res.status === 302 && !/[?&]error=/.test(location(res)),
    lockedOut: (res) => /[?&]code=locked_out$/.test(location(res)),
  }
}

describe('complete examples in README.md and docs/', () => {
  it('are found (the README quickstart and each framework page among them)', () => {
    const where = EXAMPLES.map((e) => e.where.split(':')[0])
    for (const page of [
      'README.md',
      'docs/api.md',
      'docs/express.md',
      'docs/fastify.md',
      'docs/hono.md',
      'docs/koa.md',
      'docs/passport.md',
      'docs/nestjs.md',
      'docs/authjs.md',
    ]) {
      expect(where).toContain(page)
    }
  })

  it.each(EXAMPLES.map((e, i) => [e.where, e, i] as const))(
    '%s runs as pasted: alice signs in, wrong passwords end in a lockout',
    async (_where, example, index) => {
      const { dir, file } = project(example, index)
      const app = await run(dir, file)
      try {
        const flow = example.code.includes("from '@auth/")
          ? await authjsFlow(app.base)
          : formFlow(app.base)
        const first = await flow.login('wonderland')
        expect(flow.signedIn(first), `${first.status}\n${app.output()}`).toBe(true)
        let locked = false
        for (let i = 0; i < 10 && !locked; i++) {
          const res = await flow.login('nope')
          locked = flow.lockedOut(res)
          if (!locked) expect(res.status, app.output()).toBeLessThan(500)
        }
        expect(locked, app.output()).toBe(true)
        expect(flow.lockedOut(await flow.login('wonderland'))).toBe(true)
      } finally {
        app.child.kill('SIGTERM')
      }
    },
    60_000,
  )
})
