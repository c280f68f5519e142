/**
 * The Hono login example on Deno: the peer address is what `getConnInfo` of `hono/deno` reports
 * (`Deno.serve`'s `info.remoteAddr`). node-axes keeps the lockouts in memory (one process here).
 *
 *   deno run --config examples/hono/deno.json --allow-net --allow-env --allow-read \
 *     examples/hono/deno.ts         # then open http://localhost:3000
 */

import { getConnInfo } from 'hono/deno'
import { createAxes } from 'node-axes'
import { exampleOptions } from '../demo.js'
import { createHonoApp, logClients } from './app.js'

/** The part of Deno's global this example uses (no Deno types needed). */
declare const Deno: {
  serve(options: { port: number }, handler: (request: Request, info: unknown) => unknown): unknown
  env: { get(name: string): string | undefined }
}

const axes = createAxes({ ...exampleOptions, handler: 'memory', logger: console })
logClients(axes)
const app = createHonoApp(axes, getConnInfo)
const port = Number(Deno.env.get('PORT') ?? 3000)

// Hono's fetch gets Deno's connection info (`remoteAddr`) as its `env`.
Deno.serve({ port }, app.fetch)
console.log(`node-axes Hono example on Deno: http://localhost:${port}`)
