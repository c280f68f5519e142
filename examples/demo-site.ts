/**
 * The demo site: what `npm start` runs in a clone of this repository.
 *
 *   npm ci && npm start        # then open http://localhost:3000
 *
 * An Express app with a login page (alice / wonderland, bob / builder) protected by node-axes on
 * its embedded default, a SQLite file: `./axes.sqlite3` in the working directory (or
 * `AXES_DATABASE_URL`, the variable the `node-axes` command reads too). After two wrong passwords
 * for one username from one IP the form asks for a challenge (a stub: a checkbox "I am not a
 * robot", verified on the server; node-axes/challenges); a third locks that pair out for a minute. The admin pages are at /admin, behind a
 * sign-in of their own (admin / axes-demo), which node-axes guards as well.
 *
 * The sessions are a cookie naming an entry in a Map: enough for a demo, not for production (use
 * express-session or your framework's sessions). PORT (default 3000) and HOST (default 127.0.0.1)
 * say where it listens.
 */

import { randomBytes } from 'node:crypto'
import express from 'express'
import type { LockoutDecision } from 'node-axes'
import { type Axes, type AxesOptions, createAxes } from 'node-axes'
import { createAdminHandler, expressAdmin } from 'node-axes/admin'
import { challenges } from 'node-axes/challenges'
import { axesMiddleware, protectLogin } from 'node-axes/express'
import { CHALLENGE_HTML, challengeMessage, verifyStubChallenge } from './challenge-login.js'
import {
  escapeHtml,
  exampleOptions,
  isMain,
  loginForm,
  page,
  verifyUser,
  wrongPassword,
} from './demo.js'
import { shortErrors } from './express-login.js'

/**
 * The demo site's options: the examples' (three failures lock for a minute), and a challenge
 * after two failures.
 */
export const demoSiteOptions: AxesOptions = {
  ...exampleOptions,
  challenges: challenges({ after: 2 }),
}

/** The admin pages' path. */
export const ADMIN_PATH = '/admin'
/** The admin sign-in's demo credentials, shown on the page. */
export const ADMIN_USER = 'admin'
export const ADMIN_PASSWORD = 'axes-demo'

const COOKIE = 'demo_session'
const MAX_SESSIONS = 10_000

interface Session {
  user?: string
  admin?: boolean
}

/** A session store as small as a demo needs: a random id in a cookie, the data in a Map. */
class Sessions {
  readonly #data = new Map<string, Session>()

  /** The session named by a `Cookie` header, if any. */
  get(cookieHeader: string | null | undefined): Session | undefined {
    for (const part of (cookieHeader ?? '').split(';')) {
      const [name, value] = part.trim().split('=')
      if (name === COOKIE && value) return this.#data.get(value)
    }
    return undefined
  }

  /** Starts a session and sets its cookie. */
  start(res: express.Response, session: Session): void {
    if (this.#data.size >= MAX_SESSIONS) {
      const oldest = this.#data.keys().next().value
      if (oldest !== undefined) this.#data.delete(oldest)
    }
    const id = randomBytes(24).toString('base64url')
    this.#data.set(id, session)
    res.setHeader('set-cookie', `${COOKIE}=${id}; Path=/; HttpOnly; SameSite=Lax`)
  }

  /** Ends the request's session and clears its cookie. */
  end(req: express.Request, res: express.Response): void {
    for (const [id, session] of this.#data) {
      if (session === this.get(req.headers.cookie)) this.#data.delete(id)
    }
    res.setHeader('set-cookie', `${COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0`)
  }
}

/** The home page: what to try, and the login form (or who is signed in), with the challenge. */
function homePage(user: string | undefined, message = '', challenge = false, name = ''): string {
  const form = user
    ? `<p>Signed in as <strong>${escapeHtml(user)}</strong>.</p>
<form method="post" action="/logout"><button>Sign out</button></form>`
    : `${loginForm('/login', message, challenge ? CHALLENGE_HTML : '', name)}
<p>Demo users: <code>alice</code> / <code>wonderland</code> and <code>bob</code> / <code>builder</code>.</p>`
  return page(
    'node-axes demo',
    `<div class="card">${form}</div>
<h2>What to try</h2>
<ol>
  <li>Sign in as <code>alice</code> with a wrong password twice. Each answer says how many attempts
  are left, and after the second the form asks for a challenge: a checkbox, "I am not a robot",
  where a real site shows Turnstile, hCaptcha or reCAPTCHA (<code>node-axes/challenges</code>).
  Sign in again without ticking it: refused (HTTP 403) before the password is checked, and not
  counted, however often you try. Tick it and get the password wrong a third time: the lockout
  page (HTTP 429 with <code>Retry-After</code>). Now even alice's right password is refused:
  node-axes does not call the password check for a locked-out client, and each try during the
  lockout starts the minute again (django-axes' default).</li>
  <li>Sign in as <code>bob</code>: he is not locked out. The lockout is per username and IP
  address together (<code>lockoutParameters: [['username', 'ip_address']]</code>).</li>
  <li>Open <a href="${ADMIN_PATH}">the admin pages</a> and sign in as <code>${ADMIN_USER}</code> /
  <code>${ADMIN_PASSWORD}</code>. Access attempts shows alice "Locked out"; the overview shows the
  failures; Access failure logs has one row per wrong password.</li>
  <li>Reset the lockout: in Access attempts, tick alice's row, press "Delete selected attempts"
  and confirm. alice can sign in again. Or wait a minute: the cool-off ends the lockout by itself.</li>
  <li>From a shell in this directory, the <code>node-axes</code> command reads the same file:
  <code>npx tsx src/cli/bin.ts list-attempts --config examples/node-axes.config.ts</code> (the
  demo's own options: alice's lock ends a minute after her last try), <code>… reset-username
  alice</code>.</li>
</ol>
<p>Attempts are kept in a SQLite file, <code>./axes.sqlite3</code> unless
<code>AXES_DATABASE_URL</code> says otherwise; delete it to start over.</p>`,
  )
}

