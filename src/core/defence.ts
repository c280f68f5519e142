/**
 * Defences as the engine applies them around the handler: objects made by factories in their own
 * subpaths (`deviceCookies()` from `node-axes/device-cookies`, `sprayDetection()` from
 * `node-axes/spray-detection`, `challenges()` from `node-axes/challenges`, `repeatPasswords()` from
 * `node-axes/repeat-passwords`), so that an application that configures none carries none of their
 * code. The engine calls each step it has, in order: `screen` before counting, `repeated` before a
 * failure is recorded, `failed` after a recorded failure, `succeeded` after a successful login; the
 * lockout response asks `respond` for a refusal of the defence's own.
 */

import type { AxesHandler, ResetFilter } from '../ground/contract.js'
import type { AxesRequest, Credentials } from '../ground/request.js'
import type { InstanceContext } from './context.js'
import type { ResolvedOptions } from './options.js'
import type { Counted, Prepared } from './preparation.js'
import type { AxesResponse, LockoutDecision } from './types.js'

/** A defence: what the engine calls around the handler. Store errors may be thrown. */
export interface LoginDefence {
  /** Called once per instance by `createAxes`: throws an `AxesConfigError` when it cannot work. */
  check?(context: InstanceContext): void
  /**
   * Before the handler counts the attempt: a final decision (refused, nothing counted), or the
   * attempt to count, changed or not. `reported` is true for `loginFailed`, a failure the
   * application reports after its own password check (a gate before that check cannot apply).
   */
  screen?(
    context: InstanceContext,
    request: AxesRequest,
    counted: Counted,
    rawIp: string | null,
    reported?: boolean,
  ): Promise<Prepared>
  /**
   * Before the failure of a counted attempt is recorded: true when it is not to be counted (the
   * same wrong password again); the attempt still fails.
   */
  repeated?(
    context: InstanceContext,
    request: AxesRequest,
    credentials: Credentials | null,
    counted: Counted,
  ): Promise<boolean>
  /** After a failure of the attempt was recorded (the decision may be marked). */
  failed?(
    context: InstanceContext,
    request: AxesRequest,
    counted: Counted,
    decision: LockoutDecision,
  ): Promise<void>
  /**
   * After `axes.reset(filter)`: forget what the defence keeps in this process for `handler` that
   * the reset covers (shared handlers forget what they keep in their own `resetAttempts`).
   */
  reset?(handler: AxesHandler, filter: ResetFilter): Promise<void>
  /** After a successful login (the decision may be given what the response must carry). */
  succeeded?(context: InstanceContext, decision: LockoutDecision): Promise<void>
  /** The response (and the message) for a refusal of this defence's own, if it has any. */
  respond?(request: AxesRequest, decision: LockoutDecision): AxesResponse
  /** The message of a refusal of this defence's own. */
  readonly message?: string
}

/** The defences the options configure, in the order the engine applies them. */
export function defencesOf(o: ResolvedOptions): LoginDefence[] {
  return [o.sprayDetection, o.deviceCookies, o.challenges, o.repeatPasswords].filter(
    Boolean,
  ) as LoginDefence[]
}

/**
 * Screens an attempt through each defence in turn, until one answers with a final decision; a
 * defence's store error becomes the decision `storeFailure` makes of it.
 */
export async function screenAll(
  defences: readonly LoginDefence[],
  context: InstanceContext,
  request: AxesRequest,
  counted: Counted,
  rawIp: string | null,
  storeFailure: (error: unknown) => LockoutDecision,
  reported: boolean,
): Promise<Prepared> {
  let prepared: Prepared = counted
  try {
    for (const defence of defences) {
      if (prepared.kind === 'final') break
      prepared = (await defence.screen?.(context, request, prepared, rawIp, reported)) ?? prepared
    }
    return prepared
  } catch (error) {
    return { kind: 'final', decision: storeFailure(error) }
  }
}

/**
 * Whether a defence finds a failed attempt not to be counted (the same wrong password again); a
 * defence's store error is reported and the failure counted.
 */
export async function isRepeat(
  defences: readonly LoginDefence[],
  context: InstanceContext,
  request: AxesRequest,
  credentials: Credentials | null,
  counted: Counted,
  onError: (error: unknown) => unknown,
): Promise<boolean> {
  for (const defence of defences) {
    const repeated = defence.repeated?.(context, request, credentials, counted)
    if (repeated && (await repeated.catch(onError)) === true) return true
  }
  return false
}
