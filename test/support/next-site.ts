// A Next.js app beside the installed next (under .runtimes/, test/support/runtimes.ts), made of
// example files transpiled one by one, with node-axes the package itself (its dist/ and exports),
// started with `next dev` (test/examples/web-runtimes.test.ts, authjs-next.test.ts).

import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import ts from 'typescript'
import { ROOT } from './child-process.js'
import { type Running, start } from './runtime-server.js'
import { RUNTIMES_DIR } from './runtimes.js'

/** TypeScript to JavaScript, file by file, as written (Next.js reads `export const runtime`). */
function transpile(source: string, target: string): void {
  const text = readFileSync(join(ROOT, source), 'utf8')
  const { outputText } = ts.transpileModule(text, {
    compilerOptions: {
      module: ts.ModuleKind.ESNext,
      target: ts.ScriptTarget.ES2022,
      verbatimModuleSyntax: true,
    },
  })
  mkdirSync(dirname(target), { recursive: true })
  writeFileSync(target, outputText)
}

/**
 * Makes `.runtimes/<name>`, a Next.js app of `files` (its path → the repository's TypeScript
 * file), with node-axes copied in as it is packed (package.json and dist/, built by the
 * integration project's global setup) into its own node_modules: a copy, not a link, so that
 * node-axes resolves its peers (@auth/core) where the app's packages are installed, once, as in an
 * application.
 */
export function nextSite(name: string, files: Record<string, string>): string {
  const site = join(RUNTIMES_DIR, name)
  rmSync(site, { recursive: true, force: true })
  for (const [target, source] of Object.entries(files)) transpile(source, join(site, target))
  writeFileSync(join(site, 'package.json'), '{ "type": "module", "private": true }\n')
  // Turbopack compiles nothing outside its root: '/' takes in the packages installed beside the
  // app's directory. jsconfig.json keeps it from following the repository's tsconfig paths into
  // src/.
  writeFileSync(
    join(site, 'next.config.mjs'),
    `export default ${JSON.stringify({ turbopack: { root: '/' } })}\n`,
  )
  writeFileSync(join(site, 'jsconfig.json'), '{ "compilerOptions": {} }\n')
  const pkg = join(site, 'node_modules/node-axes')
  mkdirSync(pkg, { recursive: true })
  cpSync(join(ROOT, 'package.json'), join(pkg, 'package.json'))
  cpSync(join(ROOT, 'dist'), join(pkg, 'dist'), { recursive: true })
  return site
}

/** `next dev` (the installed `next`, run by this Node) on `site`, on a free port. */
export function startNext(
  next: string,
  site: string,
  env: NodeJS.ProcessEnv = {},
): Promise<Running> {
  return start(
    process.execPath,
    (port) => [next, 'dev', '--port', String(port), '--hostname', '127.0.0.1'],
    { cwd: site, anyAnswer: true, timeoutMs: 90_000, env },
  )
}
