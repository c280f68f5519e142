/**
 * The admin mounted in Express (expressAdmin from node-axes/admin), through real HTTP: the cases of
 * test/admin/mount-scenarios.ts.
 */

import { createServer } from 'node:http'
import express from 'express'
import { expressAdmin } from 'node-axes/admin'
import { BASE, describeAdminMounts, listen } from '../../admin/mount-scenarios.js'

describeAdminMounts([
  {
    name: 'Express (with a body parser of its own)',
    start: (admin) => {
      const app = express()
      app.use(express.urlencoded({ extended: false }))
      app.use(BASE, expressAdmin(admin))
      app.get('/', (_req, res) => {
        res.send('the app')
      })
      return listen(createServer(app))
    },
  },
  {
    name: 'Express (without one)',
    start: (admin) => {
      const app = express()
      app.use(BASE, expressAdmin(admin))
      app.get('/', (_req, res) => {
        res.send('the app')
      })
      return listen(createServer(app))
    },
  },
])