/** The admin sign-in page, with the challenge. */
function adminLoginPage(message = '', challenge = false): string {
  const extra = challenge ? CHALLENGE_HTML : ''
  return page(
    'Admin sign-in',
    `<div class="card">${loginForm(`${ADMIN_PATH}/login`, message, extra)}</div>
<p>Demo credentials: <code>${ADMIN_USER}</code> / <code>${ADMIN_PASSWORD}</code>. node-axes guards
this form too: after two wrong passwords it asks for the challenge, and three lock it for a
minute.</p>
<p><a href="/">Back to the demo</a></p>`,
  )
}

/** Whether the next attempt after this failure needs the challenge. */
function needsChallenge(decision: LockoutDecision): boolean {
  return decision.challenge === 'required'
}

/** The username a form posted, to fill the form again. */
function nameOf(body: unknown): string {
  const name = (body as Record<string, unknown> | undefined)?.username
  return typeof name === 'string' ? name.slice(0, 150) : ''
}

/** The demo site's Express app around a node-axes instance (made with `demoSiteOptions`). */
export function createDemoApp(axes: Axes): express.Express {
  const sessions = new Sessions()
  const app = express()
  app.disable('x-powered-by')
  app.use(express.urlencoded({ extended: false, limit: '16kb' }))
  app.use(axesMiddleware(axes))

  // The home page answers at /login too: after a failed sign-in the address bar shows /login,
  // and opening it again must show the form, not a 404.
  app.get(['/', '/login'], (req, res) => {
    res.type('html').send(homePage(sessions.get(req.headers.cookie)?.user))
  })
  app.post(
    '/login',
    protectLogin(axes, ({ username, password }) => verifyUser(username, password), {
      // The stub challenge, verified on the server (only when the attempt needs one).
      verifyChallenge: (req) => verifyStubChallenge(req.body),
      onFailure: (req, res, _next, decision) => {
        const page = homePage(
          undefined,
          wrongPassword(decision.remaining),
          needsChallenge(decision),
          nameOf(req.body),
        )
        res.status(401).type('html').send(page)
      },
      // No passed challenge: the form with it; nothing was checked or counted.
      onChallenge: (req, res, _next, decision) => {
        const page = homePage(undefined, challengeMessage(decision), true, nameOf(req.body))
        res.status(403).type('html').send(page)
      },
    }),
    (_req, res) => {
      sessions.start(res, { user: String(res.locals.axesLogin.user) })
      res.redirect(303, '/')
    },
  )
  app.post('/logout', async (req, res, next) => {
    try {
      const user = sessions.get(req.headers.cookie)?.user
      if (user) await req.axes.loggedOut(user)
      sessions.end(req, res)
      res.redirect(303, '/')
    } catch (error) {
      next(error)
    }
  })

  // The admin's own sign-in, registered before the admin pages so that it answers first.
  app.get(`${ADMIN_PATH}/login`, (_req, res) => {
    res.type('html').send(adminLoginPage())
  })
  app.post(
    `${ADMIN_PATH}/login`,
    protectLogin(
      axes,
      ({ username, password }) =>
        username === ADMIN_USER && password === ADMIN_PASSWORD ? username : null,
      {
        verifyChallenge: (req) => verifyStubChallenge(req.body),
        onFailure: (_req, res, _next, decision) => {
          const page = adminLoginPage(wrongPassword(decision.remaining), needsChallenge(decision))
          res.status(401).type('html').send(page)
        },
        onChallenge: (_req, res, _next, decision) => {
          res
            .status(403)
            .type('html')
            .send(adminLoginPage(challengeMessage(decision), true))
        },
      },
    ),
    (_req, res) => {
      sessions.start(res, { admin: true })
      res.redirect(303, ADMIN_PATH)
    },
  )
  app.post(`${ADMIN_PATH}/logout`, (req, res) => {
    sessions.end(req, res)
    res.redirect(303, '/')
  })
  const admin = createAdminHandler({
    axes,
    basePath: ADMIN_PATH,
    title: 'node-axes demo',
    // The header's "Sign out" button posts here.
    signOutPath: `${ADMIN_PATH}/logout`,
    // Runs on every admin request: a signed-in admin goes on, anyone else is sent to sign in.
    authorize: (request) =>
      sessions.get(request.headers.get('cookie'))?.admin === true ||
      Response.redirect(new URL(`${ADMIN_PATH}/login`, request.url), 303),
  })
  app.use(ADMIN_PATH, expressAdmin(admin))

  // Body-parser errors (a body too large, a malformed one) as short answers.
  app.use(shortErrors)
  return app
}

if (isMain(import.meta.url)) {
  const port = Number(process.env.PORT ?? 3000)
  const host = process.env.HOST ?? '127.0.0.1'
  const axes = createAxes({
    ...demoSiteOptions,
    // The embedded default is sqlite:axes.sqlite3; AXES_DATABASE_URL points it elsewhere.
    ...(process.env.AXES_DATABASE_URL ? { databaseUrl: process.env.AXES_DATABASE_URL } : {}),
    enableAccessFailureLog: true,
    logger: console,
  })
  const server = createDemoApp(axes).listen(port, host, () => {
    const where = `http://${host === '127.0.0.1' ? 'localhost' : host}:${port}`
    console.log(`node-axes demo: ${where}`)
    console.log(`admin pages:    ${where}${ADMIN_PATH} (${ADMIN_USER} / ${ADMIN_PASSWORD})`)
  })
  const stop = () => {
    server.close()
    axes.close?.().catch(() => {})
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
}
