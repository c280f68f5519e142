/**
 * Imports a TypeScript configuration module on a plain Node, the first way that works:
 *
 * 1. Node's own type stripping, where it is on (Node 22.18+, 23.6+: `process.features.typescript`),
 *    or tsx where Node finds a module missing (`./x.js` meaning `./x.ts`) or syntax it cannot strip;
 * 2. tsx, when the project (or the command's own install) has it;
 * 3. esbuild, when installed: a module hook that strips the types of `.ts` and `.mts` files as
 *    they are loaded (Node 20.6+ `module.register`), with Node's own rules otherwise (imports of
 *    local modules name their file, `./db.ts`);
 * 4. otherwise an error saying how: a newer Node, `npm install --save-dev tsx`, or a `.mjs` file.
 *
 * Nothing is written to disk: the configuration's folder is left as it was.
 */

import { readFileSync } from 'node:fs'
import * as nodeModule from 'node:module'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { pathToFileURL } from 'node:url'

/** A TypeScript module could not be loaded; the message says how to make it loadable. */
export class TypeScriptLoadError extends Error {}

/** Whether `file` is a TypeScript module by its extension. */
export function isTypeScript(file: string): boolean {
  return /\.(c|m)?ts$/i.test(file)
}

/** Where optional tools are looked for: the configuration's folder, the working directory, the command's own install. */
function resolveFrom(specifier: string, parents: readonly string[]): string | null {
  for (const parent of parents) {
    try {
      return createRequire(parent).resolve(specifier)
    } catch {}
  }
  return null
}

/** Imports `file` (a `.ts`, `.mts` or `.cts` module) and resolves to its module namespace. */
export async function importTypeScript(file: string, cwd: string): Promise<unknown> {
  const url = pathToFileURL(file).href
  const features = process.features as { typescript?: string | false }
  const parents = [file, `${cwd}/package.json`, process.argv[1] ?? `${cwd}/package.json`]
  const tsx = tsxApi(parents)
  if (features.typescript) {
    try {
      return await import(url)
    } catch (error) {
      const code = (error as { code?: string }).code
      // Both fail before the module runs: tsx, where installed, maps `./x.js` to `./x.ts` and
      // compiles what Node cannot strip.
      if (code === 'ERR_MODULE_NOT_FOUND' && tsx !== null) return viaTsx(tsx, url)
      if (code === 'ERR_UNSUPPORTED_TYPESCRIPT_SYNTAX') {
        if (tsx !== null) return viaTsx(tsx, url)
        throw new TypeScriptLoadError(
          `uses TypeScript that Node cannot strip (an enum, a namespace, parameter properties): ${(error as Error).message.split('\n')[0]}. Write it without them, install tsx, or write it as .mjs`,
        )
      }
      throw error
    }
  }
  if (tsx !== null) return viaTsx(tsx, url)
  const esbuild = resolveFrom('esbuild', parents)
  const register = (nodeModule as { register?: (specifier: string, options?: object) => void })
    .register
  if (esbuild !== null && register !== undefined && !/\.cts$/i.test(file)) {
    register(`data:text/javascript,${encodeURIComponent(STRIP_HOOK)}`, {
      data: { esbuild: pathToFileURL(esbuild).href },
    })
    return import(url)
  }
  throw new TypeScriptLoadError(
    `is TypeScript, which Node ${process.versions.node} cannot load by itself: run the command on Node 22.18 or later (it strips types), install tsx or esbuild in the project (npm install --save-dev tsx), or write the configuration as .mjs`,
  )
}

/** tsx's ES module API (`tsx/esm/api`, its `import` condition), found from `parents`. */
function tsxApi(parents: readonly string[]): string | null {
  const manifest = resolveFrom('tsx/package.json', parents)
  if (manifest === null) return null
  try {
    const { exports } = JSON.parse(readFileSync(manifest, 'utf8')) as {
      exports?: Record<string, { import?: { default?: string } }>
    }
    const entry = exports?.['./esm/api']?.import?.default
    return entry === undefined ? null : join(dirname(manifest), entry)
  } catch {
    return null
  }
}

/** Imports `url` with tsx's `tsImport`, from its API module at `api`. */
async function viaTsx(api: string, url: string): Promise<unknown> {
  const mod = (await import(pathToFileURL(api).href)) as {
    tsImport?: TsImport
    default?: { tsImport?: TsImport }
  }
  const tsImport = mod.tsImport ?? mod.default?.tsImport
  if (!tsImport) throw new TypeScriptLoadError(`tsx at ${api} has no tsImport: update tsx`)
  return tsImport(url, url)
}

type TsImport = (specifier: string, parent: string) => Promise<unknown>

/** The module hook of way 3: esbuild strips the types of `.ts` and `.mts` files (ES modules). */
const STRIP_HOOK = `
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
let esbuild
export async function initialize(data) {
  const mod = await import(data.esbuild)
  esbuild = mod.transform ? mod : mod.default
}
export async function load(url, context, nextLoad) {
  if (!url.startsWith('file:') || !/\\.m?ts$/i.test(new URL(url).pathname)) return nextLoad(url, context)
  const file = fileURLToPath(url)
  const { code } = await esbuild.transform(await readFile(file, 'utf8'), {
    loader: 'ts', format: 'esm', sourcefile: file, target: 'node20',
  })
  return { format: 'module', source: code, shortCircuit: true }
}
`
