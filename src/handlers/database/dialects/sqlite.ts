/**
 * SQLite (node:sqlite, bun:sqlite or better-sqlite3, or a Kysely instance on SQLite): identifiers
 * in double quotes, date-times as Django writes them there (text `YYYY-MM-DD HH:MM:SS[.ffffff]` in UTC), the write
 * lock taken up front (`BEGIN IMMEDIATE`), and Django's SQLite DDL.
 */

import { djangoDatetimeText } from '../datetime.js'
import {
  djangoIndexSteps,
  M0001_TABLES,
  M0002_SESSION_HASH,
  M0003_SOURCES,
  M0004_WRONG_PASSWORDS,
  reservationSteps,
  sourceSteps,
  wrongPasswordSteps,
} from './ddl.js'
import { type MigrationStep, type SqlDialectSpec, transactionOn } from './dialect.js'

const q = (name: string) => `"${name}"`

const SQLITE_TABLES: MigrationStep[] = [
  {
    unlessTableExists: 'axes_accessattempt',
    sql: 'CREATE TABLE "axes_accessattempt" ("id" integer NOT NULL PRIMARY KEY AUTOINCREMENT, "user_agent" varchar(255) NOT NULL, "ip_address" char(39) NULL, "username" varchar(255) NULL, "http_accept" varchar(1025) NOT NULL, "path_info" varchar(255) NOT NULL, "attempt_time" datetime NOT NULL, "get_data" text NOT NULL, "post_data" text NOT NULL, "failures_since_start" integer unsigned NOT NULL CHECK ("failures_since_start" >= 0))',
  },
  {
    unlessTableExists: 'axes_accessattemptexpiration',
    sql: 'CREATE TABLE "axes_accessattemptexpiration" ("access_attempt_id" integer NOT NULL PRIMARY KEY REFERENCES "axes_accessattempt" ("id") DEFERRABLE INITIALLY DEFERRED, "expires_at" datetime NOT NULL)',
  },
  {
    unlessTableExists: 'axes_accessfailurelog',
    sql: 'CREATE TABLE "axes_accessfailurelog" ("id" integer NOT NULL PRIMARY KEY AUTOINCREMENT, "user_agent" varchar(255) NOT NULL, "ip_address" char(39) NULL, "username" varchar(255) NULL, "http_accept" varchar(1025) NOT NULL, "path_info" varchar(255) NOT NULL, "attempt_time" datetime NOT NULL, "locked_out" bool NOT NULL)',
  },
  {
    unlessTableExists: 'axes_accesslog',
    sql: 'CREATE TABLE "axes_accesslog" ("id" integer NOT NULL PRIMARY KEY AUTOINCREMENT, "user_agent" varchar(255) NOT NULL, "ip_address" char(39) NULL, "username" varchar(255) NULL, "http_accept" varchar(1025) NOT NULL, "path_info" varchar(255) NOT NULL, "attempt_time" datetime NOT NULL, "logout_time" datetime NULL, "session_hash" varchar(64) NOT NULL)',
  },
]

/** SQLite. */
export const sqlite: SqlDialectSpec = {
  name: 'sqlite',
  embedded: true,
  quote: q,
  placeholders: (sql) => sql,
  datetimeParam: djangoDatetimeText,
  // Django's text, as milliseconds in SQL (julianday exists in every SQLite version): a number is
  // cheaper to hand over than a string to parse.
  datetimeMsSql: (expression) =>
    `CAST(ROUND((julianday(${expression}) - 2440587.5) * 86400000.0) AS INTEGER)`,
  lastChars: (expression, count) => `substr(${expression}, -${count})`,
  concat: (parts) => parts.join(' || '),
  ipText: (column) => column,
  insertUnlessExists: (table, columns, values) =>
    `INSERT INTO ${table} ${columns} VALUES (${values}) ON CONFLICT (username, ip_address, user_agent) DO NOTHING`,
  lockedTransaction: (s, _keys, work) => transactionOn(s, 'BEGIN IMMEDIATE', work),
  migrations: {
    [M0001_TABLES]: [
      ...SQLITE_TABLES,
      ...djangoIndexSteps(q, { uniqueAsConstraint: false, likeIndexes: false }),
      ...reservationSteps(q, 'integer NOT NULL PRIMARY KEY AUTOINCREMENT'),
    ],
    [M0002_SESSION_HASH]: [
      {
        unlessColumnExists: ['axes_accesslog', 'session_hash'],
        sql: `ALTER TABLE "axes_accesslog" ADD COLUMN "session_hash" varchar(64) NOT NULL DEFAULT ''`,
      },
    ],
    [M0003_SOURCES]: sourceSteps(q),
    [M0004_WRONG_PASSWORDS]: wrongPasswordSteps(q),
  },
  existsQuery: (kind, name) => [
    'SELECT name FROM sqlite_master WHERE type = ? AND name = ?',
    [kind, name],
  ],
  columnExistsQuery: (table, column) => [
    'SELECT name FROM pragma_table_info(?) WHERE name = ?',
    [table, column],
  ],
}
