/**
 * `node-axes/repeat-passwords`: the same wrong password counts once (as Microsoft Entra ID's smart
 * lockout does). A phone retrying a user's old password, or a user typing the same typo three
 * times, is one guess, not three: a failed attempt whose password was already counted for the
 * same client within the window is not counted again (it still fails). node-axes keeps, per
 * bucket, only a keyed hash of the last few wrong passwords: HMAC-SHA-256 with the application's
 * secret over the bucket, the username and the password, its first 16 bytes in hex; never the
 * password, never an unkeyed hash. Shared handlers keep them in their store (the contract's
 * `WrongPasswordStore`: ground/contract-passwords.ts), so the count is exact across processes; the
 * memory handler's are kept in the process. Hashing uses Web Crypto (`globalThis.crypto.subtle`).
 */

import type { AxesHandler } from '../../ground/contract.js'
import { WRONG_PASSWORD_METHODS, type WrongPasswordStore } from '../../ground/contract-passwords.js'
import { AxesConfigError, type OptionIssue } from '../../ground/errors.js'
import { failureWindowMs } from '../../ground/rule.js'
import type { LoginDefence } from '../defence.js'
import { type DurationInput, parseDuration } from '../durations.js'
import { fieldOf, loginValue } from '../identity.js'
import { logRecord } from '../options/logger.js'
import { PasswordBook } from './book.js'

export {
  WRONG_PASSWORD_METHODS,
  type WrongPasswordEntry,
  type WrongPasswordInput,
  type WrongPasswordStore,
} from '../../ground/contract-passwords.js'
export { PasswordBook } from './book.js'

/** Options of `repeatPasswords`. */
export interface RepeatPasswordsOptions {
  /**
   * The secret the hashes are keyed with, at least 32 characters. Keep it out of the code (an
   * environment variable, a secret store). A new secret only means that the passwords hashed with
   * the old one count once more.
   */
  secret: string
  /** How many of a bucket's last wrong passwords are kept (1 to 20). @default 5 */
  keep?: number
  /**
   * How long a bucket's hashes are kept after its last new wrong password. By default the failure
   * window of the rule in force (the cool-off, or the longest tier's), and one day when failures
   * never expire.
   */
  window?: DurationInput
  /**
   * Under a handler that is not shared (memory), the hashes are kept in this process: for at most
   * this many buckets, the least recently touched dropped first.
   * @default 100_000
   */
  maxBuckets?: number
}

/** The same wrong password counted once, as the `repeatPasswords` option takes it. */
export interface RepeatPasswords extends LoginDefence {
  /** The settings after defaults (`windowMs` null: the rule's failure window). */
  readonly settings: {
    readonly keep: number
    readonly windowMs: number | null
    readonly maxBuckets: number
  }
  /**
   * The store that keeps the hashes for `handler`: the handler itself when it keeps them (database,
   * Redis), else the book kept in this process (memory); null for a shared handler that keeps none.
   * `resetWrongPasswords(null)` on it forgets every hash.
   */
  storeFor(handler: AxesHandler): WrongPasswordStore | null
  /** The keyed hash of a password for a bucket and a username, as stored (32 hex digits). */
  hash(bucket: string, username: string | null, password: string): Promise<string>
}

/** A Web Crypto key (typed from `subtle`, without the DOM library). */
type Key = Awaited<ReturnType<typeof globalThis.crypto.subtle.importKey>>

const DAY = 86_400_000
const KEYS = new Set(['secret', 'keep', 'window', 'maxBuckets'])

function settingsOf(options: RepeatPasswordsOptions): RepeatPasswords['settings'] {
  const issues: OptionIssue[] = []
  const problem = (message: string) => issues.push({ key: 'repeatPasswords', message })
  if (typeof options !== 'object' || options === null) {
    problem('expects an object such as { secret: process.env.AXES_PASSWORD_SECRET }')
  } else {
    for (const key of Object.keys(options)) {
      if (!KEYS.has(key)) problem(`has an unknown key '${key}' (secret, keep, window, maxBuckets)`)
    }
  }
  const { secret, keep = 5, window, maxBuckets = 100_000 } = options ?? ({} as never)
  if (typeof secret !== 'string' || secret.length < 32) {
    problem('needs secret: a string of at least 32 characters')
  }
  if (!Number.isSafeInteger(keep) || keep < 1 || keep > 20) {
    problem('keep expects a whole number from 1 to 20')
  }
  if (!Number.isSafeInteger(maxBuckets) || maxBuckets < 1) {
    problem('maxBuckets expects a whole number of at least 1')
  }
  let windowMs: number | null = null
  if (window !== undefined) {
    const parsed = parseDuration(window)
    if (parsed.ok && parsed.ms !== null && parsed.ms > 0) windowMs = parsed.ms
    else problem("window expects a positive duration such as '15m'")
  }
  if (issues.length > 0) throw new AxesConfigError(issues)
  return { keep, windowMs, maxBuckets }
}

