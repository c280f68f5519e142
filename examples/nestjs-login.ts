/**
 * A JSON login API on NestJS (Express platform, or Fastify with `PLATFORM=fastify`), protected by
 * node-axes.
 *
 *   npx tsx examples/nestjs-login.ts      # then POST {"username","password"} to :3000/login
 *
 * `AxesModule.forRoot` provides the instance; `@AxesLogin()` guards the route: a locked-out
 * client is refused before the handler runs, the handler's `UnauthorizedException` counts as a
 * failure, and the refusal is an `AxesLockoutException`, answered by Nest's exception layer as
 * `{ statusCode: 429, message, error }` with `Retry-After`.
 */

import {
  Controller,
  HttpCode,
  type INestApplication,
  Module,
  Post,
  UnauthorizedException,
} from '@nestjs/common'
import { NestFactory } from '@nestjs/core'
import { ExpressAdapter } from '@nestjs/platform-express'
import { FastifyAdapter } from '@nestjs/platform-fastify'
import { type Axes, createAxes } from 'node-axes'
import { AxesCredentials, AxesLogin, AxesModule, type LoginCredentials } from 'node-axes/nestjs'
import { exampleOptions, isMain, verifyUser } from './demo.js'

@Controller()
class LoginController {
  @Post('login')
  @HttpCode(200)
  @AxesLogin()
  login(@AxesCredentials() { username, password }: LoginCredentials) {
    // The password check: only for a client node-axes let through, with the credentials it counted.
    const user = verifyUser(username, password)
    if (!user) throw new UnauthorizedException('Wrong username or password.')
    return { user }
  }
}

/** The example's Nest application around a node-axes instance, on Express or Fastify. */
export async function createApp(
  axes: Axes,
  platform: 'express' | 'fastify' = 'express',
): Promise<INestApplication> {
  @Module({ imports: [AxesModule.forRoot({ axes })], controllers: [LoginController] })
  class AppModule {}
  const adapter = platform === 'fastify' ? new FastifyAdapter() : new ExpressAdapter()
  return NestFactory.create(AppModule, adapter, { logger: ['error', 'warn'] })
}

if (isMain(import.meta.url)) {
  const port = Number(process.env.PORT ?? 3000)
  const platform = process.env.PLATFORM === 'fastify' ? 'fastify' : 'express'
  const app = await createApp(createAxes({ ...exampleOptions, logger: console }), platform)
  await app.listen(port)
  console.log(`node-axes NestJS example (${platform}): POST http://localhost:${port}/login`)
}
