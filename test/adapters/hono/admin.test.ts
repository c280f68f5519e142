/**
 * The admin mounted in Hono (honoAdmin from node-axes/admin), through real HTTP: the cases of
 * test/admin/mount-scenarios.ts.
 */

import { createServer } from 'node:http'
import { getRequestListener } from '@hono/node-server'
import { Hono } from 'hono'
import { honoAdmin } from 'node-axes/admin'
import { BASE, describeAdminMounts, listen } from '../../admin/mount-scenarios.js'

describeAdminMounts([
  {
    name: 'Hono',
    start: (admin) => {
      const app = new Hono()
      app.get('/', (c) => c.text('the app'))
      app.all(BASE, honoAdmin(admin))
      app.all(`${BASE}/*`, honoAdmin(admin))
      // Hono on node:http as applications run it (@hono/node-server).
      const server = createServer(getRequestListener(app.fetch))
      return listen(server)
    },
  },
])
