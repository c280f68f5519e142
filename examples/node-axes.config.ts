/**
 * The demo site's node-axes options, for the command line (docs/cli.md): from the folder the demo
 * runs in (its ./axes.sqlite3, or the database AXES_DATABASE_URL names, as the demo reads it),
 *
 *   npx tsx src/cli/bin.ts list-attempts --config examples/node-axes.config.ts
 *
 * (`npx node-axes …` where node-axes is installed as a package).
 *
 * lists what the demo recorded, each lock's end by the demo's own lockout (3 failures, 1 minute).
 */

import type { AxesOptions } from 'node-axes'
import { exampleOptions } from './demo.js'

const options: AxesOptions = {
  ...exampleOptions,
  // As examples/demo-site.ts opens it.
  ...(process.env.AXES_DATABASE_URL ? { databaseUrl: process.env.AXES_DATABASE_URL } : {}),
  enableAccessFailureLog: true,
}

export default options
