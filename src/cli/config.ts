/**
 * Where the command line finds the node-axes it works on. The options: `--config FILE`, else the
 * first `node-axes.config.{js,mjs,cjs,ts,json}` in the working directory, else node-axes' defaults
 * (said so on every run). The store: `--url`, else the configuration's, else (only with no
 * configuration) the environment's `AXES_DATABASE_URL` or `AXES_REDIS_URL`. With none of these the
 * command fails naming what it looked for: it never falls back to a default database.
 * A `redis://` or `rediss://` URL opens the Redis handler (default prefix `axes:`) on an ioredis
 * client, or a node-redis one when only that is installed; the command closes it when done.
 *
 * A configuration file's default export (or `module.exports`) is one of:
 * - an `Axes` instance (`export default createAxes({ … })`);
 * - options for `createAxes` (`{ handler: databaseHandler({ url }), failureLimit: 5 }`);
 * - a function, possibly async, returning either of those;
 * - TypeScript (`.ts`, `.mts`, `.cts`) as well, loaded as ./typescript.ts says;
 * - for JSON, options, or a Django settings object (`{ "AXES_FAILURE_LIMIT": 5 }`, read with
 *   `fromDjangoSettings`).
 */

import { existsSync, readFileSync } from 'node:fs'
import { dirname, isAbsolute, join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { type Axes, createAxes } from '../compose/axes.js'
import { handlerForUrl } from '../compose/url.js'
import { fromDjangoSettings } from '../core/django-settings.js'
import type { AxesOptions } from '../core/options.js'
import { AxesConfigError } from '../ground/errors.js'
import { checkStoreUrl, StoreLocationError } from './store.js'
import { importTypeScript, isTypeScript, TypeScriptLoadError } from './typescript.js'

/** The configuration files looked for in the working directory, in this order. */
export const CONFIG_FILES = [
  'node-axes.config.js',
  'node-axes.config.mjs',
  'node-axes.config.cjs',
  'node-axes.config.ts',
  'node-axes.config.json',
] as const

/** A configuration file node-axes cannot use, as an `AxesConfigError` naming the file. */
function configFileError(file: string, message: string): AxesConfigError {
  return new AxesConfigError([{ key: file, message }], 'configuration file')
}

/** A usage mistake in the configuration's location (exit code 2), not a failure to load it. */
export class ConfigUsageError extends Error {}

/** The node-axes the command works on, and where its options and its store came from. */
export interface Loaded {
  readonly axes: Axes
  /** The configuration file's absolute path, or null when the options are node-axes' defaults. */
  readonly optionsFrom: string | null
  /** The store URL given by `--url` or the environment, if any (else the configuration's store). */
  readonly url?: string
  /** `--url`, `AXES_DATABASE_URL`, `AXES_REDIS_URL`, or the configuration file's path. */
  readonly storeFrom: string
}

/**
 * Finds and loads the configuration: the options from `--config FILE` or the first
 * `node-axes.config.*` in `cwd`; the store from `--url`, else the configuration's, else (with no
 * configuration) `AXES_DATABASE_URL` or `AXES_REDIS_URL`. Neither a configuration nor a store URL
 * is an error naming what was looked for: the command never falls back to a default database.
 */
export async function loadAxes(
  given: { url?: string | undefined; config?: string | undefined },
  cwd: string,
  env: NodeJS.ProcessEnv,
): Promise<Loaded> {
  const file = configFile(given.config, cwd)
  let url = given.url
  let storeFrom = url === undefined ? (file ?? '') : '--url'
  if (url === undefined && file === null) {
    if (env.AXES_DATABASE_URL && env.AXES_REDIS_URL) {
      throw new ConfigUsageError(
        'both AXES_DATABASE_URL and AXES_REDIS_URL are set: say which store with --url',
      )
    }
    storeFrom = env.AXES_DATABASE_URL ? 'AXES_DATABASE_URL' : 'AXES_REDIS_URL'
    url = env.AXES_DATABASE_URL || env.AXES_REDIS_URL || undefined
    if (url === undefined) {
      throw new StoreLocationError(
        `no configuration in ${cwd}: looked for ${CONFIG_FILES.join(', ')}, and neither AXES_DATABASE_URL nor AXES_REDIS_URL is set. Name the application's configuration with --config FILE, or the store with --url URL. Nothing was opened or created.`,
      )
    }
  }
  if (url !== undefined) checkStoreUrl(url, storeFrom)
  const exported = file === null ? {} : await fromFile(file)
  if (url === undefined) {
    const axes = isAxes(exported) ? exported : createAxes({ logger: false, ...exported })
    return { axes, optionsFrom: file, storeFrom }
  }
  if (isAxes(exported)) {
    await exported.close().catch(() => {})
    throw new ConfigUsageError(
      `--url cannot replace the store of the Axes instance that ${file} exports: export its options instead (the command then opens the URL with them), or leave out --url`,
    )
  }
  // The configuration's options on the URL's store: its own handler is closed, never used.
  const { handler: replaced, databaseUrl: _, ...options } = exported
  if (typeof replaced === 'object' && replaced !== null) await replaced.close?.()
  const axes = createAxes({ logger: false, ...options, handler: await handlerForUrl(url) })
  return { axes, optionsFrom: file, url, storeFrom }
}

/** The configuration file: `--config` (which must exist), else the first of CONFIG_FILES in `cwd`, else null. */
function configFile(given: string | undefined, cwd: string): string | null {
  if (given !== undefined) {
    const file = isAbsolute(given) ? given : resolve(cwd, given)
    if (!existsSync(file)) throw new ConfigUsageError(`--config: no such file: ${file}`)
    return file
  }
  for (const name of CONFIG_FILES) {
    const file = join(cwd, name)
    if (existsSync(file)) return file
  }
  return null
}

/** What a configuration file exports: an instance, or options (the file's logger, else none). */
async function fromFile(file: string): Promise<Axes | AxesOptions> {
  let exported: unknown
  if (file.endsWith('.json')) {
    let parsed: unknown
    try {
      parsed = JSON.parse(readFileSync(file, 'utf8'))
    } catch (error) {
      throw configFileError(file, `is not valid JSON: ${(error as Error).message}`)
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw configFileError(file, 'must hold a JSON object of options')
    }
    const keys = Object.keys(parsed)
    exported =
      keys.length > 0 && keys.every((key) => key.startsWith('AXES_'))
        ? fromDjangoSettings(parsed as Record<string, unknown>)
        : parsed
  } else {
    exported = await importModule(file, dirname(file))
  }
  if (typeof exported === 'function') exported = await (exported as () => unknown)()
  if (isAxes(exported)) return exported
  if (exported === null || typeof exported !== 'object') {
    throw configFileError(
      file,
      `must export an Axes instance, createAxes options, or a function returning one (it exports ${exported === null ? 'null' : typeof exported})`,
    )
  }
  return exported as AxesOptions
}

/**
 * An Axes instance, by its shape: a configuration that imports node-axes' CommonJS build holds a
 * different class object than the command's ES module build.
 */
function isAxes(value: unknown): value is Axes {
  const v = value as Partial<Record<keyof Axes, unknown>> | null
  return (
    v !== null &&
    typeof v === 'object' &&
    typeof v.reset === 'function' &&
    typeof v.isAllowed === 'function' &&
    typeof v.handler === 'object' &&
    v.handler !== null
  )
}

async function importModule(file: string, cwd: string): Promise<unknown> {
  let mod: { default?: unknown }
  try {
    mod = (
      isTypeScript(file)
        ? await importTypeScript(file, cwd)
        : await import(pathToFileURL(file).href)
    ) as { default?: unknown }
  } catch (error) {
    if (error instanceof TypeScriptLoadError) throw configFileError(file, error.message)
    throw error
  }
  // ESM default export, or CommonJS module.exports (seen as default, sometimes nested once more).
  let value = 'default' in mod ? mod.default : mod
  if (
    value !== null &&
    typeof value === 'object' &&
    'default' in value &&
    Object.keys(value).length === 1
  ) {
    value = (value as { default: unknown }).default
  }
  return value
}
