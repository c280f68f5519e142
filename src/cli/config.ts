/**
 * Where the command line finds the node-axes it works on: `--url`, else `--config FILE`, else a
 * `node-axes.config.{js,mjs,cjs,ts,json}` in the working directory, else the environment's
 * `AXES_DATABASE_URL` or `AXES_REDIS_URL`, else the embedded default (`sqlite:axes.sqlite3`).
 * A `redis://` or `rediss://` URL opens the Redis handler (default prefix `axes:`) on an ioredis
 * client, or a node-redis one when only that is installed; the command closes it when done.
 *
 * A configuration file's default export (or `module.exports`) is one of:
 * - an `Axes` instance (`export default createAxes({ … })`);
 * - options for `createAxes` (`{ handler: databaseHandler({ url }), failureLimit: 5 }`);
 * - a function, possibly async, returning either of those;
 * - for JSON, options, or a Django settings object (`{ "AXES_FAILURE_LIMIT": 5 }`, read with
 *   `fromDjangoSettings`).
 */

import { existsSync, readFileSync } from 'node:fs'
import { isAbsolute, join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { type Axes, createAxes } from '../compose/axes.js'
import { handlerForUrl } from '../compose/url.js'
import { fromDjangoSettings } from '../core/django-settings.js'
import { type AxesOptions, DEFAULT_DATABASE_URL } from '../core/options.js'
import { AxesConfigError } from '../ground/errors.js'

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

/** The node-axes the command works on, and where it came from (for messages). */
export interface Loaded {
  readonly axes: Axes
  /** `--url`, a file's path, `AXES_DATABASE_URL`, or `the default sqlite:axes.sqlite3`. */
  readonly source: string
}

/** Finds and loads the configuration. */
export async function loadAxes(
  given: { url?: string | undefined; config?: string | undefined },
  cwd: string,
  env: NodeJS.ProcessEnv,
): Promise<Loaded> {
  if (given.url !== undefined) return { axes: await fromUrl(given.url), source: '--url' }
  if (given.config !== undefined) {
    const file = isAbsolute(given.config) ? given.config : resolve(cwd, given.config)
    if (!existsSync(file)) throw new ConfigUsageError(`--config: no such file: ${given.config}`)
    return { axes: await fromFile(file), source: file }
  }
  for (const name of CONFIG_FILES) {
    const file = join(cwd, name)
    if (existsSync(file)) return { axes: await fromFile(file), source: file }
  }
  if (env.AXES_DATABASE_URL && env.AXES_REDIS_URL) {
    throw new ConfigUsageError(
      'both AXES_DATABASE_URL and AXES_REDIS_URL are set: say which store with --url',
    )
  }
  if (env.AXES_DATABASE_URL) {
    return { axes: await fromUrl(env.AXES_DATABASE_URL), source: 'AXES_DATABASE_URL' }
  }
  if (env.AXES_REDIS_URL) {
    return { axes: await fromUrl(env.AXES_REDIS_URL), source: 'AXES_REDIS_URL' }
  }
  return {
    axes: await fromUrl(DEFAULT_DATABASE_URL),
    source: `the default ${DEFAULT_DATABASE_URL}`,
  }
}

/** An instance on a database or Redis URL, quiet: the command reports what it does, not start-up checks. */
async function fromUrl(url: string): Promise<Axes> {
  return createAxes({ handler: await handlerForUrl(url), logger: false })
}

async function fromFile(file: string): Promise<Axes> {
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
    exported = await importModule(file)
  }
  if (typeof exported === 'function') exported = await (exported as () => unknown)()
  if (isAxes(exported)) return exported
  if (exported === null || typeof exported !== 'object') {
    throw configFileError(
      file,
      `must export an Axes instance, createAxes options, or a function returning one (it exports ${exported === null ? 'null' : typeof exported})`,
    )
  }
  // The file's own logger, if it sets one; otherwise quiet, as for a URL.
  const options = exported as AxesOptions
  return createAxes({ logger: false, ...options })
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

async function importModule(file: string): Promise<unknown> {
  const url = pathToFileURL(file).href
  let mod: { default?: unknown }
  if (file.endsWith('.ts')) {
    // Node 22 before 22.18 cannot load TypeScript by itself: tsx can, when the project has it.
    let tsImport: ((specifier: string, parent: string) => Promise<unknown>) | undefined
    try {
      ;({ tsImport } = (await import('tsx/esm/api')) as {
        tsImport: (specifier: string, parent: string) => Promise<unknown>
      })
    } catch {
      throw configFileError(
        file,
        'a TypeScript configuration needs tsx (npm install --save-dev tsx), or write node-axes.config.mjs instead',
      )
    }
    mod = (await tsImport(url, url)) as { default?: unknown }
  } else {
    mod = (await import(url)) as { default?: unknown }
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
