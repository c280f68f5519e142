/**
 * The NestJS apps the tests start: a login route guarded by `@AxesLogin()` and one guarded by
 * `AxesAuthGuard('local')` over a `@nestjs/passport` local strategy, on the Express or the Fastify
 * platform, listening on an ephemeral port.
 */

import {
  type ArgumentsHost,
  Catch,
  Controller,
  type ExceptionFilter,
  Get,
  HttpCode,
  Inject,
  Injectable,
  Module,
  Post,
  Req,
  UnauthorizedException,
  UseFilters,
  UseGuards,
} from '@nestjs/common'
import { NestFactory } from '@nestjs/core'
import { PassportModule, PassportStrategy } from '@nestjs/passport'
import { ExpressAdapter } from '@nestjs/platform-express'
import { FastifyAdapter } from '@nestjs/platform-fastify'
import { Strategy as LocalStrategy } from 'passport-local'
import {
  AxesAuthGuard,
  AxesCredentials,
  AxesLockoutException,
  AxesLogin,
  AxesModule,
  type LoginCredentials,
} from '../../../src/adapters/nestjs/index.js'
import type { Axes } from '../../../src/index.js'
import type { StartedApp } from '../shared/scenarios.js'

/** The password check every app uses; records the usernames it was asked about. */
export class Users {
  readonly checked: string[] = []
  verify(username: string, password: string): { username: string } | null {
    this.checked.push(username)
    return username === 'alice' && password === 'wonderland' ? { username } : null
  }
}

const USERS = Symbol('users')

/** Answers a lockout as the application's own page: what an exception filter sees. */
@Catch(AxesLockoutException)
class LockoutPage implements ExceptionFilter {
  catch(exception: AxesLockoutException, host: ArgumentsHost) {
    const res = host.switchToHttp().getResponse()
    const body = `filtered: ${exception.decision.client.username} ${exception.getStatus()}`
    if (typeof res.code === 'function') res.code(exception.getStatus()).send(body)
    else res.status(exception.getStatus()).send(body)
  }
}

@Controller()
class LoginController {
  constructor(@Inject(USERS) private readonly users: Users) {}

  @Post('login')
  @HttpCode(200)
  @AxesLogin()
  login(@AxesCredentials() { username, password }: LoginCredentials) {
    const user = this.users.verify(username, password)
    if (!user) throw new UnauthorizedException()
    return { welcome: user.username }
  }

  @Post('filtered-login')
  @HttpCode(200)
  @AxesLogin()
  @UseFilters(LockoutPage)
  async filteredLogin(@AxesCredentials() { username, password }: LoginCredentials) {
    await new Promise((resolve) => setTimeout(resolve, 1))
    if (!this.users.verify(username, password)) throw new UnauthorizedException()
    return { welcome: username }
  }

  @Post('passport-login')
  @HttpCode(200)
  @UseGuards(AxesAuthGuard('local'))
  passportLogin(@Req() req: { user: { username: string } }) {
    return { welcome: req.user.username }
  }

  @Get('/')
  home() {
    return 'home'
  }
}

@Injectable()
class LocalLogin extends PassportStrategy(LocalStrategy, 'local') {
  constructor(@Inject(USERS) private readonly users: Users) {
    super({ usernameField: 'username' })
  }
  async validate(username: string, password: string) {
    await new Promise((resolve) => setTimeout(resolve, 1))
    return this.users.verify(username, password) ?? false
  }
}

/** How the app gets its `AxesModule`: `forRoot`, or `forRootAsync` with a factory. */
export type Configure = 'forRoot' | 'forRootAsync'

/** The root module of a test app. */
function rootModule(axes: Axes, users: Users, configure: Configure) {
  const AXES_SOURCE = Symbol('axes source')
  @Module({ providers: [{ provide: AXES_SOURCE, useValue: axes }], exports: [AXES_SOURCE] })
  class ConfigModule {}

  @Module({
    imports: [
      configure === 'forRoot'
        ? AxesModule.forRoot({ axes })
        : AxesModule.forRootAsync({
            imports: [ConfigModule],
            inject: [AXES_SOURCE],
            useFactory: async (source: Axes) => ({ axes: source }),
          }),
      PassportModule,
    ],
    controllers: [LoginController],
    providers: [{ provide: USERS, useValue: users }, LocalLogin],
  })
  class AppModule {}
  return AppModule
}

/** Nest's two HTTP platforms. */
export type Platform = 'express' | 'fastify'

/** Starts a Nest app on `platform` with the node-axes instance `axes`. */
export async function startNest(
  platform: Platform,
  axes: Axes,
  users: Users,
  configure: Configure = 'forRoot',
): Promise<StartedApp> {
  const module = rootModule(axes, users, configure)
  const app =
    platform === 'express'
      ? await NestFactory.create(module, new ExpressAdapter(), { logger: false })
      : await NestFactory.create(module, new FastifyAdapter(), { logger: false })
  await app.listen(0, '127.0.0.1')
  const address = app.getHttpServer().address() as { port: number }
  return { base: `http://127.0.0.1:${address.port}`, close: () => app.close() }
}
