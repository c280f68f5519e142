/**
 * The admin mounted in Koa (koaAdmin from node-axes/admin), through real HTTP: the cases of
 * test/admin/mount-scenarios.ts.
 */

import { createServer } from 'node:http'
import Koa from 'koa'
import { koaAdmin } from 'node-axes/admin'
import { BASE, describeAdminMounts, listen } from '../../admin/mount-scenarios.js'

describeAdminMounts([
  {
    name: 'Koa',
    start: (admin) => {
      const app = new Koa()
      app.use(koaAdmin(admin, BASE))
      app.use((ctx) => {
        ctx.body = 'the app'
      })
      return listen(createServer(app.callback()))
    },
  },
])
