// Real PostgreSQL, MariaDB and Redis servers for the tests, started from Debian's packages on free
// loopback ports in temporary directories (DESIGN.md, "Where the servers come from"), or taken from
// AXES_TEST_PG_URL / AXES_TEST_MYSQL_URL / AXES_TEST_REDIS_URL / AXES_TEST_REDIS_CLUSTER_URL. A missing binary skips its suites, with one line saying
// so; under CI=true it is an error. Every server started here is killed, and its directory
// removed, when the process exits, on SIGINT/SIGTERM/SIGHUP, and (by a small watchdog) even if the
// process is killed outright.

import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import {
  accessSync,
  closeSync,
  constants,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
} from 'node:fs'
import { chown, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import net, { type AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'

export interface TestServer {
  /** `postgres://axes:axes@127.0.0.1:PORT/postgres` or `mysql://root:axes@127.0.0.1:PORT/mysql` */
  url: string
  /** Shuts the server down and removes its directory; nothing to do for a server from the env. */
  stop(): Promise<void>
  /**
   * Kills the server with SIGKILL, its child processes too (PostgreSQL's backends), keeping its
   * directory: what a crash does. Not for a server from the env.
   */
  crash?(): Promise<void>
  /** Starts a crashed server again on the same port and data (it recovers as after a crash). */
  restart?(): Promise<void>
}

/** How to start a test server. */
export interface ServerOptions {
  /**
   * PostgreSQL: commit durably (`synchronous_commit = on`; fsync stays off, the OS outlives a
   * killed server), so that a crash loses no committed transaction. Off by default, for speed.
   */
  durable?: boolean
}

export type ServerKind = 'postgres' | 'mysql'

const INSTALL = 'apt-get install postgresql mariadb-server'
/** Loopback only, in a private temporary directory: a fixed password is enough. */
const PASSWORD = 'axes'
const READY_TIMEOUT_MS = 60_000
const STOP_TIMEOUT_MS = 10_000
const PORT_ATTEMPTS = 3

// ---------------------------------------------------------------------------------------------
// PostgreSQL

export async function startPostgres(options: ServerOptions = {}): Promise<TestServer | null> {
  const fromEnv = process.env.AXES_TEST_PG_URL
  if (fromEnv) return external(fromEnv)

  const bin = postgresBinDir()
  if (!bin) {
    return unavailable(
      'PostgreSQL',
      'no initdb and postgres in /usr/lib/postgresql/*/bin or on PATH',
      'AXES_TEST_PG_URL',
    )
  }
  // PostgreSQL refuses to run as root: as root, run it as the postgres user the package creates.
  let owner: Owner | undefined
  if (isRoot()) {
    owner = await systemUser('postgres')
    if (!owner) {
      throw new Error(
        'PostgreSQL refuses to run as root and there is no postgres user to run it as: ' +
          'install the postgresql package (which creates it), or run the tests as a normal user',
      )
    }
  }
  const dir = await mkdtemp(path.join(tempBase(owner !== undefined), 'node-axes-pg-'))
  const entry = track(dir)
  try {
    const data = path.join(dir, 'data')
    const pwfile = path.join(dir, 'password')
    await writeFile(pwfile, `${PASSWORD}\n`)
    if (owner) {
      await chown(dir, owner.uid, owner.gid)
      await chown(pwfile, owner.uid, owner.gid)
    }
    await run(
      path.join(bin, 'initdb'),
      [
        `--pgdata=${data}`,
        '--username=axes',
        `--pwfile=${pwfile}`,
        // Password authentication over TCP, as in production; trust on the private socket.
        '--auth-host=scram-sha-256',
        '--auth-local=trust',
        '--encoding=UTF8',
        '--locale=C',
        '--no-sync',
        '--no-instructions',
      ],
      { cwd: dir, owner, entry },
    )
    const launchOptions: Launch = {
      name: 'PostgreSQL',
      command: path.join(bin, 'postgres'),
      args: (p) => [
        '-D',
        data,
        '-p',
        String(p),
        '-h',
        '127.0.0.1',
        '-k',
        dir,
        ...settings({
          fsync: 'off',
          synchronous_commit: options.durable ? 'on' : 'off',
          full_page_writes: 'off',
          max_connections: '300',
          logging_collector: 'off',
        }),
      ],
      ready: 'database system is ready to accept connections',
      dir,
      owner,
    }
    const launched = await launch(entry, launchOptions)
    // SIGINT is PostgreSQL's fast shutdown; SIGTERM ("smart") would wait for every client to leave.
    return running(
      entry,
      launched,
      launchOptions,
      'SIGINT',
      `postgres://axes:${PASSWORD}@127.0.0.1:${launched.port}/postgres`,
    )
  } catch (error) {
    untrack(entry)
    await rm(dir, { recursive: true, force: true, maxRetries: 5 })
    throw error
  }
}

// ---------------------------------------------------------------------------------------------
// MariaDB

export async function startMariadb(): Promise<TestServer | null> {
  const fromEnv = process.env.AXES_TEST_MYSQL_URL
  if (fromEnv) return external(fromEnv)

  const installDb = findExecutable(['mariadb-install-db', 'mysql_install_db'])
  const server = findExecutable(['mariadbd', 'mysqld'])
  if (!installDb || !server) {
    return unavailable(
      'MariaDB',
      `no ${installDb ? 'mariadbd/mysqld' : 'mariadb-install-db/mysql_install_db'} on PATH or in /usr/sbin`,
      'AXES_TEST_MYSQL_URL',
    )
  }
  const dir = await mkdtemp(path.join(tempBase(false), 'node-axes-mysql-'))
  const entry = track(dir)
  try {
    const data = path.join(dir, 'data')
    const tmp = path.join(dir, 'tmp')
    const initFile = path.join(dir, 'init.sql')
    await mkdir(tmp)
    // A real account with a password for TCP from 127.0.0.1 (grant tables on, never skipped).
    // CREATE OR REPLACE: mariadb-install-db makes a passwordless root@127.0.0.1 of its own.
    await writeFile(
      initFile,
      `CREATE OR REPLACE USER 'root'@'127.0.0.1' IDENTIFIED BY '${PASSWORD}';\n` +
        `GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;\n`,
    )
    // mariadbd refuses to run as root unless told to; the files are ours, in our own directory.
    const user = isRoot() ? ['--user=root'] : []
    // Small and unsynced for speed: a crash of a test server loses nothing anyone needs.
    const innodb = [
      '--innodb-buffer-pool-size=64M',
      '--innodb-log-file-size=32M',
      '--innodb-doublewrite=0',
      '--innodb-flush-log-at-trx-commit=2',
      // No io_uring/libaio: containers often forbid them, and test servers don't need them.
      '--innodb-use-native-aio=0',
    ]
    // --no-defaults must come first: no /etc/mysql/my.cnf, no ~/.my.cnf.
    await run(
      installDb,
      [
        '--no-defaults',
        `--datadir=${data}`,
        `--tmpdir=${tmp}`,
        '--auth-root-authentication-method=normal',
        '--skip-test-db',
        '--skip-name-resolve',
        ...user,
        ...innodb,
      ],
      { cwd: dir, entry },
    )
    const launchOptions: Launch = {
      name: 'MariaDB',
      command: server,
      args: (p) => [
        '--no-defaults',
        `--datadir=${data}`,
        `--tmpdir=${tmp}`,
        `--socket=${path.join(dir, 'mysqld.sock')}`,
        `--pid-file=${path.join(dir, 'mysqld.pid')}`,
        `--port=${p}`,
        '--skip-networking=0',
        '--bind-address=127.0.0.1',
        '--skip-name-resolve',
        '--max-connections=300',
        // Tests that kill clients mid-handshake must not get 127.0.0.1 blocked.
        '--max-connect-errors=1000000',
        '--character-set-server=utf8mb4',
        '--collation-server=utf8mb4_unicode_ci',
        `--init-file=${initFile}`,
        ...user,
        ...innodb,
      ],
      ready: 'ready for connections',
      dir,
    }
    const launched = await launch(entry, launchOptions)
    return running(
      entry,
      launched,
      launchOptions,
      'SIGTERM',
      `mysql://root:${PASSWORD}@127.0.0.1:${launched.port}/mysql`,
    )
  } catch (error) {
    untrack(entry)
    await rm(dir, { recursive: true, force: true, maxRetries: 5 })
    throw error
  }
}

// ---------------------------------------------------------------------------------------------
// Redis

const REDIS_INSTALL = 'apt-get install redis-server redis-tools'

/** A standalone redis-server: no persistence, loopback only. */
export interface RedisTestServer extends TestServer {
  /** The port it listens on (0 for a server from the env). */
  port: number
}

/**
 * Starts a standalone redis-server in a temporary directory (on `port` when given: a test that
 * restarts Redis asks for the same port again), or takes AXES_TEST_REDIS_URL (unless `ownServer`).
 */
export async function startRedis(
  options: { port?: number; ownServer?: boolean } = {},
): Promise<RedisTestServer | null> {
  const fromEnv = process.env.AXES_TEST_REDIS_URL
  if (fromEnv && !options.ownServer) return { ...external(fromEnv), port: 0 }
  const server = findExecutable(['redis-server'])
  if (!server) {
    return unavailable(
      'Redis',
      'no redis-server on PATH or in /usr/sbin',
      'AXES_TEST_REDIS_URL',
      REDIS_INSTALL,
    )
  }
  const dir = await mkdtemp(path.join(tempBase(false), 'node-axes-redis-'))
  const entry = track(dir)
  try {
    const launchOptions: Launch = {
      name: 'Redis',
      command: server,
      args: (p) => redisArgs(dir, p),
      ready: 'Ready to accept connections',
      dir,
      port: options.port,
    }
    const launched = await launch(entry, launchOptions)
    const { port } = launched
    const running_ = running(entry, launched, launchOptions, 'SIGTERM', `redis://127.0.0.1:${port}`)
    return { ...running_, port }
  } catch (error) {
    untrack(entry)
    await rm(dir, { recursive: true, force: true, maxRetries: 5 })
    throw error
  }
}

/**
 * Starts a Redis Cluster of three masters (no replicas) made with `redis-cli --cluster create`,
 * or takes AXES_TEST_REDIS_CLUSTER_URL (any one node). The URL names the first node.
 */
export async function startRedisCluster(): Promise<TestServer | null> {
  const fromEnv = process.env.AXES_TEST_REDIS_CLUSTER_URL
  if (fromEnv) return external(fromEnv)
  const server = findExecutable(['redis-server'])
  const cli = findExecutable(['redis-cli'])
  if (!server || !cli) {
    return unavailable(
      'Redis',
      `no ${server ? 'redis-cli' : 'redis-server'} on PATH or in /usr/sbin`,
      'AXES_TEST_REDIS_CLUSTER_URL',
      REDIS_INSTALL,
    )
  }
  const nodes: TestServer[] = []
  const ports: number[] = []
  try {
    for (let i = 0; i < 3; i++) {
      const dir = await mkdtemp(path.join(tempBase(false), 'node-axes-redis-cluster-'))
      const entry = track(dir)
      try {
        const bus = await freePort()
        const launchOptions: Launch = {
          name: 'Redis (cluster node)',
          command: server,
          args: (p) => [
            ...redisArgs(dir, p),
            '--cluster-enabled',
            'yes',
            '--cluster-config-file',
            path.join(dir, 'nodes.conf'),
            // The bus port is ours too (port + 10000 could be taken, or past 65535).
            '--cluster-port',
            String(bus),
            '--cluster-node-timeout',
            '5000',
          ],
          ready: 'Ready to accept connections',
          dir,
        }
        const launched = await launch(entry, launchOptions)
        const { port } = launched
        nodes.push(running(entry, launched, launchOptions, 'SIGTERM', `redis://127.0.0.1:${port}`))
        ports.push(port)
      } catch (error) {
        untrack(entry)
        await rm(dir, { recursive: true, force: true, maxRetries: 5 })
        throw error
      }
    }
    await execText(cli, [
      '--cluster',
      'create',
      ...ports.map((port) => `127.0.0.1:${port}`),
      '--cluster-replicas',
      '0',
      '--cluster-yes',
    ])
    // Every node must know every slot's owner before a client connects.
    const deadline = Date.now() + READY_TIMEOUT_MS
    for (const port of ports) {
      for (;;) {
        const info = await execText(cli, ['-h', '127.0.0.1', '-p', String(port), 'cluster', 'info'])
        if (info.includes('cluster_state:ok') && info.includes('cluster_slots_assigned:16384'))
          break
        if (Date.now() > deadline) throw new Error(`Redis Cluster did not become ready:\n${info}`)
        await sleep(50)
      }
    }
    return {
      url: `redis://127.0.0.1:${ports[0]}`,
      stop: async () => {
        await Promise.all(nodes.map((node) => node.stop()))
      },
    }
  } catch (error) {
    await Promise.all(nodes.map((node) => node.stop()))
    throw error
  }
}

function redisArgs(dir: string, port: number): string[] {
  return [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--save',
    '',
    '--appendonly',
    'no',
    '--daemonize',
    'no',
    '--protected-mode',
    'yes',
    '--maxclients',
    '1000',
  ]
}

// ---------------------------------------------------------------------------------------------
// Databases

/**
 * Creates a fresh database on `server` (a TestServer, or just its URL as tests get it from
 * `inject`) and returns its URL. Names are unique per call, so test files can run in parallel
 * with one database each. PostgreSQL: UTF8, C collation, from template0 (never "template1 is being
 * accessed by other users"); MariaDB/MySQL: utf8mb4 / utf8mb4_unicode_ci, as Django recommends.
 */
export async function createDatabase(
  server: Pick<TestServer, 'url'> | string,
  kind: ServerKind,
  name: string = uniqueDatabaseName(),
): Promise<string> {
  const serverUrl = typeof server === 'string' ? server : server.url
  const url = new URL(serverUrl)
  if (urlKind(url) !== kind) throw new Error(`createDatabase: ${redact(url)} is not a ${kind} URL`)
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(name)) {
    throw new Error(`createDatabase: ${JSON.stringify(name)} is not a plain database name`)
  }
  const sql =
    kind === 'postgres'
      ? `CREATE DATABASE "${name}" TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'`
      : `CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`
  if (clientBinary(kind)) await runSql(serverUrl, sql)
  else await runSqlWithDriver(kind, serverUrl, sql)
  url.pathname = `/${name}`
  return url.toString()
}

export function uniqueDatabaseName(prefix = 'axes_test'): string {
  return `${prefix}_${Date.now().toString(36)}_${process.pid}_${randomBytes(4).toString('hex')}`
}

/**
 * Runs SQL with the server's own command-line client (psql, or mariadb/mysql) and returns its
 * output: one line per row, columns separated by tabs, no headers. Throws with the client's
 * message when the statement fails.
 */
export async function runSql(serverUrl: string, sql: string): Promise<string> {
  const url = new URL(serverUrl)
  const kind = urlKind(url)
  if (!kind) throw new Error(`runSql: ${redact(url)} is neither a postgres: nor a mysql: URL`)
  const client = clientBinary(kind)
  if (!client) {
    throw new Error(
      `runSql: no ${kind === 'postgres' ? 'psql' : 'mariadb or mysql'} client (${INSTALL})`,
    )
  }
  if (kind === 'postgres') {
    const args = [serverUrl, '-X', '-q', '-A', '-t', '-F', '\t', '-v', 'ON_ERROR_STOP=1', '-c', sql]
    return execText(client, args, { PGCLIENTENCODING: 'UTF8' })
  }
  const args = ['--no-defaults', '--protocol=TCP', '--batch', '--skip-column-names', '--raw']
  args.push('--default-character-set=utf8mb4')
  args.push('-h', url.hostname, '-P', url.port || '3306', '-u', decodeURIComponent(url.username))
  args.push('-e', sql)
  const database = decodeURIComponent(url.pathname.slice(1))
  if (database) args.push(database)
  // The password goes in the environment, not on a command line other users can read.
  return execText(client, args, { MYSQL_PWD: decodeURIComponent(url.password) })
}

/** Without a client binary (a server from the env, say): the drivers, if they are installed. */
async function runSqlWithDriver(kind: ServerKind, url: string, sql: string): Promise<void> {
  // Specifiers in variables: the drivers are the database handler's, optional to this module.
  const driver = kind === 'postgres' ? 'pg' : 'mysql2/promise'
  let mod: { default?: unknown } & Record<string, unknown>
  try {
    mod = await import(driver)
  } catch {
    throw new Error(
      `createDatabase: neither the ${kind === 'postgres' ? 'psql' : 'mariadb'} client nor the ` +
        `${driver} driver is available (${INSTALL}, or npm install)`,
    )
  }
  if (kind === 'postgres') {
    // biome-ignore lint/suspicious/noExplicitAny: untyped optional import
    const pg = (mod.default ?? mod) as any
    const client = new pg.Client({ connectionString: url })
    await client.connect()
    try {
      await client.query(sql)
    } finally {
      await client.end()
    }
  } else {
    // biome-ignore lint/suspicious/noExplicitAny: untyped optional import
    const mysql = (mod.default ?? mod) as any
    const connection = await mysql.createConnection(url)
    try {
      await connection.query(sql)
    } finally {
      await connection.end()
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Finding binaries

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK)
    return statSync(file).isFile()
  } catch {
    return false
  }
}

/** PATH, then the sbin directories a normal user's PATH often lacks (mariadbd is in /usr/sbin). */
function findExecutable(names: string[], firstIn: string[] = []): string | null {
  const dirs = [
    ...firstIn,
    ...(process.env.PATH ?? '').split(path.delimiter).filter(Boolean),
    '/usr/local/sbin',
    '/usr/sbin',
    '/sbin',
  ]
  for (const name of names) {
    for (const dir of dirs) {
      const file = path.join(dir, name)
      if (isExecutable(file)) return file
    }
  }
  return null
}

/** Debian: /usr/lib/postgresql/<version>/bin, newest first; elsewhere, initdb on PATH. */
function postgresBinDir(): string | null {
  const root = '/usr/lib/postgresql'
  let versions: string[] = []
  try {
    versions = readdirSync(root).filter((v) => /^\d+(\.\d+)?$/.test(v))
  } catch {}
  versions.sort((a, b) => Number(b) - Number(a))
  for (const version of versions) {
    const dir = path.join(root, version, 'bin')
    if (isExecutable(path.join(dir, 'initdb')) && isExecutable(path.join(dir, 'postgres'))) {
      return dir
    }
  }
  const initdb = findExecutable(['initdb'])
  if (initdb && isExecutable(path.join(path.dirname(initdb), 'postgres'))) {
    return path.dirname(initdb)
  }
  return null
}

function clientBinary(kind: ServerKind): string | null {
  if (kind === 'postgres') {
    const bin = postgresBinDir()
    return findExecutable(['psql'], bin ? [bin] : [])
  }
  return findExecutable(['mariadb', 'mysql'])
}

function unavailable(name: string, why: string, envVar: string, install = INSTALL): null {
  const fix = `Install it with \`${install}\`, or point ${envVar} at a server.`
  if (process.env.CI === 'true') {
    throw new Error(
      `${name} is not installed (${why}), and under CI=true that fails the run. ${fix}`,
    )
  }
  console.warn(
    `[node-axes tests] ${name} is not installed (${why}): the ${name} suites are skipped. ${fix}`,
  )
  return null
}

// ---------------------------------------------------------------------------------------------
// Processes

interface Owner {
  uid: number
  gid: number
}

function isRoot(): boolean {
  return process.getuid?.() === 0
}

async function systemUser(name: string): Promise<Owner | undefined> {
  try {
    const uid = Number((await execText('id', ['-u', name])).trim())
    const gid = Number((await execText('id', ['-g', name])).trim())
    return Number.isInteger(uid) && Number.isInteger(gid) ? { uid, gid } : undefined
  } catch {
    return undefined
  }
}

/**
 * Where the temporary directories go: os.tmpdir(), unless another user (postgres) could not reach
 * it, or it is so deep that a unix socket path inside would pass the 107-byte limit.
 */
function tempBase(forOtherUser: boolean): string {
  const base = os.tmpdir()
  if (base.length > 60) return '/tmp'
  if (forOtherUser) {
    for (let dir = base; ; dir = path.dirname(dir)) {
      try {
        if ((statSync(dir).mode & 0o001) === 0) return '/tmp'
      } catch {
        return '/tmp'
      }
      if (dir === path.dirname(dir)) break
    }
  }
  return base
}

function childEnv(): NodeJS.ProcessEnv {
  // Messages in English, as the readiness checks expect.
  return { ...process.env, LC_ALL: 'C', LANG: 'C' }
}

function execText(
  command: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      { env: { ...childEnv(), ...env }, timeout: 30_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) {
          const detail = String(stderr).trim() || String(stdout).trim() || error.message
          reject(new Error(`${path.basename(command)} failed: ${detail}`))
        } else {
          resolve(String(stdout))
        }
      },
    )
  })
}

