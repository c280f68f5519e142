// How long the admin pages take with many stored attempts:
//   npx tsx bench/admin-pages.ts [rows] [sqlite|memory]     (default 100,000 on a SQLite file)
// SQLite: rows are written straight into django-axes' table. Memory: one failure is recorded per
// client through the engine (one bucket each, by IP and username). Each page is then requested 5
// times after a warm-up, through the admin's Web-standard handler (no HTTP), and the mean printed.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { createAdminHandler } from '../src/entries/admin.js'
import { databaseHandler } from '../src/handlers/database/index.js'
import { type Axes, createAxes } from '../src/index.js'

const N = Number(process.argv[2] ?? 100_000)
const store = process.argv[3] === 'memory' ? 'memory' : 'sqlite'
const dir = mkdtempSync(join(tmpdir(), 'admin-measure-'))
const ip = (i: number) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`

async function sqliteAxes(): Promise<Axes> {
  const file = join(dir, 'axes.sqlite3')
  const handler = databaseHandler({ url: `sqlite:${file}` })
  await handler.migrate()
  const db = new DatabaseSync(file)
  const insert = db.prepare(
    `INSERT INTO axes_accessattempt (user_agent, ip_address, username, http_accept, path_info, attempt_time, get_data, post_data, failures_since_start) VALUES (?, ?, ?, '*/*', ?, ?, '', 'username=********************', ?)`,
  )
  const now = Date.now()
  db.exec('BEGIN')
  for (let i = 0; i < N; i++) {
    const t = new Date(now - (i % 100_000) * 60_000)
      .toISOString()
      .replace('T', ' ')
      .replace('Z', '')
    insert.run(
      `agent-${i % 50}`,
      ip(i),
      `user${i}`,
      i % 3 ? '/login' : '/api/login',
      t,
      1 + (i % 5),
    )
  }
  db.exec('COMMIT')
  db.close()
  return createAxes({ handler, failureLimit: 5, cooloffTime: '1h' })
}

async function memoryAxes(): Promise<Axes> {
  const axes = createAxes({
    handler: 'memory',
    failureLimit: 5,
    cooloffTime: '1h',
    lockoutParameters: [['ip_address', 'username']],
    logger: false,
  })
  for (let i = 0; i < N; i++) {
    const username = `user${i}`
    const request = { method: 'POST', path: '/login', headers: {}, socketAddress: ip(i) }
    await axes.loginFailed({ ...request, body: { username } }, { username })
  }
  return axes
}

const axes = store === 'memory' ? await memoryAxes() : await sqliteAxes()
const admin = createAdminHandler({ axes, authorize: () => true })
const time = async (label: string, path: string) => {
  await (await admin(new Request(`http://localhost${path}`))).text()
  const runs = 5
  const t0 = performance.now()
  for (let i = 0; i < runs; i++) await (await admin(new Request(`http://localhost${path}`))).text()
  console.log(`${label.padEnd(34)} ${((performance.now() - t0) / runs).toFixed(1)} ms`)
}
console.log(`${N} attempts, ${store === 'memory' ? 'memory handler' : 'SQLite file'}`)
await time('attempts, first page', '/attempts')
await time('attempts, page 500', '/attempts?p=500')
await time('attempts, search "user4242"', '/attempts?q=user4242')
await time('attempts, locked out', '/attempts?locked=yes')
await time('attempts, sorted by username', '/attempts?o=username')
await time('overview (7 days)', '/')
await axes.close()
rmSync(dir, { recursive: true, force: true })
