/**
 * Checks: coded configuration warnings, as django-axes' system checks (`axes.W001` …), continued
 * where node-axes can see more. Static checks run at `createAxes` and are logged once; runtime
 * checks are logged the first time node-axes sees the problem. Silence any of them by code with
 * `silencedChecks`.
 */

import type { AxesHandler } from '../ground/contract.js'
import { helpLink } from '../ground/help.js'
import { optionOfDjangoName } from './options/spec.js'
import { DEPRECATED_OPTIONS, type ResolvedOptions } from './options.js'

/** One warning. */
export interface AxesCheck {
  /** The stable code, e.g. `axes.W006`. */
  id: string
  /** Always `warning`: like django-axes, node-axes refuses bad values outright instead of erroring later. */
  level: 'warning'
  /** What is wrong. */
  message: string
  /** How to fix it. */
  hint: string
  /**
   * The code's section of docs/checks.md in the installed package, e.g.
   * `node_modules/node-axes/docs/checks.md#axesw006`; log lines end with it.
   */
  help: string
}

/** The codes node-axes can report, with their message and hint. */
export const CHECKS = {
  'axes.W001': {
    message:
      'The cache handler keeps attempts in a cache that is not shared or not atomic: counts are wrong.',
    hint: 'Give the cache handler a shared store (Redis), or use the database handler.',
  },
  'axes.W002': {
    message: "A login was checked on a request no adapter's middleware has seen.",
    hint: "Install your framework adapter's middleware, or call axes.attach(request).",
  },
  'axes.W003': {
    message: 'A failed login was recorded for a request never checked first.',
    hint: 'Call isAllowed(), reserve() or protect() before verifying credentials.',
  },
  'axes.W004': {
    message: 'A deprecated setting is configured: {names}.',
    hint: 'Use lockoutParameters and the ipware* options instead.',
  },
  'axes.W005': {
    message: 'A Django dotted path cannot be imported in Node: {names}.',
    hint: 'Pass a JavaScript function for these options.',
  },
  'axes.W006': {
    message: "lockoutParameters lacks 'ip_address': rotating usernames gives more attempts.",
    hint: "Add 'ip_address' to lockoutParameters, alone or combined.",
  },
  'axes.W007': {
    message:
      'lockoutTiers and cooloffTime are both set: cooloffTime then only says how long failures are remembered.',
    hint: 'Remove cooloffTime, or silence axes.W007 if this is what you want.',
  },
  'axes.W009': {
    message: 'A forwarded-for header arrived, but no proxy is trusted: the socket address is used.',
    hint: 'Behind a proxy, set the ipware* proxy options (or clientIp: framework); otherwise silence axes.W009.',
  },
  'axes.W010': {
    message:
      'The {handler} handler counts in this process only, and several processes seem to run: each counts on its own.',
    hint: 'Use the database or Redis handler for several processes.',
  },
  'axes.W011': {
    message: 'ipwareProxyCount or ipwareProxyTrustedIps is set, but no header is read.',
    hint: "Add the proxy's header to ipwareMetaPrecedenceOrder.",
  },
  'axes.W012': {
    message: 'The client IP of a request could not be determined{detail} (see unknownClientIp).',
    hint: 'Check the adapter passes the socket address and the proxy options.{fix}',
  },
  'axes.W013': {
    message: "{framework}'s trust-proxy setting and node-axes' proxy options disagree: {detail}.",
    hint: "Trust the same proxies in {setting} and node-axes' ipware* options, or use clientIp: 'framework'.",
  },
  'axes.W014': {
    message: 'No cooloffTime or lockoutTiers: failures never expire, lockouts last until reset.',
    hint: 'Set cooloffTime or lockoutTiers, or silence axes.W014.',
  },
  'axes.W015': {
    message: 'A login body ({type}) was never parsed: refused with 400, uncounted.',
    hint: 'Parse login bodies (forms and JSON) before protectLogin.',
  },
  'axes.W016': {
    message: "A login body had no '{field}' field (it had: {fields}).",
    hint: 'Set usernameFormField to the field your form sends.',
  },
  'axes.W017': {
    message: "clientIp: 'framework' is set ({framework}'s {setting}), but {conflict}.",
    hint: 'Configure proxies in one place.',
  },
} as const

/** A check code. */
export type CheckId = keyof typeof CHECKS

