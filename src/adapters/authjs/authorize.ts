/**
 * Auth.js' `axesAuthorize`: the Credentials provider's `authorize` wrapped so that a locked-out
 * client is refused before the password check and its failures and successes are recorded; a
 * refusal is a `CredentialsSignin` with its own `code`, as Auth.js reports sign-in errors.
 */

import { CredentialsSignin } from '@auth/core/errors'
import type { Axes } from '../../compose/axes.js'
import { loginValue, MALFORMED } from '../../core/identity.js'
import type { DecisionReason, LockoutDecision } from '../../core/types.js'
import { invalidArgument } from '../../ground/errors.js'
import { type ClientAddressSource, clientAddressOf, toAxesRequest } from '../web/request.js'

/** The `code` of the `CredentialsSignin` for each refusal (it goes into the redirect URL). */
const CODES: Partial<Record<DecisionReason, string>> = {
  lockedOut: 'locked_out',
  blacklisted: 'blacklisted',
  tooManyInFlight: 'too_many_attempts',
  malformedCredentials: 'malformed_credentials',
  storeError: 'login_unavailable',
  challengeRequired: 'challenge_required',
}

/**
 * A sign-in refused by node-axes, as Auth.js reports a failed credentials sign-in: the redirect
 * to the sign-in (or error) page carries `error=CredentialsSignin&code=locked_out` (or
 * `blacklisted`, `too_many_attempts`, `malformed_credentials`, `login_unavailable`,
 * `challenge_required`), and
 * `signIn(…, { redirect: false })` returns that `code`.
 */
export class AxesCredentialsSignin extends CredentialsSignin {
  /** node-axes' decision. */
  readonly decision: LockoutDecision

  constructor(decision: LockoutDecision) {
    super(`node-axes refused the sign-in (${decision.reason})`)
    this.code = CODES[decision.reason] ?? 'locked_out'
    this.decision = decision
  }
}

/** Options of `axesAuthorize`. */
export interface AxesAuthorizeOptions {
  /**
   * Where the client address comes from (required: none is guessed): a function of the `Request`
   * Auth.js passes `authorize`, returning one IP address, e.g. `trustedHeader('x-real-ip')` behind
   * a proxy that sets it, or a header your server sets from the socket (see docs/authjs.md).
   */
  clientAddress: ClientAddressSource<[]>
  /**
   * The credentials field that names the account, as `authorize` reads it.
   * @default the instance's `usernameFormField` ('username')
   */
  usernameField?: string
  /**
   * The credentials field of the password.
   * @default the instance's `passwordFormField` ('password')
   */
  passwordField?: string
  /**
   * Verifies the challenge (a CAPTCHA) the sign-in carries, for the `challenges` option
   * (node-axes/challenges): true when it passed (a token among the credentials, for example).
   * Called at most once per sign-in, only when the attempt needs a challenge; without a passed
   * one the sign-in is refused with code `challenge_required` and `authorize` does not run.
   */
  verifyChallenge?: (
    credentials: Record<string, unknown>,
    request: Request,
  ) => boolean | Promise<boolean>
}

/** Auth.js' `authorize`: the credentials submitted and the request; a user, or null. */
export type AuthorizeFunction<Credentials, User> = (
  credentials: Credentials,
  request: Request,
) => User | null | undefined | Promise<User | null | undefined>

/**
 * Wraps a Credentials provider's `authorize`: before it runs, node-axes reserves an attempt for
 * the account it will check (`credentials[usernameField]`, exactly the value `authorize`
 * receives) and the client address; a locked-out client gets `AxesCredentialsSignin` (code
 * `locked_out`) and `authorize` does not run. `authorize` returning no user (or throwing
 * `CredentialsSignin`) records a failure, and the failure that reaches the limit is refused as a
 * lockout; a user records the login; any other error releases the place. A username or password
 * that is not one text value (a JSON array or object) is refused (code `malformed_credentials`)
 * and nothing is counted.
 *
 * @example
 * ```ts
 * Credentials({
 *   credentials: { email: {}, password: {} },
 *   authorize: axesAuthorize(axes, (c) => users.verify(c.email, c.password),
 *     { usernameField: 'email', clientAddress: trustedHeader('x-real-ip') }),
 * })
 * ```
 */
export function axesAuthorize<Credentials extends Record<string, unknown>, User>(
  axes: Axes,
  authorize: AuthorizeFunction<Credentials, User>,
  options: AxesAuthorizeOptions,
): (credentials: Credentials, request: Request) => Promise<User | null> {
  const source = (options as Partial<AxesAuthorizeOptions> | undefined)?.clientAddress
  if (typeof source !== 'function') {
    throw invalidArgument(
      "axesAuthorize needs a clientAddress source, e.g. trustedHeader('x-real-ip') behind a proxy " +
        'that sets it. Without one every client would share one bucket.',
    )
  }
  const { usernameFormField: userField, passwordFormField: passField } = axes.options
  const usernameField = options.usernameField ?? userField
  const passwordField = options.passwordField ?? passField
  return async (credentials, request) => {
    const fields = (credentials ?? {}) as Record<string, unknown>
    const core: Record<string, unknown> = {}
    if (fields[usernameField] !== undefined) core[userField] = fields[usernameField]
    if (fields[passwordField] !== undefined) core[passField] = fields[passwordField]
    const axesRequest = toAxesRequest(request, clientAddressOf(source, request, []), core)
    axes.attach(axesRequest)
    const check = options.verifyChallenge
    if (check) axesRequest.challenge = () => check(fields, request)
    const reservation = await axes.reserve(axesRequest, core)
    if (!reservation.decision.allowed) throw new AxesCredentialsSignin(reservation.decision)
    let user: User | null | undefined
    try {
      user = await authorize(credentials, request)
    } catch (error) {
      if (!(error instanceof CredentialsSignin)) {
        await reservation.release()
        throw error
      }
      const after = await reservation.failed()
      throw after.allowed ? error : new AxesCredentialsSignin(after)
    }
    if (!user) {
      const after = await reservation.failed()
      if (!after.allowed) throw new AxesCredentialsSignin(after)
      return null
    }
    const counted = loginValue(fields[usernameField])
    await reservation.succeeded(counted === MALFORMED ? user : (counted ?? user))
    return user
  }
}