/** A one-off command (initdb, mariadb-install-db), its output in the error when it fails. */
function run(
  command: string,
  args: string[],
  options: { cwd: string; owner?: Owner | undefined; entry: Tracked },
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: childEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(options.owner ? { uid: options.owner.uid, gid: options.owner.gid } : {}),
    })
    // Killed with the rest if this process goes away while it runs.
    options.entry.child = child
    let output = ''
    child.stdout.on('data', (chunk) => {
      output += chunk
    })
    child.stderr.on('data', (chunk) => {
      output += chunk
    })
    child.once('error', reject)
    child.once('close', (code, signal) => {
      if (options.entry.child === child) options.entry.child = undefined
      if (code === 0) resolve()
      else {
        const status = signal ?? `exit code ${code}`
        reject(new Error(`${path.basename(command)} failed (${status}):\n${output.trim()}`))
      }
    })
  })
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer()
    probe.unref()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo
      probe.close(() => resolve(port))
    })
  })
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port })
    socket.setTimeout(1_000)
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
    socket.once('timeout', () => {
      socket.destroy()
      resolve(false)
    })
  })
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

function logTail(file: string, bytes = 4_000): string {
  try {
    const text = readFileSync(file, 'utf8')
    return text.length > bytes ? `…${text.slice(-bytes)}` : text
  } catch {
    return '(no log)'
  }
}

