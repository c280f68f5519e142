/**
 * Migrations: versioned and frozen. Each is plain SQL per dialect, written once and never edited;
 * a change to the schema is a new migration. The first creates django-axes 8.3.1's four tables
 * exactly as Django's migrations create them (names, columns, types, constraints, indexes), or
 * adopts them where a Django project already made them, and adds what only node-axes uses:
 *
 * - an index on `axes_accessattempt.attempt_time` (django-axes has none; node-axes sweeps expired
 *   rows by it);
 * - `axes_migration`, which migrations have run;
 * - `axes_reservation`, the attempts in flight (reserved before their credentials are verified),
 *   which Django ignores.
 */

import type { SqlDialect, SqlSession } from './driver.js'

/** One migration: a name (ordered) and its statements per dialect. */
export interface Migration {
  readonly name: string
  /** Statements to run; `{table}` checks let a statement be skipped where the table exists. */
  readonly steps: (dialect: SqlDialect) => readonly MigrationStep[]
}

/** A statement, skipped when the table, index or column it would make is already there. */
export interface MigrationStep {
  readonly sql: string
  readonly unlessTableExists?: string
  readonly unlessIndexExists?: string
  /** `[table, column]` */
  readonly unlessColumnExists?: readonly [string, string]
}

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

/** The columns every django-axes access table shares (django-axes' AccessBase), in PostgreSQL. */
const PG_ACCESS_BASE_COLUMNS = `    user_agent character varying(255) NOT NULL,
    ip_address inet,
    username character varying(255),
    http_accept character varying(1025) NOT NULL,
    path_info character varying(255) NOT NULL,
    attempt_time timestamp with time zone NOT NULL,`

const PG_TABLES: MigrationStep[] = [
  {
    unlessTableExists: 'axes_accessattempt',
    sql: `CREATE TABLE axes_accessattempt (
    id integer NOT NULL,
${PG_ACCESS_BASE_COLUMNS}
    get_data text NOT NULL,
    post_data text NOT NULL,
    failures_since_start integer NOT NULL,
    CONSTRAINT axes_accessattempt_failures_since_start_check CHECK ((failures_since_start >= 0))
)`,
  },
  {
    unlessTableExists: 'axes_accessattempt',
    sql: 'CREATE SEQUENCE axes_accessattempt_id_seq AS integer START WITH 1 INCREMENT BY 1 NO MINVALUE NO MAXVALUE CACHE 1',
  },
  {
    unlessTableExists: 'axes_accessattempt',
    sql: 'ALTER SEQUENCE axes_accessattempt_id_seq OWNED BY axes_accessattempt.id',
  },
  {
    unlessTableExists: 'axes_accessattempt',
    sql: "ALTER TABLE ONLY axes_accessattempt ALTER COLUMN id SET DEFAULT nextval('axes_accessattempt_id_seq'::regclass)",
  },
  {
    unlessTableExists: 'axes_accessattempt',
    sql: 'ALTER TABLE ONLY axes_accessattempt ADD CONSTRAINT axes_accessattempt_pkey PRIMARY KEY (id)',
  },
  {
    unlessTableExists: 'axes_accessattemptexpiration',
    sql: 'CREATE TABLE axes_accessattemptexpiration (access_attempt_id integer NOT NULL, expires_at timestamp with time zone NOT NULL)',
  },
  {
    unlessTableExists: 'axes_accessattemptexpiration',
    sql: 'ALTER TABLE ONLY axes_accessattemptexpiration ADD CONSTRAINT axes_accessattemptexpiration_pkey PRIMARY KEY (access_attempt_id)',
  },
  {
    unlessTableExists: 'axes_accessattemptexpiration',
    sql: 'ALTER TABLE ONLY axes_accessattemptexpiration ADD CONSTRAINT axes_accessattemptex_access_attempt_id_6b73a47a_fk_axes_acce FOREIGN KEY (access_attempt_id) REFERENCES axes_accessattempt(id) DEFERRABLE INITIALLY DEFERRED',
  },
  ...pgLogTable('axes_accessfailurelog', 'locked_out boolean NOT NULL'),
  ...pgLogTable(
    'axes_accesslog',
    'logout_time timestamp with time zone,\n    session_hash character varying(64) NOT NULL',
  ),
]

function pgLogTable(table: string, extra: string): MigrationStep[] {
  return [
    {
      unlessTableExists: table,
      sql: `CREATE TABLE ${table} (
    id integer NOT NULL,
${PG_ACCESS_BASE_COLUMNS}
    ${extra}
)`,
    },
    {
      unlessTableExists: table,
      sql: `CREATE SEQUENCE ${table}_id_seq AS integer START WITH 1 INCREMENT BY 1 NO MINVALUE NO MAXVALUE CACHE 1`,
    },
    { unlessTableExists: table, sql: `ALTER SEQUENCE ${table}_id_seq OWNED BY ${table}.id` },
    {
      unlessTableExists: table,
      sql: `ALTER TABLE ONLY ${table} ALTER COLUMN id SET DEFAULT nextval('${table}_id_seq'::regclass)`,
    },
    {
      unlessTableExists: table,
      sql: `ALTER TABLE ONLY ${table} ADD CONSTRAINT ${table}_pkey PRIMARY KEY (id)`,
    },
  ]
}

/** Django's MySQL backend types for the same fields. */
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

function quote(dialect: SqlDialect, name: string): string {
  return dialect === 'mysql' ? `\`${name}\`` : `"${name}"`
}

