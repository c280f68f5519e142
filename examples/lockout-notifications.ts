/**
 * Lockout notifications with a rate limit of their own: a webhook (Slack, Teams, a pager) and an
 * e-mail when a client is locked out, built on the `lockedOut` event. An attack that locks a
 * thousand accounts sends at most `max` notifications a window, the last one saying how many were
 * held back (django-axes #234, #762: notify, without turning an attack into a flood).
 *
 *   import { notifyOnLockout, webhook, smtpMail } from './lockout-notifications.js'
 *   notifyOnLockout(axes, webhook('https://hooks.example.com/…'), { max: 10, windowMs: 60_000 })
 *
 * docs/events.md ("Lockout notifications") explains the choices; test/examples/
 * lockout-notifications.test.ts sends both kinds to local servers.
 */

import { connect } from 'node:net'
import type { Axes, LockedOutEvent } from 'node-axes'

/** What a notification says: who, from where, until when, and how many were held back before. */
export interface LockoutNotice {
  username: string | null
  ipAddress: string | null
  failures: number
  lockedUntil: Date | null
  /** Lockouts not notified since the last notice (over the rate limit or repeated). */
  suppressed: number
}

/** Sends one notice; a rejection is logged by node-axes as a failing listener. */
export type Notifier = (notice: LockoutNotice) => Promise<void>

/** The rate limit: at most `max` notices per `windowMs`, and one per client per window. */
export interface NotifyLimit {
  max: number
  windowMs: number
  /** The clock, for tests. */
  now?: () => number
}

/**
 * Calls `notify` when a client is newly locked out, at most `limit.max` times per window and once
 * per username and IP per window; the lockouts held back are counted into the next notice.
 * Returns a function that stops listening.
 */
export function notifyOnLockout(axes: Axes, notify: Notifier, limit: NotifyLimit): () => void {
  const now = limit.now ?? Date.now
  let windowStart = Number.NEGATIVE_INFINITY
  let sent = 0
  let suppressed = 0
  // Bounded: cleared with every window, and never more than `max` entries.
  const seen = new Set<string>()
  return axes.on('lockedOut', ({ username, ipAddress, decision }: LockedOutEvent) => {
    // lockedOut comes again with every attempt refused during the lock: notify the lock once.
    if (!decision.recorded || decision.failures !== decision.failureLimit) return
    const t = now()
    if (t - windowStart >= limit.windowMs) {
      windowStart = t
      sent = 0
      seen.clear()
    }
    const key = JSON.stringify([username, ipAddress])
    if (sent >= limit.max || seen.has(key)) {
      suppressed++
      return
    }
    sent++
    seen.add(key)
    const notice: LockoutNotice = {
      username,
      ipAddress,
      failures: decision.failures,
      lockedUntil: decision.lockedUntil,
      suppressed,
    }
    suppressed = 0
    return notify(notice)
  })
}

/** The notice's text, one line (no password or credential is ever in it). */
export function noticeText(notice: LockoutNotice): string {
  const until = notice.lockedUntil ? notice.lockedUntil.toISOString() : 'reset by an operator'
  const held = notice.suppressed > 0 ? ` (${notice.suppressed} more lockouts not notified)` : ''
  return `Locked out ${notice.username ?? 'an unknown user'} from ${notice.ipAddress ?? 'an unknown address'} after ${notice.failures} failed sign-ins, until ${until}.${held}`
}

/** A webhook notifier: POSTs `{ text, ...notice }` as JSON (the shape Slack's incoming webhooks read). */
export function webhook(url: string, timeoutMs = 5_000): Notifier {
  return async (notice) => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: noticeText(notice), ...notice }),
      signal: AbortSignal.timeout(timeoutMs),
    })
    if (!response.ok) throw new Error(`the lockout webhook answered ${response.status}`)
  }
}

/** Where e-mail goes: an SMTP relay that accepts mail from this host without authentication. */
export interface SmtpRelay {
  host: string
  port: number
  from: string
  to: string
  timeoutMs?: number
}

/**
 * An e-mail notifier speaking plain SMTP to a relay on the local network (Postfix, an SMTP sink,
 * a cloud relay's local agent). With a provider that needs TLS and authentication, send the same
 * `noticeText` with nodemailer's `transporter.sendMail` instead.
 */
export function smtpMail(relay: SmtpRelay): Notifier {
  return (notice) => {
    const subject = `Sign-in lockout: ${notice.username ?? 'unknown user'}`
    const message = [
      `From: ${relay.from}`,
      `To: ${relay.to}`,
      `Subject: ${subject.replace(/[\r\n]/g, ' ')}`,
      'Content-Type: text/plain; charset=utf-8',
      '',
      noticeText(notice).replace(/\r?\n/g, ' '),
    ].join('\r\n')
    return smtpSend(relay, message)
  }
}

/** One SMTP transaction: EHLO, MAIL FROM, RCPT TO, DATA, QUIT; each reply checked. */
function smtpSend(relay: SmtpRelay, message: string): Promise<void> {
  const steps = [
    'EHLO node-axes',
    `MAIL FROM:<${relay.from}>`,
    `RCPT TO:<${relay.to}>`,
    'DATA',
    // Dot-stuffing: a line starting with "." gets another.
    `${message.replace(/^\./gm, '..')}\r\n.`,
    'QUIT',
  ]
  return new Promise((resolve, reject) => {
    const socket = connect(relay.port, relay.host)
    socket.setTimeout(relay.timeoutMs ?? 5_000, () => socket.destroy(new Error('SMTP timeout')))
    let buffer = ''
    let step = -1 // the greeting first
    socket.setEncoding('utf8')
    socket.on('data', (chunk: string) => {
      buffer += chunk
      // A reply is complete at a line "NNN text" (a space, not a dash, after the code).
      while (/^\d{3} .*\r?\n/m.test(buffer)) {
        const match = /^(\d{3}) .*\r?\n/m.exec(buffer) as RegExpExecArray
        buffer = buffer.slice(match.index + match[0].length)
        const code = Number(match[1])
        if (code >= 400) {
          socket.destroy()
          reject(new Error(`SMTP relay refused: ${match[0].trim()}`))
          return
        }
        step++
        if (step === steps.length) {
          socket.end()
          resolve()
          return
        }
        socket.write(`${steps[step]}\r\n`)
      }
    })
    socket.on('error', reject)
  })
}
