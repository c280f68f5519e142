// The test servers themselves: reachable with their own clients, over TCP on 127.0.0.1, with
// real password authentication, one fresh database per createDatabase call, and gone (process,
// port and directory) when stopped or when the process that started them is killed. Redis: a
// standalone server that stops and starts again on its port, and a cluster of three masters.

import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import net from 'node:net'
import { fileURLToPath } from 'node:url'
import { Redis } from 'ioredis'
import { afterEach, describe, expect, it } from 'vitest'
import { mysqlServerUrl, pgServerUrl, redisClusterUrl, redisServerUrl } from './inject-servers.js'
import { createDatabase, runSql, startPostgres, startRedis } from './servers.js'

const ci = process.env.CI === 'true'
const pgUrl = pgServerUrl()
const mysqlUrl = mysqlServerUrl()
// Servers from AXES_TEST_*_URL are someone else's: check only what any server must do.
const ownPg = pgUrl !== null && !process.env.AXES_TEST_PG_URL
const ownMysql = mysqlUrl !== null && !process.env.AXES_TEST_MYSQL_URL

const skipPg = pgUrl === null && !ci
const skipMysql = mysqlUrl === null && !ci
const pgTitle = skipPg ? ' (skipped: PostgreSQL is not installed, apt-get install postgresql)' : ''
const mysqlTitle = skipMysql
  ? ' (skipped: MariaDB is not installed, apt-get install mariadb-server)'
  : ''

function rows(output: string): string[][] {
  return output
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => line.split('\t'))
}

function withPassword(url: string, password: string): string {
  const copy = new URL(url)
  copy.password = password
  return copy.toString()
}

function portOf(url: string): number {
  return Number(new URL(url).port)
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port })
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}

