/**
 * The Hono login example as a Cloudflare Worker: the peer address is what `getConnInfo` of
 * `hono/cloudflare-workers` reports, the `cf-connecting-ip` header Cloudflare's edge writes on
 * every request it forwards. Run locally by `workerd` (examples/hono/workerd.capnp) after
 * bundling:
 *
 *   npx esbuild examples/hono/worker.ts --bundle --format=esm --platform=neutral \
 *     --external:node:* --outfile=.scratch/hono-worker.js
 *   workerd serve examples/hono/workerd.capnp --socket-addr http=127.0.0.1:3000
 *
 * Each Worker isolate keeps its own memory handler; a deployment with many isolates needs a
 * shared store reachable from Workers.
 */

import { getConnInfo } from 'hono/cloudflare-workers'
import { createAxes } from 'node-axes'
import { exampleOptions } from '../demo.js'
import { createHonoApp, logClients } from './app.js'

const axes = createAxes({ ...exampleOptions, handler: 'memory', logger: console })
logClients(axes)

export default createHonoApp(axes, getConnInfo)
