/** Every SQL dialect the database handler speaks, by name. */

import type { SqlDialect } from '../sql.js'
import type { SqlDialectSpec } from './dialect.js'
import { mysql } from './mysql.js'
import { postgres } from './postgres.js'
import { sqlite } from './sqlite.js'

/** The dialect objects by name. */
export const DIALECTS: Readonly<Record<SqlDialect, SqlDialectSpec>> = { sqlite, postgres, mysql }