/** Whether a handler keeps wrong passwords' hashes itself (the database and Redis handlers do). */
const keepsHashes = (handler: unknown): boolean =>
  WRONG_PASSWORD_METHODS.every(
    (name) => typeof (handler as Record<string, unknown>)[name] === 'function',
  )

/**
 * The password of an attempt, as node-axes reads the login fields: from the credentials when given
 * and not empty, else from the body, under `passwordFormField`; null when there is none.
 */
function passwordOf(
  field: string,
  body: unknown,
  credentials: Readonly<Record<string, unknown>> | null,
): string | null {
  const source = credentials && Object.keys(credentials).length > 0 ? credentials : body
  const value = loginValue(fieldOf(source, field))
  return typeof value === 'string' ? value : null
}

/**
 * Makes the defence that the `repeatPasswords` option takes: the same wrong password counts once.
 * Throws an `AxesConfigError` for a missing or short secret or a bad setting; `createAxes` throws
 * one when the handler is shared and cannot keep the hashes.
 * @example
 * ```ts
 * import { createAxes } from 'node-axes'
 * import { repeatPasswords } from 'node-axes/repeat-passwords'
 *
 * const axes = createAxes({
 *   repeatPasswords: repeatPasswords({ secret: process.env.AXES_PASSWORD_SECRET ?? '' }),
 * })
 * ```
 */
export function repeatPasswords(options: RepeatPasswordsOptions): RepeatPasswords {
  const settings = settingsOf(options)
  const encoder = new TextEncoder()
  let key: Promise<Key> | null = null
  const books = new WeakMap<object, PasswordBook>()

  const defence: RepeatPasswords = {
    settings,
    storeFor(handler) {
      if (keepsHashes(handler)) return handler as unknown as WrongPasswordStore
      if (handler.shared) return null
      let book = books.get(handler)
      if (book === undefined) {
        book = new PasswordBook(settings.maxBuckets)
        books.set(handler, book)
      }
      return book
    },
    async hash(bucket, username, password) {
      key ??= globalThis.crypto.subtle.importKey(
        'raw',
        encoder.encode(options.secret),
        { name: 'HMAC', hash: 'SHA-256' },
        false,
        ['sign'],
      )
      // Each part's length first, so that no two (bucket, username, password) share an input.
      const user = username ?? ''
      const data = `v1:${bucket.length}:${bucket}${user.length}:${user}${password.length}:${password}`
      const mac = await globalThis.crypto.subtle.sign('HMAC', await key, encoder.encode(data))
      let hex = ''
      for (const byte of new Uint8Array(mac).subarray(0, 16)) {
        hex += byte.toString(16).padStart(2, '0')
      }
      return hex
    },
    check(context) {
      if (defence.storeFor(context.handler) !== null) return
      throw new AxesConfigError([
        {
          key: 'repeatPasswords',
          message: `needs a handler that keeps wrong passwords' hashes (memory, database, redis); the shared '${context.handler.name}' handler does not`,
        },
      ])
    },
    async repeated(context, request, credentials, counted) {
      const password = passwordOf(context.options.passwordFormField, request.body, credentials)
      const store = defence.storeFor(context.handler)
      if (password === null || store === null) return false
      const username = counted.client.username
      const entries = await Promise.all(
        counted.buckets.map(async (bucket) => ({
          bucket: bucket.key,
          hash: await defence.hash(bucket.key, username, password),
        })),
      )
      const windowMs = settings.windowMs ?? failureWindowMs(counted.rule) ?? DAY
      const now = counted.input.now
      const input = { entries, keep: settings.keep, windowMs, now }
      const repeat = await store.noteWrongPassword(input)
      if (repeat) {
        context.diagnostics.log('info', () =>
          logRecord(
            'AXES: The same wrong password again for this client within the window: not counted again.',
            'repeatedPassword',
            {
              reason: 'repeatedPassword',
              client: context.identity.clientFields(counted.client, counted.parameters),
            },
          ),
        )
      }
      return repeat
    },
  }
  return defence
}