async function eventually(check: () => boolean | Promise<boolean>, ms = 10_000): Promise<boolean> {
  const deadline = Date.now() + ms
  while (Date.now() < deadline) {
    if (await check()) return true
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return check()
}

describe(`PostgreSQL test server${pgTitle}`, () => {
  it.skipIf(skipPg)('accepts password connections on 127.0.0.1', async () => {
    expect(pgUrl, 'CI=true: PostgreSQL must be available').not.toBeNull()
    const url = pgUrl as string
    expect(rows(await runSql(url, 'select 1'))).toEqual([['1']])
    if (!ownPg) return
    const [[address, maxConnections, fsync] = []] = rows(
      await runSql(
        url,
        `select inet_server_addr(), current_setting('max_connections'), current_setting('fsync')`,
      ),
    )
    expect(address).toBe('127.0.0.1')
    expect(Number(maxConnections)).toBeGreaterThanOrEqual(200)
    expect(fsync).toBe('off')
    await expect(runSql(withPassword(url, 'wrong'), 'select 1')).rejects.toThrow(
      /password authentication failed/,
    )
  })

  it.skipIf(skipPg)('creates distinct, usable databases', async () => {
    const url = pgUrl as string
    const [a, b] = await Promise.all([
      createDatabase(url, 'postgres'),
      createDatabase({ url }, 'postgres'),
    ])
    expect(a).not.toBe(b)
    const name = (db: string) => new URL(db).pathname.slice(1)
    expect(await runSql(a, 'select current_database()')).toBe(`${name(a)}\n`)
    expect(await runSql(b, 'select current_database()')).toBe(`${name(b)}\n`)

    await runSql(a, `create table t (v text not null); insert into t values ('a 😀')`)
    expect(await runSql(a, 'select v from t')).toBe('a 😀\n')
    // The other database is separate: no table t there.
    expect(await runSql(b, `select to_regclass('public.t') is null`)).toBe('t\n')
    expect(await runSql(b, 'show server_encoding')).toBe('UTF8\n')

    const named = `axes_named_${process.pid}_${Date.now().toString(36)}`
    expect(name(await createDatabase(url, 'postgres', named))).toBe(named)
    await expect(createDatabase(url, 'postgres', named)).rejects.toThrow(/already exists/)
    await expect(createDatabase(url, 'mysql')).rejects.toThrow(/not a mysql URL/)
    await expect(createDatabase(url, 'postgres', 'x"; drop')).rejects.toThrow(/plain database/)
  })
})

describe(`MariaDB test server${mysqlTitle}`, () => {
  it.skipIf(skipMysql)('accepts password connections on 127.0.0.1', async () => {
    expect(mysqlUrl, 'CI=true: MariaDB must be available').not.toBeNull()
    const url = mysqlUrl as string
    expect(rows(await runSql(url, 'select 1'))).toEqual([['1']])
    if (!ownMysql) return
    const [[user, bindAddress, maxConnections] = []] = rows(
      await runSql(url, 'select current_user(), @@bind_address, @@max_connections'),
    )
    expect(user).toBe('root@127.0.0.1')
    expect(bindAddress).toBe('127.0.0.1')
    expect(Number(maxConnections)).toBeGreaterThanOrEqual(300)
    // Grant tables are on: a wrong password is refused.
    await expect(runSql(withPassword(url, 'wrong'), 'select 1')).rejects.toThrow(/Access denied/)
  })

  it.skipIf(skipMysql)('creates distinct, usable databases', async () => {
    const url = mysqlUrl as string
    const [a, b] = await Promise.all([
      createDatabase(url, 'mysql'),
      createDatabase({ url }, 'mysql'),
    ])
    expect(a).not.toBe(b)
    const name = (db: string) => new URL(db).pathname.slice(1)
    expect(await runSql(a, 'select database(), @@character_set_database')).toBe(
      `${name(a)}\tutf8mb4\n`,
    )
    expect(await runSql(b, 'select database()')).toBe(`${name(b)}\n`)

    await runSql(a, `create table t (v varchar(20) not null); insert into t values ('a 😀')`)
    expect(await runSql(a, 'select v from t')).toBe('a 😀\n')
    expect(
      await runSql(
        b,
        `select count(*) from information_schema.tables where table_schema = database()`,
      ),
    ).toBe('0\n')

    const named = `axes_named_${process.pid}_${Date.now().toString(36)}`
    expect(name(await createDatabase(url, 'mysql', named))).toBe(named)
    await expect(createDatabase(url, 'mysql', named)).rejects.toThrow(/database exists/)
    await expect(createDatabase(url, 'postgres')).rejects.toThrow(/not a postgres URL/)
  })
})

describe('starting and stopping', () => {
  const saved = process.env.AXES_TEST_PG_URL
  afterEach(() => {
    if (saved === undefined) delete process.env.AXES_TEST_PG_URL
    else process.env.AXES_TEST_PG_URL = saved
  })

  it('uses AXES_TEST_PG_URL as it is and starts nothing', async () => {
    process.env.AXES_TEST_PG_URL = 'postgres://someone:secret@db.example:5433/axes'
    const server = await startPostgres()
    expect(server?.url).toBe('postgres://someone:secret@db.example:5433/axes')
    await server?.stop()
  })

  it.skipIf(!ownPg)('stop() shuts the server down and removes its directory', async () => {
    const server = await startPostgres()
    expect(server).not.toBeNull()
    const url = (server as NonNullable<typeof server>).url
    const dir = (await runSql(url, 'show unix_socket_directories')).trim()
    expect(existsSync(dir)).toBe(true)
    await server?.stop()
    expect(await accepts(portOf(url))).toBe(false)
    expect(existsSync(dir)).toBe(false)
  })

  it.skipIf(!ownPg || !ownMysql)(
    'a process killed by SIGTERM or SIGKILL leaves no server and no directory behind',
    async () => {
      for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
        // A separate Node process starts both servers, reports where they are, and waits.
        const servers = fileURLToPath(new URL('./servers.ts', import.meta.url))
        const script = `
          import { startMariadb, startPostgres } from ${JSON.stringify(servers)}
          const [pg, mysql] = await Promise.all([startPostgres(), startMariadb()])
          console.log(JSON.stringify({ pg: pg.url, mysql: mysql.url }))
          setInterval(() => {}, 1000)
        `
        const child = spawn(
          process.execPath,
          ['--import', 'tsx', '--input-type=module', '-e', script],
          {
            stdio: ['ignore', 'pipe', 'inherit'],
          },
        )
        let output = ''
        const urls = await new Promise<{ pg: string; mysql: string }>((resolve, reject) => {
          child.stdout.on('data', (chunk) => {
            output += chunk
            if (output.includes('\n')) resolve(JSON.parse(output))
          })
          child.once('exit', (code) => reject(new Error(`child exited (${code}): ${output}`)))
        })
        const pgDir = (await runSql(urls.pg, 'show unix_socket_directories')).trim()
        const mysqlDir = (await runSql(urls.mysql, 'select @@datadir'))
          .trim()
          .replace(/\/data\/?$/, '')
        expect(existsSync(pgDir) && existsSync(mysqlDir)).toBe(true)

        const exited = new Promise((resolve) => child.once('exit', resolve))
        child.kill(signal)
        await exited
        // SIGTERM: the signal hook, at once. SIGKILL: the watchdog, within a second or two.
        const gone = async () =>
          !existsSync(pgDir) &&
          !existsSync(mysqlDir) &&
          !(await accepts(portOf(urls.pg))) &&
          !(await accepts(portOf(urls.mysql)))
        expect(await eventually(gone), `${signal}: servers or directories left behind`).toBe(true)
      }
    },
  )
})