/** The free port we picked was taken before the server bound it: try another. */
const PORT_TAKEN =
  /could not bind|address already in use|Could not create server TCP listening socket|Bind on TCP\/IP port|another (mysqld|mariadbd) server running/i

interface Launch {
  name: string
  command: string
  args: (port: number) => string[]
  /** The line the server logs when it accepts connections. */
  ready: string
  dir: string
  owner?: Owner | undefined
  /** Listen on this port rather than a free one (no retry on another port). */
  port?: number | undefined
}

interface Launched {
  child: ChildProcess
  port: number
  exited: Promise<void>
}

async function launch(entry: Tracked, options: Launch): Promise<Launched> {
  const logFile = path.join(options.dir, 'server.log')
  for (let attempt = 1; ; attempt++) {
    const port = options.port ?? (await freePort())
    // The server writes straight to a file: no pipe to drain, and the log survives for errors.
    const fd = openSync(logFile, 'w')
    let child: ChildProcess
    try {
      child = spawn(options.command, options.args(port), {
        cwd: options.dir,
        env: childEnv(),
        stdio: ['ignore', fd, fd],
        ...(options.owner ? { uid: options.owner.uid, gid: options.owner.gid } : {}),
      })
    } finally {
      closeSync(fd)
    }
    // Don't hold the event loop open: if a script forgets stop(), it still exits and the exit
    // hook kills the server.
    child.unref()
    let spawnError: Error | undefined
    child.once('error', (error) => {
      spawnError = error
    })
    const exited = new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve()
      else child.once('exit', () => resolve())
    })
    entry.child = child
    entry.watchdog = watchdog(child, options.dir)

    const deadline = Date.now() + READY_TIMEOUT_MS
    let failure: string | undefined
    for (;;) {
      if (spawnError) {
        failure = `could not start ${options.command}: ${spawnError.message}`
        break
      }
      if (child.exitCode !== null || child.signalCode !== null) {
        failure = `exited (${child.signalCode ?? `exit code ${child.exitCode}`}) before accepting connections`
        break
      }
      if (readFileSync(logFile, 'utf8').includes(options.ready) && (await canConnect(port))) {
        return { child, port, exited }
      }
      if (Date.now() > deadline) {
        failure = `did not accept connections within ${READY_TIMEOUT_MS / 1000} s`
        break
      }
      await sleep(20)
    }

    if (!spawnError) await terminate(child, exited, 'SIGKILL')
    stopWatchdog(entry)
    entry.child = undefined
    const log = logTail(logFile)
    if (attempt < PORT_ATTEMPTS && options.port === undefined && PORT_TAKEN.test(log)) continue
    throw new Error(
      `${options.name} (${options.command}, port ${port}) ${failure}. Its log:\n${log.trim()}`,
    )
  }
}