function djangoIndexes(dialect: SqlDialect): MigrationStep[] {
  const steps: MigrationStep[] = []
  for (const [name, table, columns, unique] of DJANGO_INDEXES) {
    const cols = columns
      .split(', ')
      .map((c) => quote(dialect, c))
      .join(', ')
    let sql: string
    if (unique && dialect !== 'sqlite') {
      sql = `ALTER TABLE ${quote(dialect, table)} ADD CONSTRAINT ${quote(dialect, name)} UNIQUE (${cols})`
    } else {
      sql = `CREATE ${unique ? 'UNIQUE ' : ''}INDEX ${quote(dialect, name)} ON ${quote(dialect, table)} (${cols})`
    }
    steps.push({ sql, unlessIndexExists: name })
    if (dialect === 'postgres' && !unique && (columns === 'user_agent' || columns === 'username')) {
      const like = `${name}_like`
      steps.push({
        sql: `CREATE INDEX ${like} ON ${table} USING btree (${columns} varchar_pattern_ops)`,
        unlessIndexExists: like,
      })
    }
  }
  return steps
}

function nodeAxesTables(dialect: SqlDialect): MigrationStep[] {
  const q = (n: string) => quote(dialect, n)
  const id =
    dialect === 'sqlite'
      ? `${q('id')} integer NOT NULL PRIMARY KEY AUTOINCREMENT`
      : dialect === 'postgres'
        ? `${q('id')} bigserial PRIMARY KEY`
        : `${q('id')} bigint AUTO_INCREMENT NOT NULL PRIMARY KEY`
  // No index on axes_accessattempt.attempt_time (django-axes has none either): every failure moves
  // its row's attempt_time, and such an index cost each failure a quarter of its time on SQLite
  // (and PostgreSQL's HOT updates). Counting and sweeping go through the buckets' own indexes.
  return [
    {
      unlessTableExists: 'axes_reservation',
      sql: `CREATE TABLE ${q('axes_reservation')} (${id}, ${q('bucket')} char(64) NOT NULL, ${q('token')} varchar(80) NOT NULL, ${q('expires_at')} bigint NOT NULL)`,
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
 * django-axes before 6.5 had no `axes_accesslog.session_hash` (Debian 12 ships 5.39): a database it
 * made is adopted by adding the column as its migration 0009 does (empty for the old rows).
 */
function sessionHashColumn(dialect: SqlDialect): MigrationStep[] {
  const unlessColumnExists = ['axes_accesslog', 'session_hash'] as const
  if (dialect === 'sqlite') {
    return [
      {
        unlessColumnExists,
        sql: `ALTER TABLE "axes_accesslog" ADD COLUMN "session_hash" varchar(64) NOT NULL DEFAULT ''`,
      },
    ]
  }
  const q = (n: string) => quote(dialect, n)
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

/** Every migration, in order. Frozen: never edit one that has shipped; add a new one. */
export const MIGRATIONS: readonly Migration[] = [
  {
    name: '0001_django_axes_8_3_1_tables',
    steps: (dialect) => [
      ...(dialect === 'sqlite' ? SQLITE_TABLES : dialect === 'postgres' ? PG_TABLES : MYSQL_TABLES),
      ...djangoIndexes(dialect),
      ...nodeAxesTables(dialect),
    ],
  },
  {
    name: '0002_adopt_django_axes_before_6_5',
    steps: (dialect) => sessionHashColumn(dialect),
  },
]

/** The bookkeeping table's definition. */
export function migrationTableSql(dialect: SqlDialect): string {
  const q = (n: string) => quote(dialect, n)
  return `CREATE TABLE IF NOT EXISTS ${q('axes_migration')} (${q('name')} varchar(255) NOT NULL PRIMARY KEY, ${q('applied_at')} varchar(32) NOT NULL)`
}

/** Whether a table or an index (a unique constraint's too) exists in the current schema. */
async function objectExists(
  s: SqlSession,
  dialect: SqlDialect,
  kind: 'table' | 'index',
  name: string,
): Promise<boolean> {
  let rows: Awaited<ReturnType<SqlSession['all']>>
  if (dialect === 'sqlite') {
    rows = await s.all('SELECT name FROM sqlite_master WHERE type = ? AND name = ?', [kind, name])
  } else if (dialect === 'postgres') {
    rows = await s.all('SELECT to_regclass(?)::text AS name', [name])
  } else {
    rows = await s.all(
      kind === 'table'
        ? 'SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ?'
        : 'SELECT index_name AS name FROM information_schema.statistics WHERE table_schema = DATABASE() AND index_name = ?',
      [name],
    )
  }
  return rows.length > 0 && rows[0]?.name !== null && rows[0]?.name !== undefined
}

/** Whether a table exists (in the current schema/database). */
export function tableExists(s: SqlSession, dialect: SqlDialect, table: string): Promise<boolean> {
  return objectExists(s, dialect, 'table', table)
}

/** Whether an index (or a unique constraint's index) exists. */
export function indexExists(s: SqlSession, dialect: SqlDialect, index: string): Promise<boolean> {
  return objectExists(s, dialect, 'index', index)
}

/** Whether a table has a column. */
export async function columnExists(
  s: SqlSession,
  dialect: SqlDialect,
  table: string,
  column: string,
): Promise<boolean> {
  if (dialect === 'sqlite') {
    const rows = await s.all(`SELECT name FROM pragma_table_info(?) WHERE name = ?`, [
      table,
      column,
    ])
    return rows.length > 0
  }
  const rows = await s.all(
    dialect === 'postgres'
      ? 'SELECT column_name AS name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ? AND column_name = ?'
      : 'SELECT column_name AS name FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = ? AND column_name = ?',
    [table, column],
  )
  return rows.length > 0
}
