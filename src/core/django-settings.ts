/**
 * `fromDjangoSettings`: carries a Django project's `AXES_*` settings over to node-axes options, so
 * that a team moving from Django (or sharing a database with a Django service) keeps its
 * configuration.
 */

import { AxesConfigError, type OptionIssue } from '../ground/errors.js'
import { UNRESOLVED_DJANGO_PATHS } from './django-marker.js'
import { type DjangoKind, djangoName, type OptionSpec } from './options/spec.js'
import { OPTION_TABLE } from './options/table.js'
import { type AxesOptions, resolveOptions } from './options.js'

/** A Django settings object with JSON-able values (as `json.dumps` of the settings would give). */
export type DjangoSettings = Readonly<Record<string, unknown>>

/** How one setting is carried over: to which option, converted how (see `DjangoKind`). */
type Conversion = { option: keyof AxesOptions; kind: DjangoKind } | { kind: 'ignored' }

/**
 * Every django-axes 8.3.1 setting (and the two on its main branch) and its node-axes option, from
 * the options table's `django` column; `AXES_CACHE` has no option.
 */
export const DJANGO_SETTINGS: Readonly<Record<string, Conversion>> = Object.fromEntries([
  ...Object.entries(OPTION_TABLE as Readonly<Record<string, OptionSpec<unknown, unknown>>>)
    .filter(([, row]) => row.django)
    .map(([option, row]) => [djangoName(option), { option, kind: row.djangoKind ?? 'value' }]),
  ['AXES_CACHE', { kind: 'ignored' }],
])

const ROWS = OPTION_TABLE as Readonly<Record<string, OptionSpec<unknown, unknown>>>

const HANDLERS: Record<string, AxesOptions['handler'] | 'database'> = {
  'axes.handlers.database.AxesDatabaseHandler': 'database',
  'axes.handlers.dummy.AxesDummyHandler': 'dummy',
  'axes.handlers.test.AxesTestHandler': 'test',
}

const ISO_DURATION = /^P(?:\d+W)?(?:\d+D)?(?:T(?:\d+H)?(?:\d+M)?(?:\d+(?:[.,]\d+)?S)?)?$/i

/** A timedelta as JSON may carry it: `{ days, seconds, microseconds }`. */
function timedeltaObject(input: unknown): { milliseconds: number } | null {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return null
  const record = input as Record<string, unknown>
  const keys = Object.keys(record)
  if (
    keys.length === 0 ||
    !keys.every((k) => k === 'days' || k === 'seconds' || k === 'microseconds')
  ) {
    return null
  }
  const days = Number(record.days ?? 0)
  const seconds = Number(record.seconds ?? 0)
  const micro = Number(record.microseconds ?? 0)
  return { milliseconds: days * 86_400_000 + seconds * 1000 + micro / 1000 }
}

function durationValue(input: unknown): unknown {
  return timedeltaObject(input) ?? input
}

/**
 * Turns a Django settings object (JSON-able values) into node-axes options. Dotted paths to
 * callables cannot be imported in Node: they are left out and reported by `createAxes` as check
 * axes.W005, so pass those as functions (spread the result and add them; W005 then names only the
 * paths not yet replaced). Settings that are not django-axes settings are ignored;
 * an `AXES_*` key that django-axes 8.3.1 does not know is refused (django-axes would ignore it
 * silently). Values are validated as `createAxes` validates them, with errors under their Django
 * names.
 *
 * @example
 * ```ts
 * import { createAxes, fromDjangoSettings } from 'node-axes'
 *
 * const axes = createAxes(fromDjangoSettings({ AXES_FAILURE_LIMIT: 5, AXES_COOLOFF_TIME: 0.25 }))
 * ```
 */
