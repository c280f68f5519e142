/**
 * A login page on `Deno.serve`, protected by `node-axes/web`; the client address is Deno's own
 * (`info.remoteAddr.hostname`).
 *
 *   deno run --allow-net --allow-env --allow-read examples/web/deno.ts   # then open http://localhost:3000
 */

import { type DenoServeInfoLike, denoClientAddress } from 'node-axes/web'
import { createHandler } from './app.js'

/** The part of Deno's global this example uses (no Deno types needed). */
declare const Deno: {
  env: { get(name: string): string | undefined }
  serve(
    options: { port: number; onListen?: (address: { port: number }) => void },
    handler: (request: Request, info: DenoServeInfoLike) => Promise<Response>,
  ): unknown
}

const handler = createHandler(denoClientAddress)
Deno.serve(
  {
    port: Number(Deno.env.get('PORT') ?? 3000),
    onListen: ({ port }) => console.log(`node-axes Deno example: http://localhost:${port}`),
  },
  handler,
)
