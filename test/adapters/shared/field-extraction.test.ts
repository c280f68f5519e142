// Properties over every framework's field extraction, through real HTTP: whatever body and query
// string a client sends (repeated fields, bracketed and nested fields, arrays, objects, numbers,
// a username only in the query string), the username the password check receives is the username
// node-axes counted, and a login field that is an array or an object never reaches the check.

import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Axes, createAxes } from '../../../src/index.js'
import { APPS, checker } from './login-apps.js'
import type { StartedApp } from './scenarios.js'

const RUNS = 25

const word = fc.constantFrom('alice', 'bob', 'Alice', '', '0', 'a b', 'x&y=z')
const formKey = fc.constantFrom(
  'username',
  'username',
  'password',
  'password',
  'username[]',
  'username[0]',
  'username[0][0]',
  'username[a]',
  'password[]',
  'other',
)
/** A urlencoded body: fields in any order, repeated or bracketed. */
const formBody = fc
  .array(fc.tuple(formKey, word), { maxLength: 5 })
  .map((pairs) =>
    pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&'),
  )
/** A JSON value a client may put where a username or password belongs. */
const jsonValue: fc.Arbitrary<unknown> = fc.oneof(
  word,
  fc.integer({ min: -5, max: 5 }),
  fc.boolean(),
  fc.constant(null),
  fc.array(word, { maxLength: 2 }),
  fc.array(fc.array(word, { maxLength: 1 }), { maxLength: 1 }),
  fc.dictionary(fc.constantFrom('a', 'toString', '$gt'), word, { maxKeys: 1 }),
)
const jsonBody = fc
  .record({ username: jsonValue, password: jsonValue, other: word }, { requiredKeys: [] })
  .map((body) => JSON.stringify(body))
/** A query string with or without a username and password (Passport falls back to it). */
const query = fc.option(fc.tuple(fc.option(word), fc.option(word)), { nil: null }).map((q) => {
  if (q === null) return ''
  const params = new URLSearchParams()
  if (q[0] !== null) params.append('username', q[0])
  if (q[1] !== null) params.append('password', q[1])
  return `?${params}`
})

describe.each(APPS)('$name: field extraction (property, real HTTP)', (app) => {
  let axes: Axes
  let started: StartedApp
  const { calls, verify } = checker()
  const counted: (string | null)[] = []

  beforeAll(async () => {
    axes = createAxes({
      handler: 'memory',
      failureLimit: 1_000_000,
      lockoutParameters: ['username'],
      logger: false,
    })
    axes.on('loginFailed', ({ client }) => counted.push(client.username))
    started = await app.start(axes, verify)
  })
  afterAll(async () => {
    await started?.close()
    await axes?.close()
  })

  const body = app.json
    ? fc.oneof(
        formBody.map((text) => ({ type: 'application/x-www-form-urlencoded', text })),
        jsonBody.map((text) => ({ type: 'application/json', text })),
      )
    : formBody.map((text) => ({ type: 'application/x-www-form-urlencoded', text }))

  it('the password check receives exactly the username counted, and never an array or object', async () => {
    await fc.assert(
      fc.asyncProperty(body, query, async (sent, search) => {
        calls.length = 0
        counted.length = 0
        const response = await fetch(`${started.base}/login${search}`, {
          method: 'POST',
          redirect: 'manual',
          headers: { 'content-type': sent.type },
          body: sent.text,
        })
        await response.arrayBuffer()
        expect(response.status).toBeLessThan(500)
        for (const call of calls) {
          // Never half of an array or object.
          for (const value of [call.username, call.password]) {
            expect(typeof value === 'object' && value !== null).toBe(false)
          }
        }
        if (calls.length === 1) {
          const given = (calls[0] as { username: unknown }).username
          if (given === undefined || given === null || given === '') {
            // No username: nothing is counted under one (a check for nobody matches no account).
            expect(counted.filter((name) => name !== null && name !== '')).toEqual([])
          } else {
            // The failure was counted under the very username the check received.
            expect(counted).toEqual([String(given)])
          }
        } else {
          expect(calls).toEqual([])
        }
      }),
      { numRuns: RUNS },
    )
  })
})