export function fromDjangoSettings(settings: DjangoSettings): AxesOptions {
  if (typeof settings !== 'object' || settings === null || Array.isArray(settings)) {
    throw new AxesConfigError(
      [{ key: '(settings)', message: 'expects an object of Django settings' }],
      'Django settings',
    )
  }
  const options: Record<string, unknown> = {}
  const unresolved: string[] = []
  const issues: OptionIssue[] = []
  const nameOf = new Map<string, string>()

  for (const [name, raw] of Object.entries(settings)) {
    if (!name.startsWith('AXES_')) continue
    const conversion = DJANGO_SETTINGS[name]
    if (!conversion) {
      issues.push({
        key: name,
        message: 'is not a django-axes 8.3.1 setting (django-axes ignores it silently; remove it)',
      })
      continue
    }
    if (conversion.kind === 'ignored' || raw === undefined) continue
    nameOf.set(conversion.option, name)
    switch (conversion.kind) {
      case 'value':
        options[conversion.option] = raw
        break
      case 'valueOrPath':
      case 'path':
        if (typeof raw === 'string') unresolved.push(name)
        else if (raw !== null && conversion.kind === 'valueOrPath') options[conversion.option] = raw
        else if (raw !== null) {
          issues.push({ key: name, message: 'expects a dotted path or null' })
        }
        break
      case 'cooloff':
        if (typeof raw === 'string' && !ISO_DURATION.test(raw.trim())) unresolved.push(name)
        else options.cooloffTime = raw === null ? null : durationValue(raw)
        break
      case 'tiers':
        options.lockoutTiers = raw === null ? null : convertTiers(raw)
        break
      case 'handler':
        if (raw === null) break
        if (typeof raw !== 'string') {
          issues.push({ key: name, message: 'expects a dotted path to a handler class' })
          break
        }
        if (HANDLERS[raw] !== undefined) options.handler = HANDLERS[raw]
        else unresolved.push(name)
        break
      case 'template':
        if (typeof raw === 'string') unresolved.push(name)
        break
      case 'deprecatedLogger':
        options.logger = typeof raw === 'string' ? raw : 'axes.watch_login'
        break
    }
  }
  // django-axes' defaults where node-axes' own differ, so that a Django project sees no change
  // (also under a dotted path that is dropped, so that check axes.W005 still names it).
  for (const [option, row] of Object.entries(ROWS)) {
    if (row.djangoDefault !== undefined && options[option] === undefined) {
      options[option] = row.djangoDefault(options)
    }
  }
  // django-ipware (5 and later) replaces the precedence order with this global setting when set.
  const globalOrder = settings.IPWARE_META_PRECEDENCE_ORDER
  if (Array.isArray(globalOrder)) {
    options.ipwareMetaPrecedenceOrder = globalOrder
    nameOf.set('ipwareMetaPrecedenceOrder', 'IPWARE_META_PRECEDENCE_ORDER')
  }

  if (issues.length === 0) {
    try {
      resolveOptions(options as AxesOptions)
    } catch (error) {
      if (!(error instanceof AxesConfigError)) throw error
      for (const issue of error.issues) {
        issues.push({ key: nameOf.get(issue.key) ?? issue.key, message: issue.message })
      }
    }
  }
  if (issues.length > 0) throw new AxesConfigError(issues, 'Django settings')

  if (unresolved.length > 0) {
    // Enumerable, so that `{ ...fromDjangoSettings(s), usernameCallable }` keeps it (a symbol key
    // is never taken for an option); createAxes reports only the paths still not replaced.
    Object.defineProperty(options, UNRESOLVED_DJANGO_PATHS, {
      value: unresolved,
      enumerable: true,
    })
  }
  return options as AxesOptions
}

function convertTiers(raw: unknown): unknown {
  if (!Array.isArray(raw)) return raw
  return raw.map((tier: unknown) => {
    if (Array.isArray(tier) && tier.length === 2) {
      return { failures: tier[0], cooloff: durationValue(tier[1]) }
    }
    if (typeof tier === 'object' && tier !== null) {
      const { failures, cooloff } = tier as Record<string, unknown>
      return { failures, cooloff: durationValue(cooloff) }
    }
    return tier
  })
}