describe('Redis test servers', () => {
  const redisUrl = redisServerUrl()
  const clusterUrl = redisClusterUrl()
  const skipRedis = (redisUrl === null || clusterUrl === null) && !ci

  it.skipIf(skipRedis)('a 3-master cluster with every slot assigned', async () => {
    const node = new Redis(clusterUrl as string)
    try {
      const info = String(await node.call('CLUSTER', 'INFO'))
      expect(info).toContain('cluster_state:ok')
      expect(info).toContain('cluster_slots_assigned:16384')
      const masters = String(await node.call('CLUSTER', 'NODES'))
        .split('\n')
        .filter((line) => line.includes('master'))
      expect(masters).toHaveLength(3)
    } finally {
      node.disconnect()
    }
  })

  it.skipIf(skipRedis)(
    'a standalone server of its own: no persistence, gone when stopped, back on its port',
    async () => {
      const saved = process.env.AXES_TEST_REDIS_URL
      process.env.AXES_TEST_REDIS_URL = 'redis://elsewhere.example:6379'
      try {
        // ownServer ignores the URL from the environment.
        const server = await startRedis({ ownServer: true })
        expect(server?.url).toMatch(/^redis:\/\/127\.0\.0\.1:\d+$/)
        const first = new Redis(server?.url as string, { lazyConnect: true })
        await first.connect()
        const [, dir] = (await first.call('CONFIG', 'GET', 'dir')) as string[]
        expect(await first.call('CONFIG', 'GET', 'save')).toEqual(['save', ''])
        expect(await first.call('CONFIG', 'GET', 'appendonly')).toEqual(['appendonly', 'no'])
        first.disconnect()
        expect(existsSync(dir as string)).toBe(true)
        await server?.stop()
        expect(await accepts(server?.port as number)).toBe(false)
        expect(existsSync(dir as string)).toBe(false)
        const again = await startRedis({ port: server?.port, ownServer: true })
        expect(again?.port).toBe(server?.port)
        expect(await accepts(again?.port as number)).toBe(true)
        await again?.stop()
        // Without ownServer, the environment's URL is taken as it is.
        expect((await startRedis())?.url).toBe('redis://elsewhere.example:6379')
      } finally {
        if (saved === undefined) delete process.env.AXES_TEST_REDIS_URL
        else process.env.AXES_TEST_REDIS_URL = saved
      }
    },
  )
})
