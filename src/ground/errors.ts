/**
 * Every error node-axes throws is an `AxesError` with a stable `code`, a message a person can act
 * on, and the original error as `cause` where there is one. Each code has its section in
 * docs/errors.md (test/docs/help-links.test.ts holds every code thrown in src/ to it).
 */
export class AxesError extends Error {
  /** A stable, machine-readable code such as `AXES_INVALID_OPTIONS`. */
  readonly code: string

  constructor(code: string, message: string, options?: ErrorOptions) {
    super(`[node-axes] ${message}`, options)
    this.name = 'AxesError'
    this.code = code
  }
}

/** One problem found in the options given to `createAxes` or `fromDjangoSettings`. */
export interface OptionIssue {
  /** The option's name, e.g. `failureLimit`, or `AXES_FAILURE_LIMIT` for Django settings. */
  key: string
  /** What is wrong and what the option accepts. */
  message: string
}

/**
 * Thrown by `createAxes` (and `fromDjangoSettings`) when options are invalid. The message names
 * every bad key at once; `issues` holds them one by one.
 */
export class AxesConfigError extends AxesError {
  /** Each bad key with what it accepts. */
  readonly issues: readonly OptionIssue[]

  constructor(issues: readonly OptionIssue[], subject = 'options') {
    const lines = issues.map((issue) => `  - ${issue.key}: ${issue.message}`).join('\n')
    super(
      'AXES_INVALID_OPTIONS',
      `invalid ${subject} (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n${lines}`,
    )
    this.name = 'AxesConfigError'
    this.issues = issues
  }
}

/**
 * Thrown (or reported in a decision) when the handler's store fails: a database or Redis error, a
 * timeout, a full memory store. `onStoreError` decides whether the login is refused or let through.
 */
export class AxesStoreError extends AxesError {
  constructor(message: string, options?: ErrorOptions) {
    super('AXES_STORE_UNAVAILABLE', message, options)
    this.name = 'AxesStoreError'
  }
}

/** Thrown when one of the application's own callables (username, IP, failure limit, …) fails. */
export class AxesCallableError extends AxesError {
  /** The option whose function failed, e.g. `usernameCallable`. */
  readonly option: string

  constructor(option: string, cause: unknown) {
    super(
      'AXES_CALLABLE_FAILED',
      `the function given as ${option} failed: ${describeError(cause)}`,
      { cause },
    )
    this.name = 'AxesCallableError'
    this.option = option
  }
}

/**
 * The error for a node-axes function called with an argument, or in a state, it cannot work with
 * (a programming mistake, not bad input from a client): code `AXES_INVALID_ARGUMENT`.
 */
export function invalidArgument(message: string): AxesError {
  return new AxesError('AXES_INVALID_ARGUMENT', message)
}

/** A short description of anything thrown. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message
  try {
    return String(error)
  } catch {
    return 'unknown error'
  }
}
