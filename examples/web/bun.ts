/**
 * A login page on `Bun.serve`, protected by `node-axes/web`; the client address is Bun's own
 * (`server.requestIP(request)`).
 *
 *   bun examples/web/bun.ts         # then open http://localhost:3000
 */

import { type BunServerLike, bunClientAddress } from 'node-axes/web'
import { createHandler } from './app.js'

/** The part of Bun's global this example uses (no @types/bun needed). */
declare const Bun: {
  serve(options: {
    port: number
    hostname?: string
    fetch: (request: Request, server: BunServerLike) => Promise<Response>
  }): { port: number }
}

const handler = createHandler(bunClientAddress)
const server = Bun.serve({ port: Number(process.env.PORT ?? 3000), fetch: handler })
console.log(`node-axes Bun example: http://localhost:${server.port}`)
