/**
 * NestJS with `@nestjs/passport`: `AxesAuthGuard('local')` in place of `AuthGuard('local')` runs
 * the application's Passport strategy through node-axes' `axesStrategy`, and answers a refusal
 * through Nest's exception layer.
 */

import {
  BadRequestException,
  type CanActivate,
  type ExecutionContext,
  Inject,
  Injectable,
  type Type,
  UnauthorizedException,
} from '@nestjs/common'
import type { Axes } from '../../compose/axes.js'
import { AxesError } from '../../ground/errors.js'
import {
  type AxesLockoutInfo,
  axesStrategy,
  type PassportStrategyLike,
  toAxesRequest,
} from '../passport/strategy.js'
import { lockoutException, type NestHttpResponse } from './exception.js'
import { AXES } from './module.js'

/** The parts of Passport's authenticator the guard uses (`passport`'s default export). */
interface PassportLike {
  _strategy(name: string): PassportStrategyLike | undefined
  // biome-ignore lint/suspicious/noExplicitAny: Passport's own signature.
  authenticate(strategy: PassportStrategyLike, options: object, callback: any): any
}

/** Options of `AxesAuthGuard`. */
export interface AxesAuthGuardOptions {
  /**
   * Where the user goes on the request, as `AuthGuard`'s `property`.
   * @default 'user'
   */
  property?: string
}

/** Each registered strategy wrapped once per instance. */
const wrapped = new WeakMap<Axes, WeakMap<PassportStrategyLike, PassportStrategyLike>>()

function guarded(axes: Axes, strategy: PassportStrategyLike): PassportStrategyLike {
  let byStrategy = wrapped.get(axes)
  if (!byStrategy) {
    byStrategy = new WeakMap()
    wrapped.set(axes, byStrategy)
  }
  let guard = byStrategy.get(strategy)
  if (!guard) {
    guard = axesStrategy(axes, strategy, { lockout: 'fail' })
    byStrategy.set(strategy, guard)
  }
  return guard
}

/** Passport's authenticator, loaded when the first login comes (it is an optional peer). */
let passportModule: Promise<PassportLike> | null = null
function loadPassport(): Promise<PassportLike> {
  passportModule ??= import('passport').then(
    (module) => ((module as { default?: unknown }).default ?? module) as PassportLike,
  )
  return passportModule
}

/**
 * A guard for a login route, in place of `@nestjs/passport`'s `AuthGuard(type)`: the strategy
 * registered under `type` (a `PassportStrategy(Strategy)` provider) runs wrapped in node-axes'
 * `axesStrategy`. A locked-out client is refused with `AxesLockoutException` before the strategy
 * runs (its `validate` is never called); the strategy's failures are recorded (the failure that
 * reaches the limit is refused as a lockout, earlier ones with `UnauthorizedException`); a login
 * whose `validate` would receive another username than the one counted, or whose username or
 * password is not one text value, with `BadRequestException`. On success the user is on
 * `request.user`, as with `AuthGuard`.
 *
 * @example
 * ```ts
 * @Post('login')
 * @UseGuards(AxesAuthGuard('local'))
 * login(@Req() req) { return { user: req.user } }
 * ```
 */
export function AxesAuthGuard(
  type = 'local',
  options: AxesAuthGuardOptions = {},
): Type<CanActivate> {
  const property = options.property ?? 'user'
  class AxesPassportGuard implements CanActivate {
    constructor(private readonly axes: Axes) {}

    async canActivate(context: ExecutionContext): Promise<boolean> {
      const passport = await loadPassport()
      const strategy = passport._strategy(type)
      if (!strategy) {
        throw new AxesError(
          'AXES_INVALID_ARGUMENT',
          `AxesAuthGuard('${type}'): no Passport strategy is registered under that name (provide a PassportStrategy(Strategy, '${type}') in a module)`,
        )
      }
      const http = context.switchToHttp()
      const req = http.getRequest<Record<string, unknown>>()
      const res = http.getResponse<NestHttpResponse>()
      const user = await new Promise<unknown>((resolve, reject) => {
        // Passport sets the actions (success, fail…) on the strategy object it is given: one
        // object per request, as Passport makes for a strategy named by its name.
        passport.authenticate(
          Object.create(guarded(this.axes, strategy)) as PassportStrategyLike,
          { session: false },
          (error: unknown, user: unknown, info: unknown, status?: number) => {
            if (error) return reject(error)
            if (user) return resolve(user)
            this.refusal(req, res, info, status).then(reject, reject)
          },
        )(req, res, (error: unknown) => (error ? reject(error) : resolve(undefined)))
      })
      req[property] = user
      return true
    }

    /** The exception for a login that did not succeed. */
    async refusal(
      req: Record<string, unknown>,
      res: NestHttpResponse,
      info: unknown,
      status?: number,
    ): Promise<Error> {
      const lockout = info as AxesLockoutInfo | undefined
      if (lockout?.axesLockout) {
        const request = toAxesRequest(req as unknown as Parameters<typeof toAxesRequest>[0])
        return lockoutException(this.axes, request, lockout.decision, null, res, lockout.response)
      }
      const message = (info as { message?: unknown } | undefined)?.message
      if (status === 400) return new BadRequestException(message)
      return new UnauthorizedException()
    }
  }
  Inject(AXES)(AxesPassportGuard, undefined, 0)
  Injectable()(AxesPassportGuard)
  return AxesPassportGuard
}
