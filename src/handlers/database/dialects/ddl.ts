/**
 * The migrations' DDL that the dialects share, written with each dialect's quoting: the migrations'
 * names, django-axes' indexes, node-axes' reservation table and the `session_hash` column that old
 * django-axes databases lack. Each dialect's own tables live in its file.
 */

import type { MigrationStep } from './dialect.js'

/** The first migration: django-axes 8.3.1's tables, adopted where Django made them. */
export const M0001_TABLES = '0001_django_axes_8_3_1_tables'
/** The second: `axes_accesslog.session_hash`, which django-axes before 6.5 did not have. */
export const M0002_SESSION_HASH = '0002_adopt_django_axes_before_6_5'
/** The third: `axes_source`, spray detection's sources (node-axes' own table; Django ignores it). */
export const M0003_SOURCES = '0003_spray_detection_sources'
/** The fourth: `axes_wrongpassword`, repeated wrong passwords' keyed hashes (Django ignores it). */
export const M0004_WRONG_PASSWORDS = '0004_repeat_passwords'

/** django-axes' indexes, the same names in every dialect: [name, table, column(s), unique]. */
const DJANGO_INDEXES: readonly [string, string, string, boolean][] = [
  ['axes_accessattempt_ip_address_10922d9c', 'axes_accessattempt', 'ip_address', false],
  ['axes_accessattempt_user_agent_ad89678b', 'axes_accessattempt', 'user_agent', false],
  ['axes_accessattempt_username_3f2d4ca0', 'axes_accessattempt', 'username', false],
  [
    'axes_accessattempt_username_ip_address_user_agent_8ea22282_uniq',
    'axes_accessattempt',
    'username, ip_address, user_agent',
    true,
  ],
  ['axes_accessfailurelog_ip_address_2e9f5a7f', 'axes_accessfailurelog', 'ip_address', false],
  ['axes_accessfailurelog_user_agent_ea145dda', 'axes_accessfailurelog', 'user_agent', false],
  ['axes_accessfailurelog_username_a8b7e8a4', 'axes_accessfailurelog', 'username', false],
  ['axes_accesslog_ip_address_86b417e5', 'axes_accesslog', 'ip_address', false],
  ['axes_accesslog_user_agent_0e659004', 'axes_accesslog', 'user_agent', false],
  ['axes_accesslog_username_df93064b', 'axes_accesslog', 'username', false],
]

/**
 * django-axes' indexes as Django's backend makes them: the unique one as a constraint (servers) or
 * a unique index (SQLite), and on PostgreSQL a `varchar_pattern_ops` twin for the text columns.
 */
export function djangoIndexSteps(
  q: (name: string) => string,
  { uniqueAsConstraint, likeIndexes }: { uniqueAsConstraint: boolean; likeIndexes: boolean },
): MigrationStep[] {
  const steps: MigrationStep[] = []
  for (const [name, table, columns, unique] of DJANGO_INDEXES) {
    const cols = columns
      .split(', ')
      .map((c) => q(c))
      .join(', ')
    const sql =
      unique && uniqueAsConstraint
        ? `ALTER TABLE ${q(table)} ADD CONSTRAINT ${q(name)} UNIQUE (${cols})`
        : `CREATE ${unique ? 'UNIQUE ' : ''}INDEX ${q(name)} ON ${q(table)} (${cols})`
    steps.push({ sql, unlessIndexExists: name })
    if (likeIndexes && !unique && (columns === 'user_agent' || columns === 'username')) {
      const like = `${name}_like`
      steps.push({
        sql: `CREATE INDEX ${like} ON ${table} USING btree (${columns} varchar_pattern_ops)`,
        unlessIndexExists: like,
      })
    }
  }
  return steps
}

/**
 * node-axes' own table, `axes_reservation` (attempts in flight), with `id` as the dialect declares
 * it. No index on axes_accessattempt.attempt_time (django-axes has none either): every failure
 * moves its row's attempt_time, and such an index cost each failure a quarter of its time on SQLite
 * (and PostgreSQL's HOT updates). Counting and sweeping go through the buckets' own indexes.
 */