async function terminate(
  child: ChildProcess,
  exited: Promise<void>,
  signal: NodeJS.Signals,
): Promise<void> {
  const done = () => child.exitCode !== null || child.signalCode !== null
  if (done()) return
  child.kill(signal)
  await within(exited, signal === 'SIGKILL' ? 5_000 : STOP_TIMEOUT_MS)
  if (done() || signal === 'SIGKILL') return
  child.kill('SIGKILL')
  await within(exited, 5_000)
}

/** Waits for `promise`, or `ms` at most, leaving no timer behind to hold the process open. */
async function within(promise: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  try {
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms)
    })
    await Promise.race([promise, timeout])
  } finally {
    clearTimeout(timer)
  }
}

function running(
  entry: Tracked,
  launched: Launched,
  options: Launch,
  stopSignal: NodeJS.Signals,
  url: string,
): TestServer {
  let stopping: Promise<void> | undefined
  let current = launched
  return {
    url,
    stop() {
      stopping ??= (async () => {
        await terminate(current.child, current.exited, stopSignal)
        untrack(entry)
        await rm(entry.dir, { recursive: true, force: true, maxRetries: 5 })
      })()
      return stopping
    },
    async crash() {
      const { child, exited } = current
      // The server's children first (PostgreSQL's backends would keep its shared memory).
      const children = child.pid === undefined ? [] : childPids(child.pid)
      await terminate(child, exited, 'SIGKILL')
      for (const pid of children) {
        try {
          process.kill(pid, 'SIGKILL')
        } catch {}
      }
      await waitGone(children)
      stopWatchdog(entry)
      entry.child = undefined
    },
    async restart() {
      current = await launch(entry, { ...options, port: launched.port })
    },
  }
}

