/**
 * MySQL and MariaDB (mysql2, or a Kysely instance on MySQL): identifiers in backticks, date-times
 * in `datetime(6)` holding UTC (sent as text in Django's SQLite form, whatever the connection's
 * time zone, and read back with arithmetic that does not depend on it), named locks around a READ
 * COMMITTED transaction on keys that follow the tables' collation (mysql-collation.ts), and
 * Django's MySQL backend types.
 */

import { AxesStoreError } from '../../../ground/errors.js'
import { djangoDatetimeText } from '../datetime.js'
import {
  djangoIndexSteps,
  M0001_TABLES,
  M0002_SESSION_HASH,
  M0003_SOURCES,
  M0004_WRONG_PASSWORDS,
  reservationSteps,
  sessionHashSteps,
  sourceSteps,
  wrongPasswordSteps,
} from './ddl.js'
import { type MigrationStep, type SqlDialectSpec, transactionOn } from './dialect.js'
import { mysqlCollatedKeys } from './mysql-collation.js'

const q = (name: string) => `\`${name}\``

/** Django's MySQL backend types for django-axes' fields. */
const MYSQL_TABLES: MigrationStep[] = [
  {
    unlessTableExists: 'axes_accessattempt',
    sql: 'CREATE TABLE `axes_accessattempt` (`id` integer AUTO_INCREMENT NOT NULL PRIMARY KEY, `user_agent` varchar(255) NOT NULL, `ip_address` char(39) NULL, `username` varchar(255) NULL, `http_accept` varchar(1025) NOT NULL, `path_info` varchar(255) NOT NULL, `attempt_time` datetime(6) NOT NULL, `get_data` longtext NOT NULL, `post_data` longtext NOT NULL, `failures_since_start` integer UNSIGNED NOT NULL CHECK (`failures_since_start` >= 0))',
  },
  {
    unlessTableExists: 'axes_accessattemptexpiration',
    sql: 'CREATE TABLE `axes_accessattemptexpiration` (`access_attempt_id` integer NOT NULL PRIMARY KEY, `expires_at` datetime(6) NOT NULL)',
  },
  {
    unlessTableExists: 'axes_accessattemptexpiration',
    sql: 'ALTER TABLE `axes_accessattemptexpiration` ADD CONSTRAINT `axes_accessattemptex_access_attempt_id_6b73a47a_fk_axes_acce` FOREIGN KEY (`access_attempt_id`) REFERENCES `axes_accessattempt` (`id`)',
  },
  {
    unlessTableExists: 'axes_accessfailurelog',
    sql: 'CREATE TABLE `axes_accessfailurelog` (`id` integer AUTO_INCREMENT NOT NULL PRIMARY KEY, `user_agent` varchar(255) NOT NULL, `ip_address` char(39) NULL, `username` varchar(255) NULL, `http_accept` varchar(1025) NOT NULL, `path_info` varchar(255) NOT NULL, `attempt_time` datetime(6) NOT NULL, `locked_out` bool NOT NULL)',
  },
  {
    unlessTableExists: 'axes_accesslog',
    sql: 'CREATE TABLE `axes_accesslog` (`id` integer AUTO_INCREMENT NOT NULL PRIMARY KEY, `user_agent` varchar(255) NOT NULL, `ip_address` char(39) NULL, `username` varchar(255) NULL, `http_accept` varchar(1025) NOT NULL, `path_info` varchar(255) NOT NULL, `attempt_time` datetime(6) NOT NULL, `logout_time` datetime(6) NULL, `session_hash` varchar(64) NOT NULL)',
  },
]

/** MySQL and MariaDB. */
export const mysql: SqlDialectSpec = {
  name: 'mysql',
  embedded: false,
  quote: q,
  placeholders: (sql) => sql,
  datetimeParam: djangoDatetimeText,
  datetimeMsSql: (expression) =>
    `(TIMESTAMPDIFF(MICROSECOND, '1970-01-01 00:00:00', ${expression}) / 1000)`,
  lastChars: (expression, count) => `RIGHT(${expression}, ${count})`,
  concat: (parts) => `CONCAT(${parts.join(', ')})`,
  ipText: (column) => column,
  // INSERT IGNORE, whose count is 0 for a duplicate whatever the client's flags (ON DUPLICATE KEY
  // UPDATE would count 1 under CLIENT_FOUND_ROWS).
  insertUnlessExists: (table, columns, values) =>
    `INSERT IGNORE INTO ${table} ${columns} VALUES (${values})`,
  collatedKeys: mysqlCollatedKeys,
  async lockedTransaction(s, keys, work) {
    const held: string[] = []
    try {
      for (const key of keys) {
        const name = `axes:${key.slice(0, 58)}`
        const rows = await s.all('SELECT GET_LOCK(?, 30) AS got', [name])
        if (Number(rows[0]?.got) !== 1) {
          throw new AxesStoreError(`could not take the MySQL lock ${name} within 30 s`)
        }
        held.push(name)
      }
      // The named locks serialise each client; InnoDB's gap locks under REPEATABLE READ would only
      // add deadlocks between different clients.
      await s.run('SET TRANSACTION ISOLATION LEVEL READ COMMITTED')
      return await transactionOn(s, 'START TRANSACTION', work)
    } finally {
      for (const name of held) await s.all('SELECT RELEASE_LOCK(?) AS released', [name])
    }
  },
  migrations: {
    // MySQL commits DDL implicitly, so each statement stands alone there.
    [M0001_TABLES]: [
      ...MYSQL_TABLES,
      ...djangoIndexSteps(q, { uniqueAsConstraint: true, likeIndexes: false }),
      ...reservationSteps(q, 'bigint AUTO_INCREMENT NOT NULL PRIMARY KEY'),
    ],
    [M0002_SESSION_HASH]: sessionHashSteps(q),
    [M0003_SOURCES]: sourceSteps(q),
    [M0004_WRONG_PASSWORDS]: wrongPasswordSteps(q),
  },
  existsQuery: (kind, name) => [
    kind === 'table'
      ? 'SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ?'
      : 'SELECT index_name AS name FROM information_schema.statistics WHERE table_schema = DATABASE() AND index_name = ?',
    [name],
  ],
  columnExistsQuery: (table, column) => [
    'SELECT column_name AS name FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = ? AND column_name = ?',
    [table, column],
  ],
}
