/**
 * A challenge (a CAPTCHA) before the lock, on Express: node-axes/challenges with a stub verifier.
 *
 *   npx tsx examples/challenge-login.ts    # then open http://localhost:3000
 *
 * Two wrong passwords for one username from one IP, and the login form asks for a challenge: here
 * a checkbox, "I am not a robot", verified on the server by a stub. An attempt without it is
 * answered with the form and the challenge (403), never reaches the password check and is not
 * counted; with it the password is checked and a wrong one counts. Five failures lock as before.
 *
 * node-axes never calls a CAPTCHA provider: the application shows the provider's widget and
 * verifies its token. `verifyStubChallenge` stands where the provider's check goes; for Cloudflare
 * Turnstile it would be:
 *
 * ```ts
 * const res = await fetch('https://challenges.cloudflare.com/turnstile/v0/siteverify', {
 *   method: 'POST',
 *   body: new URLSearchParams({ secret: process.env.TURNSTILE_SECRET ?? '', response: token }),
 * })
 * return (await res.json()).success === true
 * ```
 *
 * (hCaptcha's `https://api.hcaptcha.com/siteverify` and reCAPTCHA's
 * `https://www.google.com/recaptcha/api/siteverify` answer the same way.)
 */

import express from 'express'
import { type Axes, type AxesOptions, createAxes } from 'node-axes'
import { challenges } from 'node-axes/challenges'
import { protectLogin } from 'node-axes/express'
import {
  isMain,
  lockoutPage,
  loginForm,
  page,
  verifyUser,
  welcomePage,
  wrongPassword,
} from './demo.js'
import { shortErrors } from './express-login.js'

/** The stub challenge's form field. */
export const CHALLENGE_FIELD = 'not_a_robot'

/** The stub challenge, as the form shows it: a checkbox where a provider's widget would be. */
export const CHALLENGE_HTML = `<label class="challenge"><span><input type="checkbox" name="${CHALLENGE_FIELD}" value="yes"> I am not a robot</span></label>
  `

/**
 * The stub verifier: passed when the form's checkbox is ticked. Asynchronous, as a provider's
 * check is (a request to its siteverify API); a real one sends the widget's token and the secret.
 */
export async function verifyStubChallenge(body: unknown): Promise<boolean> {
  const fields = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>
  return fields[CHALLENGE_FIELD] === 'yes'
}

/** The example's options: a challenge after two failures, the lock at five. */
export const challengeOptions: AxesOptions = {
  failureLimit: 5,
  cooloffTime: '1m',
  lockoutParameters: [['username', 'ip_address']],
  enableRetryAfterHeader: true,
  lockoutTemplate: lockoutPage,
  challenges: challenges({ after: 2, message: 'Please tick "I am not a robot" to sign in.' }),
}

/** The sign-in page, with the challenge when `challenge` is true. */
function signInPage(message = '', challenge = false, username = ''): string {
  return page(
    'Sign in',
    `${loginForm('/login', message, challenge ? CHALLENGE_HTML : '', username)}
<p>Demo users: alice / wonderland, bob / builder. Two wrong passwords and the form asks for a
challenge; five lock the username for this address.</p>`,
  )
}

/** The example's Express app around a node-axes instance configured with `challenges`. */
export function createApp(axes: Axes): express.Express {
  const app = express()
  app.use(express.urlencoded({ extended: false, limit: '16kb' }))
  app.get(['/', '/login'], (_req, res) => {
    res.type('html').send(signInPage())
  })
  app.post(
    '/login',
    protectLogin(axes, ({ username, password }) => verifyUser(username, password), {
      verifyChallenge: (req) => verifyStubChallenge(req.body),
      // Wrong password: the form again, with the challenge once the next attempt needs it.
      onFailure: (req, res, _next, decision) => {
        const challenge = decision.challenge === 'required'
        res
          .status(401)
          .type('html')
          .send(signInPage(wrongPassword(decision.remaining), challenge, req.body?.username))
      },
      // No passed challenge: the form with the challenge; nothing was checked or counted.
      onChallenge: (req, res, _next, decision) => {
        res
          .status(403)
          .type('html')
          .send(signInPage(challengeMessage(decision), true, req.body?.username))
      },
    }),
    (_req, res) => {
      res.type('html').send(welcomePage(String(res.locals.axesLogin.user)))
    },
  )
  app.use(shortErrors)
  return app
}

/** The message shown with the challenge. */
export function challengeMessage(decision: { remaining: number }): string {
  const left = `${decision.remaining} attempt${decision.remaining === 1 ? '' : 's'} left`
  return `Please tick "I am not a robot" to sign in (${left} before the lock).`
}

if (isMain(import.meta.url)) {
  const port = Number(process.env.PORT ?? 3000)
  createApp(createAxes({ ...challengeOptions, logger: console })).listen(port, () => {
    console.log(`node-axes challenge example: http://localhost:${port}`)
  })
}