/**
 * Builds a check from its code, filling `{placeholders}` (one not given is left out: axes.W012's
 * `{detail}` and `{fix}` are an adapter's additions), with its help link.
 */
export function makeCheck(id: CheckId, values: Record<string, string> = {}): AxesCheck {
  const entry = CHECKS[id]
  const fill = (text: string) => text.replace(/\{(\w+)\}/g, (_, k: string) => values[k] ?? '')
  return {
    id,
    level: 'warning',
    message: fill(entry.message),
    hint: fill(entry.hint),
    help: helpLink('checks.md', id),
  }
}

/**
 * The process's environment, or none where the runtime has no `process` (Workers without
 * `nodejs_compat`): the checks read it, and must not throw where it is missing.
 */
export function processEnv(): NodeJS.ProcessEnv {
  return globalThis.process?.env ?? {}
}

/**
 * Whether several processes may be running this application: a `node:cluster` worker (Node marks
 * one with `NODE_UNIQUE_ID`, which is all `cluster.isWorker` reads), PM2, or `WEB_CONCURRENCY`.
 */
export function multiProcessSigns(env: NodeJS.ProcessEnv = processEnv()): boolean {
  if (env.NODE_UNIQUE_ID !== undefined) return true
  if (env.pm_id !== undefined || env.NODE_APP_INSTANCE !== undefined) return true
  const concurrency = Number(env.WEB_CONCURRENCY)
  return Number.isFinite(concurrency) && concurrency > 1
}

/**
 * Whether the option a dropped Django dotted path stood for has since been given in Node: a
 * function (or, for `AXES_HANDLER`, a handler object; for `AXES_COOLOFF_TIME`, any cool-off).
 */
function replacedInNode(djangoName: string, options: ResolvedOptions): boolean {
  const option = optionOfDjangoName(djangoName)
  const value: unknown = (options as unknown as Record<string, unknown>)[option]
  if (option === 'handler') return typeof value === 'object' && value !== null
  if (option === 'cooloffTime') return value !== null
  return typeof value === 'function'
}

/**
 * The static checks of one instance's options and handler. `unresolvedDjangoPaths` are the Django
 * settings whose dotted paths `fromDjangoSettings` dropped; those replaced since are not reported.
 */
export function staticChecks(
  options: ResolvedOptions,
  handler: AxesHandler,
  unresolvedDjangoPaths: readonly string[] = [],
  env: NodeJS.ProcessEnv = processEnv(),
): AxesCheck[] {
  const checks: AxesCheck[] = []
  if (handler.kind === 'cache' && !handler.shared) checks.push(makeCheck('axes.W001'))
  if (options.deprecatedGiven.length > 0) {
    const names = options.deprecatedGiven.map((name) =>
      name === 'logger' ? 'logger (AXES_LOGGER)' : name,
    )
    checks.push(makeCheck('axes.W004', { names: names.join(', ') }))
  }
  const unresolved = unresolvedDjangoPaths.filter((name) => !replacedInNode(name, options))
  if (unresolved.length > 0) {
    checks.push(makeCheck('axes.W005', { names: unresolved.join(', ') }))
  }
  const params = options.lockoutParameters
  if (Array.isArray(params)) {
    const hasIp = params.some((item) =>
      typeof item === 'string' ? item === 'ip_address' : item.includes('ip_address'),
    )
    if (!hasIp) checks.push(makeCheck('axes.W006'))
  }
  if (options.lockoutTiers.length > 0 && options.cooloffTime !== null) {
    checks.push(makeCheck('axes.W007'))
  }
  if (options.enabled && options.lockoutTiers.length === 0 && options.cooloffTime === null) {
    checks.push(makeCheck('axes.W014'))
  }
  if (!handler.shared && handler.kind === 'memory' && multiProcessSigns(env)) {
    checks.push(makeCheck('axes.W010', { handler: handler.name }))
  }
  const readsHeader = options.ipwareMetaPrecedenceOrder.some((key) => key !== 'REMOTE_ADDR')
  const proxyConfigured =
    options.ipwareProxyCount !== null ||
    (options.ipwareProxyTrustedIps !== null && options.ipwareProxyTrustedIps.length > 0)
  if (proxyConfigured && !readsHeader && !options.clientIpCallable) {
    checks.push(makeCheck('axes.W011'))
  }
  return checks
}

/** The deprecated option names, re-exported for the docs' checks reference. */
export const DEPRECATED_OPTION_NAMES: readonly string[] = DEPRECATED_OPTIONS
