import { createServer as createHttpServer, type Server } from 'node:http'
import {
  type AddressInfo,
  createServer as createTcpServer,
  type Server as TcpServer,
} from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  type LockoutNotice,
  notifyOnLockout,
  smtpMail,
  webhook,
} from '../../examples/lockout-notifications.js'
import type { AxesLogRecord, AxesRequest } from '../../src/index.js'
import { createAxes } from '../support/axes.js'

/** A tiny SMTP sink: answers every command, keeps each message's DATA. */
function smtpSink(): { server: TcpServer; messages: string[] } {
  const messages: string[] = []
  const server = createTcpServer((socket) => {
    socket.setEncoding('utf8')
    socket.write('220 sink ESMTP\r\n')
    let buffer = ''
    let inData = false
    socket.on('data', (chunk: string) => {
      buffer += chunk
      for (;;) {
        if (inData) {
          const end = buffer.indexOf('\r\n.\r\n')
          if (end < 0) return
          messages.push(buffer.slice(0, end).replace(/^\.\./gm, '.'))
          buffer = buffer.slice(end + 5)
          inData = false
          socket.write('250 queued\r\n')
          continue
        }
        const eol = buffer.indexOf('\r\n')
        if (eol < 0) return
        const line = buffer.slice(0, eol)
        buffer = buffer.slice(eol + 2)
        const verb = line.slice(0, 4).toUpperCase()
        if (verb === 'DATA') {
          inData = true
          socket.write('354 go ahead\r\n')
        } else if (verb === 'QUIT') {
          socket.end('221 bye\r\n')
        } else if (verb === 'EHLO') {
          socket.write('250-sink\r\n250 8BITMIME\r\n')
        } else socket.write('250 ok\r\n')
      }
    })
  })
  return { server, messages }
}

const listen = async (server: Server | TcpServer): Promise<number> => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return (server.address() as AddressInfo).port
}

function login(username: string, ip = '10.0.0.1'): AxesRequest {
  return { method: 'POST', path: '/login', headers: {}, socketAddress: ip, body: { username } }
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 300))

// The notification recipe of docs/events.md, sending to real local servers.
describe('examples/lockout-notifications', () => {
  const hooks: { body: Record<string, unknown>; type: string | undefined }[] = []
  const http = createHttpServer((req, res) => {
    let body = ''
    req.setEncoding('utf8')
    req.on('data', (chunk: string) => {
      body += chunk
    })
    req.on('end', () => {
      hooks.push({ body: JSON.parse(body), type: req.headers['content-type'] })
      res.end('ok')
    })
  })
  const sink = smtpSink()
  let hookUrl = ''
  let smtpPort = 0

  beforeAll(async () => {
    hookUrl = `http://127.0.0.1:${await listen(http)}/hook`
    smtpPort = await listen(sink.server)
  })
  afterAll(async () => {
    await new Promise((resolve) => http.close(resolve))
    await new Promise((resolve) => sink.server.close(resolve))
  })

  const wrong = async () => null

  it('posts a webhook when a client is locked out, once per lock', async () => {
    hooks.length = 0
    const axes = createAxes({ logger: false, failureLimit: 3, cooloffTime: '15m' })
    notifyOnLockout(axes, webhook(hookUrl), { max: 10, windowMs: 60_000 })
    for (let i = 0; i < 6; i++) await axes.protect(login('alice'), { username: 'alice' }, wrong)
    await settle()
    expect(hooks).toHaveLength(1)
    expect(hooks[0]?.type).toBe('application/json')
    expect(hooks[0]?.body).toMatchObject({
      username: 'alice',
      ipAddress: '10.0.0.1',
      failures: 3,
      suppressed: 0,
      text: expect.stringMatching(
        /^Locked out alice from 10\.0\.0\.1 after 3 failed sign-ins, until 20/,
      ),
    })
  })

  it('sends e-mail through an SMTP relay', async () => {
    sink.messages.length = 0
    const axes = createAxes({ logger: false, failureLimit: 2 })
    const mail = smtpMail({
      host: '127.0.0.1',
      port: smtpPort,
      from: 'axes@example.com',
      to: 'ops@example.com',
    })
    notifyOnLockout(axes, mail, { max: 5, windowMs: 60_000 })
    for (let i = 0; i < 2; i++) await axes.protect(login('bob'), { username: 'bob' }, wrong)
    await settle()
    expect(sink.messages).toHaveLength(1)
    expect(sink.messages[0]).toContain('Subject: Sign-in lockout: bob')
    expect(sink.messages[0]).toContain('To: ops@example.com')
    expect(sink.messages[0]).toMatch(/Locked out bob from 10\.0\.0\.1 after 2 failed sign-ins/)
  })

  it('a burst of 100 lockouts sends at most the configured number, then says how many were held back', async () => {
    hooks.length = 0
    sink.messages.length = 0
    let clock = Date.UTC(2026, 0, 1)
    const axes = createAxes({ logger: false, failureLimit: 1, clock: () => clock })
    const limit = { max: 3, windowMs: 60_000, now: () => clock }
    const mail = smtpMail({
      host: '127.0.0.1',
      port: smtpPort,
      from: 'axes@example.com',
      to: 'ops@example.com',
    })
    notifyOnLockout(axes, webhook(hookUrl), limit)
    notifyOnLockout(axes, mail, limit)
    await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        axes.protect(login(`user${i}`, `10.1.0.${i}`), { username: `user${i}` }, wrong),
      ),
    )
    await settle()
    expect(hooks).toHaveLength(3)
    expect(sink.messages).toHaveLength(3)
    // The next window: one more notice, which counts the 97 held back.
    clock += 60_000
    await axes.protect(login('late', '10.2.0.1'), { username: 'late' }, wrong)
    await settle()
    expect(hooks).toHaveLength(4)
    expect(hooks[3]?.body).toMatchObject({ username: 'late', suppressed: 97 })
    expect(String(hooks[3]?.body.text)).toContain('(97 more lockouts not notified)')
    expect(sink.messages).toHaveLength(4)
  })

  it('a webhook that fails is logged as a failing listener and never breaks the login', async () => {
    const errors: AxesLogRecord[] = []
    const axes = createAxes({
      failureLimit: 1,
      logger: { info() {}, warn() {}, error: (r) => errors.push(r) },
      silencedChecks: ['axes.W002', 'axes.W003'],
    })
    const down: LockoutNotice[] = []
    notifyOnLockout(
      axes,
      async (notice) => {
        down.push(notice)
        await webhook('http://127.0.0.1:9/unreachable', 500)(notice)
      },
      { max: 5, windowMs: 60_000 },
    )
    const result = await axes.protect(login('carol'), { username: 'carol' }, wrong)
    expect(result.decision.reason).toBe('lockedOut')
    await settle()
    expect(down).toHaveLength(1)
    expect(errors[0]).toMatchObject({ event: 'listenerError', listener: 'lockedOut' })
    expect(errors[0]?.err).toBeInstanceOf(Error)
  })
})
