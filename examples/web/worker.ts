/**
 * A login page as a Cloudflare Worker, protected by `node-axes/web`; the client address is the
 * `cf-connecting-ip` header Cloudflare's edge writes on every request it forwards. Run locally by
 * `workerd` (examples/web/workerd.capnp) after bundling:
 *
 *   npx esbuild examples/web/worker.ts --bundle --format=esm --platform=neutral \
 *     --external:node:* --outfile=.scratch/worker.js
 *   workerd serve examples/web/workerd.capnp --socket-addr http=127.0.0.1:3000
 *
 * Each Worker isolate keeps its own memory handler; a deployment with many isolates needs a
 * shared store reachable from Workers.
 */

import { trustedHeader } from 'node-axes/web'
import { createHandler } from './app.js'

const handler = createHandler(trustedHeader('cf-connecting-ip'))

export default { fetch: (request: Request) => handler(request) }
