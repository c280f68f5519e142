/**
 * Django's PostgreSQL DDL for django-axes 8.3.1's tables, as `pg_dump` shows what Django's
 * migrations make (sequences owned by their tables, constraints by name), with django-axes'
 * indexes and node-axes' reservation table: the PostgreSQL statements of each migration.
 */

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
import type { MigrationStep } from './dialect.js'

const q = (name: string) => `"${name}"`

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

/** The PostgreSQL statements of each migration. */
export const POSTGRES_MIGRATIONS: Readonly<Record<string, readonly MigrationStep[]>> = {
  [M0001_TABLES]: [
    ...PG_TABLES,
    ...djangoIndexSteps(q, { uniqueAsConstraint: true, likeIndexes: true }),
    ...reservationSteps(q, 'bigserial PRIMARY KEY'),
  ],
  [M0002_SESSION_HASH]: sessionHashSteps(q),
  [M0003_SOURCES]: sourceSteps(q),
  [M0004_WRONG_PASSWORDS]: wrongPasswordSteps(q),
}
