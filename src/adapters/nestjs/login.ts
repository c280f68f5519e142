/**
 * NestJS login routes guarded by node-axes: `@AxesLogin()` marks a route and applies
 * `AxesLoginInterceptor`, which reserves an attempt before the handler runs and records what the
 * handler answers; `@AxesCredentials()` hands the handler exactly the credentials counted.
 */

import {
  applyDecorators,
  type CallHandler,
  createParamDecorator,
  type ExecutionContext,
  HttpException,
  HttpStatus,
  Inject,
  Injectable,
  type NestInterceptor,
  UseInterceptors,
} from '@nestjs/common'
import { catchError, from, mergeMap, type Observable, of } from 'rxjs'
import type { Axes } from '../../compose/axes.js'
import { type LoginCredentials, readCredentials } from '../shared/login.js'
import {
  lockoutException,
  type NestHttpRequest,
  type NestHttpResponse,
  toAxesRequest,
} from './exception.js'
import { AXES } from './module.js'

/** Where the interceptor leaves the credentials it counted, on the request. */
const COUNTED = Symbol('node-axes counted credentials')

/** The request with the credentials the interceptor counted. */
interface CountedRequest extends NestHttpRequest {
  [COUNTED]?: LoginCredentials
}

/** Whether an error is the handler's "wrong credentials": an HttpException with status 401. */
function isWrongCredentials(error: unknown): boolean {
  return error instanceof HttpException && error.getStatus() === HttpStatus.UNAUTHORIZED
}

/**
 * The interceptor behind `@AxesLogin()` (django-axes' `axes_dispatch`): reads the username and
 * password from the parsed body (`usernameFormField`, `passwordFormField`), reserves an attempt,
 * and throws `AxesLockoutException` for a refused client before the handler runs (a login whose
 * username or password is not one text value is refused with 400, nothing counted). Then:
 * - the handler returns: the login succeeded (access log, reset on success);
 * - the handler throws a 401 (`UnauthorizedException`): a failure is recorded, and the failure
 *   that reaches the limit is answered with `AxesLockoutException` instead;
 * - the handler throws anything else: the place is released, nothing recorded.
 *
 * Parallel guesses reach the handler at most `failureLimit` times.
 */
export class AxesLoginInterceptor implements NestInterceptor {
  constructor(private readonly axes: Axes) {}

  /** Guards one call of a login route. */
  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const axes = this.axes
    const http = context.switchToHttp()
    const req = http.getRequest<CountedRequest>()
    const res = http.getResponse<NestHttpResponse>()
    const request = toAxesRequest(req)
    axes.attach(request)
    const credentials = readCredentials(axes, req.body)
    const reservation = await axes.reserve(request, credentials.core)
    if (!reservation.decision.allowed) {
      throw await lockoutException(axes, request, reservation.decision, credentials.core, res)
    }
    req[COUNTED] = credentials.verify
    const settle = async (outcome: { value: unknown } | { error: unknown }) => {
      if ('value' in outcome) {
        await reservation.succeeded(outcome.value)
        return outcome.value
      }
      if (!isWrongCredentials(outcome.error)) {
        await reservation.release()
        throw outcome.error
      }
      const after = await reservation.failed()
      if (after.allowed) throw outcome.error
      throw await lockoutException(axes, request, after, credentials.core, res)
    }
    let handled: Observable<unknown>
    try {
      handled = next.handle()
    } catch (error) {
      return from(settle({ error }))
    }
    // The handler's error first (a wrong password), then its answer (one login, one success).
    let done = false
    return handled.pipe(
      catchError((error: unknown) => from(settle({ error }))),
      mergeMap((value) => {
        if (done) return of(value)
        done = true
        return from(settle({ value }))
      }),
    )
  }
}

Inject(AXES)(AxesLoginInterceptor, undefined, 0)
Injectable()(AxesLoginInterceptor)

/**
 * Marks a route as a login route guarded by node-axes (applies `AxesLoginInterceptor`). The
 * handler checks the password of `@AxesCredentials()` and throws `UnauthorizedException` when it
 * is wrong. Needs `AxesModule` in the application.
 *
 * @example
 * ```ts
 * @Post('login')
 * @AxesLogin()
 * login(@AxesCredentials() { username, password }: LoginCredentials) {
 *   const user = this.users.verify(username, password)
 *   if (!user) throw new UnauthorizedException()
 *   return { user }
 * }
 * ```
 */
export function AxesLogin(): MethodDecorator & ClassDecorator {
  return applyDecorators(UseInterceptors(AxesLoginInterceptor))
}

/**
 * The credentials node-axes counted for this login (`{ username, password }`, strings, also under
 * `usernameFormField` and `passwordFormField`): check the password of exactly these, so that the
 * identity counted is the identity checked. Only on a route marked `@AxesLogin()`.
 */
export const AxesCredentials: () => ParameterDecorator = createParamDecorator(
  (_data: unknown, context: ExecutionContext): LoginCredentials => {
    const credentials = context.switchToHttp().getRequest<CountedRequest>()[COUNTED]
    if (!credentials) {
      throw new Error('@AxesCredentials() is only available on a route marked @AxesLogin()')
    }
    return credentials
  },
)