/** The pids whose parent is `pid` (Linux /proc). */
function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number)
  } catch {
    return []
  }
}

/** Waits (5 s at most) until none of these processes is left. */
async function waitGone(pids: number[]): Promise<void> {
  const deadline = Date.now() + 5_000
  for (;;) {
    const alive = pids.filter((pid) => {
      try {
        process.kill(pid, 0)
        return true
      } catch {
        return false
      }
    })
    if (alive.length === 0 || Date.now() > deadline) return
    await sleep(20)
  }
}

function external(url: string): TestServer {
  return { url, stop: async () => {} }
}

// ---------------------------------------------------------------------------------------------
// Cleanup when the process goes away

/** A server's directory from the moment it exists, and whatever is running in it. */
interface Tracked {
  dir: string
  child?: ChildProcess | undefined
  watchdog?: ChildProcess | undefined
}

const tracked = new Set<Tracked>()
let hooked = false

function track(dir: string): Tracked {
  if (!hooked) {
    hooked = true
    process.once('exit', killAll)
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      const onSignal = () => {
        killAll()
        process.removeListener(signal, onSignal)
        // Nobody else handles it: die of it as we would have without this hook.
        if (process.listenerCount(signal) === 0) process.kill(process.pid, signal)
      }
      process.on(signal, onSignal)
    }
  }
  const entry: Tracked = { dir }
  tracked.add(entry)
  return entry
}

