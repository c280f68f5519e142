/**
 * node-axes for NestJS (Express and Fastify platforms): `AxesModule.forRoot({ axes })` (or
 * `forRootAsync`) provides the instance; `@AxesLogin()` guards a login route whose handler checks
 * the password of `@AxesCredentials()` and throws `UnauthorizedException` when it is wrong;
 * `AxesAuthGuard('local')` does the same for a `@nestjs/passport` strategy. A refusal is an
 * `AxesLockoutException` (an `HttpException`), answered by Nest's exception layer.
 *
 * @example
 * ```ts
 * import { Controller, Module, Post, UnauthorizedException } from '@nestjs/common'
 * import { createAxes } from 'node-axes'
 * import { AxesCredentials, AxesLogin, AxesModule, type LoginCredentials } from 'node-axes/nestjs'
 *
 * @Controller()
 * class LoginController {
 *   @Post('login')
 *   @AxesLogin()
 *   login(@AxesCredentials() { username, password }: LoginCredentials) {
 *     if (!users.verify(username, password)) throw new UnauthorizedException()
 *     return { username }
 *   }
 * }
 *
 * @Module({
 *   imports: [AxesModule.forRoot({ axes: createAxes({ failureLimit: 5, cooloffTime: '15m' }) })],
 *   controllers: [LoginController],
 * })
 * export class AppModule {}
 * ```
 *
 * @module
 */

export type { LoginCredentials } from '../shared/login.js'
export {
  type AxesLockoutBody,
  AxesLockoutException,
  type NestHttpRequest,
  toAxesRequest,
} from './exception.js'
export { AxesCredentials, AxesLogin, AxesLoginInterceptor } from './login.js'
export {
  AXES,
  AXES_MODULE_OPTIONS,
  AxesModule,
  type AxesModuleAsyncOptions,
  type AxesModuleOptions,
  type AxesOptionsFactory,
} from './module.js'
export { AxesAuthGuard, type AxesAuthGuardOptions } from './passport.js'