export function reservationSteps(q: (name: string) => string, idColumn: string): MigrationStep[] {
  return [
    {
      unlessTableExists: 'axes_reservation',
      sql: `CREATE TABLE ${q('axes_reservation')} (${q('id')} ${idColumn}, ${q('bucket')} char(64) NOT NULL, ${q('token')} varchar(80) NOT NULL, ${q('expires_at')} bigint NOT NULL)`,
    },
    {
      sql: `CREATE INDEX ${q('axes_reservation_bucket_nodeaxes')} ON ${q('axes_reservation')} (${q('bucket')}, ${q('expires_at')})`,
      unlessIndexExists: 'axes_reservation_bucket_nodeaxes',
    },
    {
      sql: `CREATE INDEX ${q('axes_reservation_token_nodeaxes')} ON ${q('axes_reservation')} (${q('token')})`,
      unlessIndexExists: 'axes_reservation_token_nodeaxes',
    },
  ]
}

/**
 * django-axes before 6.5 had no `axes_accesslog.session_hash` (Debian 12 ships 5.39): a server
 * database it made is adopted by adding the column as its migration 0009 does (empty for the old
 * rows, then without a default).
 */
export function sessionHashSteps(q: (name: string) => string): MigrationStep[] {
  const unlessColumnExists = ['axes_accesslog', 'session_hash'] as const
  return [
    {
      unlessColumnExists,
      sql: `ALTER TABLE ${q('axes_accesslog')} ADD COLUMN ${q('session_hash')} varchar(64) DEFAULT '' NOT NULL`,
    },
    {
      unlessColumnExists,
      sql: `ALTER TABLE ${q('axes_accesslog')} ALTER COLUMN ${q('session_hash')} DROP DEFAULT`,
    },
  ]
}

/**
 * node-axes' `axes_source` (spray detection): one row per (source, username hash) the source failed
 * on, with the time of its last failure; a locked source has one row whose username is `locked`
 * and whose time is when the lock lifts. At most the limit plus one rows per source.
 */
export function sourceSteps(q: (name: string) => string): MigrationStep[] {
  return [
    {
      unlessTableExists: 'axes_source',
      sql: `CREATE TABLE ${q('axes_source')} (${q('source')} varchar(64) NOT NULL, ${q('username')} varchar(32) NOT NULL, ${q('failed_at')} bigint NOT NULL, PRIMARY KEY (${q('source')}, ${q('username')}))`,
    },
    {
      sql: `CREATE INDEX ${q('axes_source_failed_at_nodeaxes')} ON ${q('axes_source')} (${q('failed_at')})`,
      unlessIndexExists: 'axes_source_failed_at_nodeaxes',
    },
  ]
}

/**
 * node-axes' `axes_wrongpassword` (repeat passwords): one row per (bucket, keyed hash of a wrong
 * password), the bucket as the SHA-256 of its key, with when the hash was added and when the
 * bucket's hashes expire. At most `keep` rows per bucket.
 */
export function wrongPasswordSteps(q: (name: string) => string): MigrationStep[] {
  return [
    {
      unlessTableExists: 'axes_wrongpassword',
      sql: `CREATE TABLE ${q('axes_wrongpassword')} (${q('bucket')} char(64) NOT NULL, ${q('hash')} char(32) NOT NULL, ${q('added_at')} bigint NOT NULL, ${q('expires_at')} bigint NOT NULL, PRIMARY KEY (${q('bucket')}, ${q('hash')}))`,
    },
    {
      sql: `CREATE INDEX ${q('axes_wrongpassword_expires_at_nodeaxes')} ON ${q('axes_wrongpassword')} (${q('expires_at')})`,
      unlessIndexExists: 'axes_wrongpassword_expires_at_nodeaxes',
    },
  ]
}
