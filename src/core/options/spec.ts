/**
 * The shape of one row of the options table: how an option is checked, its default, how it
 * resolves, and which django-axes setting carries it. The types `AxesOptions` and
 * `ResolvedOptions` are mapped from the rows (see ../options.ts).
 */

import { type Check, fnOrNull } from './validators.js'

/**
 * How a Django setting's value becomes the option's value (`fromDjangoSettings` implements each):
 * `value` as is; `valueOrPath` a value or a dotted path to a callable (which Node cannot import:
 * check axes.W005); `path` always a dotted path; `cooloff` a duration, a timedelta or a path;
 * `tiers` a list of tiers; `handler` a handler class's path; `template` a template name;
 * `deprecatedLogger` django-axes' `AXES_LOGGER`.
 */
export type DjangoKind =
  | 'value'
  | 'valueOrPath'
  | 'path'
  | 'cooloff'
  | 'tiers'
  | 'handler'
  | 'template'
  | 'deprecatedLogger'

/** The options as given, for resolvers that read another option (they run after validation). */
export type GivenOptions = Readonly<Record<string, unknown>>

/**
 * One option: `In` is what `createAxes` accepts, `Out` what the engine reads after defaults.
 * Without `resolve`, the resolved value is the given one, else `fallback`.
 */
export interface OptionSpec<In, Out = Exclude<In, undefined>> {
  /** What the option accepts. */
  readonly check: Check
  /** The default, when the option is not given and there is no `resolve`. */
  readonly fallback?: Out
  /** Computes the resolved value from the given one (undefined when not given). */
  readonly resolve?: (value: In | undefined, given: GivenOptions) => Out
  /** The `ResolvedOptions` field it fills, when not its own name. */
  readonly into?: string
  /**
   * Whether a django-axes setting carries it: its name is always `AXES_` and the option's name in
   * upper snake case (`failureLimit` is `AXES_FAILURE_LIMIT`; see `djangoName`).
   */
  readonly django?: true
  /** How the Django value converts; `value` when absent. */
  readonly djangoKind?: DjangoKind
  /**
   * django-axes' default, where node-axes' own differs (docs/configuration.md, "node-axes'
   * defaults"): `fromDjangoSettings` sets it when the Django setting is absent, so that a Django
   * project moving over keeps django-axes' behaviour. Computed from the options converted so far.
   */
  readonly djangoDefault?: (converted: GivenOptions) => In
  /** Types only: what the option accepts. Never set. */
  readonly accepts?: In
}

/** A deprecated django-axes option: accepted, reported by check axes.W004, never resolved. */
export interface DeprecatedSpec<In> extends OptionSpec<In, never> {
  readonly deprecated: true
}

/**
 * The django-axes setting of an option whose row says `django: true`: `AXES_` and the name in upper
 * snake case (`resetCoolOffOnFailureDuringLockout` is `AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT`).
 */
export function djangoName(option: string): string {
  return `AXES_${option.replace(/[A-Z]/g, '_$&').toUpperCase()}`
}

/** The option of a django-axes setting (`djangoName`'s inverse): `AXES_FAILURE_LIMIT` is `failureLimit`. */
export function optionOfDjangoName(name: string): string {
  return name
    .slice(5)
    .toLowerCase()
    .replace(/_(.)/g, (_, letter: string) => letter.toUpperCase())
}

/** A row of the options table, typed by what the option accepts (and resolves to). */
export const option = <In, Out = Exclude<In, undefined>>(
  spec: OptionSpec<In, Out>,
): OptionSpec<In, Out> => spec

/**
 * The row of a django-axes setting whose Django value is taken as it is, in short: what it
 * accepts (`check`) and its default (`fallback`). The same as
 * `option({ check, fallback, django: true })`.
 */
export const setting = <In>(check: Check, fallback: Exclude<In, undefined>): OptionSpec<In> => ({
  check,
  fallback,
  django: true,
})

/**
 * The row of a django-axes setting that names a callable by its dotted path in Django: a function
 * here (`Fn`), or null, the default. The same as
 * `option({ check: fnOrNull, fallback: null, django: true, djangoKind: 'path' })`.
 */
export const pathSetting = <Fn>(): OptionSpec<Fn | null> => ({
  check: fnOrNull,
  fallback: null,
  django: true,
  djangoKind: 'path',
})

/**
 * The row of a node-axes option that has no django-axes setting, in short: what it accepts
 * (`check`) and its default (`fallback`). The same as `option({ check, fallback })`.
 */
export const nodeOption = <In>(check: Check, fallback: Exclude<In, undefined>): OptionSpec<In> => ({
  check,
  fallback,
})

/** The row of a deprecated django-axes setting: accepted (`check`), reported, never resolved. */
export const deprecatedSetting = <In>(check: Check): DeprecatedSpec<In> => ({
  check,
  deprecated: true,
  django: true,
})

/** What an option row accepts. */
export type InputOf<S> = S extends OptionSpec<infer In, infer _Out> ? In : never

/** What an option row resolves to. */
export type OutputOf<S> = S extends OptionSpec<infer _In, infer Out> ? Out : never

/** The options a table accepts, each optional, with the rows' doc comments. */
export type InputsOf<T> = { [K in keyof T]?: InputOf<T[K]> }

/** What a table resolves to: every row but the deprecated ones, under its own name. */
export type OutputsOf<T> = {
  [K in keyof T as T[K] extends { readonly deprecated: true } ? never : K]: OutputOf<T[K]>
}