function untrack(entry: Tracked): void {
  tracked.delete(entry)
  stopWatchdog(entry)
}

function stopWatchdog(entry: Tracked): void {
  if (entry.watchdog?.exitCode === null) entry.watchdog.kill()
  entry.watchdog = undefined
}

/** Synchronous, for `exit` and signals: kill the servers and remove their directories. */
function killAll(): void {
  for (const { child, dir } of tracked) {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    try {
      rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 })
    } catch {}
  }
  tracked.clear()
}

/**
 * For a process killed with SIGKILL (no hook runs): a detached shell that waits for this process
 * to go, then kills the server (if that pid is still a server in our directory) and removes the
 * directory. Killed by stop(); after a normal exit it finds nothing left to do.
 */
function watchdog(child: ChildProcess, dir: string): ChildProcess | undefined {
  if (process.platform !== 'linux' || child.pid === undefined) return undefined
  const script = [
    'while kill -0 "$1" 2>/dev/null; do sleep 1; done',
    'if grep -qaF -- "$3" "/proc/$2/cmdline" 2>/dev/null; then kill -KILL "$2" 2>/dev/null; sleep 1; fi',
    'rm -rf -- "$3"',
  ].join('\n')
  try {
    const shell = spawn(
      '/bin/sh',
      ['-c', script, 'node-axes-server-watchdog', String(process.pid), String(child.pid), dir],
      { detached: true, stdio: 'ignore' },
    )
    shell.once('error', () => {})
    shell.unref()
    return shell
  } catch {
    return undefined
  }
}

// ---------------------------------------------------------------------------------------------

function settings(values: Record<string, string>): string[] {
  return Object.entries(values).flatMap(([key, value]) => ['-c', `${key}=${value}`])
}

function urlKind(url: URL): ServerKind | null {
  if (url.protocol === 'postgres:' || url.protocol === 'postgresql:') return 'postgres'
  if (url.protocol === 'mysql:' || url.protocol === 'mariadb:') return 'mysql'
  return null
}

function redact(url: URL): string {
  const copy = new URL(url)
  if (copy.password) copy.password = '***'
  return copy.toString()
}
