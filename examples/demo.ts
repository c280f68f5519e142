/**
 * What the framework examples share: two demo users, the login page, the lockout page, and the
 * node-axes options (three failures of one username from one IP lock that pair out for a minute).
 */

import type { AxesOptions, LockoutContext } from 'node-axes'

/** The demo users: alice / wonderland, bob / builder. */
const USERS: Record<string, string> = { alice: 'wonderland', bob: 'builder' }

/** The application's password check (a real one compares a password hash). */
export function verifyUser(username: string, password: string): string | null {
  // Text only: a check that let an array through would look `[["alice"]]` up as "alice".
  if (typeof username !== 'string' || typeof password !== 'string') return null
  return Object.hasOwn(USERS, username) && USERS[username] === password ? username : null
}

/** Escapes text for HTML. */
export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  )
}

/** The examples' style sheet: the admin pages' colours, type and spacing. */
export const DEMO_CSS = `
*{box-sizing:border-box}
body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2328;background:#f6f8fa}
header{background:#24292f;color:#fff;padding:10px 20px;display:flex;gap:24px;align-items:center}
header a{color:#fff;text-decoration:none;font-weight:600}
main{max-width:760px;margin:24px auto;padding:0 20px}
h1{font-size:22px;margin:0 0 16px}
h2{font-size:17px;margin:24px 0 8px}
.card{background:#fff;border:1px solid #d0d7de;border-radius:6px;padding:16px 20px;margin:0 0 16px}
form.login{display:grid;gap:10px;max-width:320px}
label{display:grid;gap:4px;font-weight:600;font-size:13px}
input{font:inherit;padding:6px 8px;border:1px solid #d0d7de;border-radius:6px}
input:focus{outline:2px solid #0969da;outline-offset:-1px}
button{font:inherit;padding:6px 14px;border-radius:6px;border:1px solid #1f883d;background:#1f883d;color:#fff;cursor:pointer;justify-self:start}
button:hover{background:#1a7f37}
[role=alert]{background:#fff8c5;border:1px solid #d4a72c;border-radius:6px;padding:8px 12px;margin:0 0 12px}
.locked{background:#ffebe9;border-color:#ff8182}
a{color:#0969da}
code{background:#eff1f3;border-radius:4px;padding:1px 4px;font-size:13px}
li{margin:4px 0}
`

/** A whole HTML page: a header linking home, the title, then `body`. */
export function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(title)}</title>
<style>${DEMO_CSS}</style></head>
<body><header><a href="/">node-axes demo</a></header>
<main><h1>${escapeHtml(title)}</h1>${body}</main></body></html>`
}

/**
 * A login form posting to `action`, after an optional message; `extra` is HTML placed before the
 * button (a challenge), and `username` fills the username field.
 */
export function loginForm(action: string, message = '', extra = '', username = ''): string {
  const value = username ? ` value="${escapeHtml(username)}"` : ''
  return `${message ? `<p role="alert">${escapeHtml(message)}</p>` : ''}
<form class="login" method="post" action="${escapeHtml(action)}">
  <label>Username <input name="username" autocomplete="username"${value}></label>
  <label>Password <input name="password" type="password" autocomplete="current-password"></label>
  ${extra}<button>Sign in</button>
</form>`
}

/** The login page, with an optional message. */
export function loginPage(message = ''): string {
  return page(
    'Sign in',
    `${loginForm('/login', message)}
<p>Demo users: alice / wonderland, bob / builder. Fail three times to see the lockout.</p>`,
  )
}

/** The message for a wrong password. */
export function wrongPassword(remaining: number): string {
  return `Wrong username or password. ${remaining} attempt${remaining === 1 ? '' : 's'} left.`
}

/** The welcome page. */
export function welcomePage(user: string): string {
  return page('Welcome', `<p>Signed in as ${escapeHtml(user)}.</p>`)
}

/** The lockout page (node-axes' `lockoutTemplate`), with a way back. */
export function lockoutPage(context: LockoutContext): string {
  return page(
    'Locked out',
    `<div class="card locked"><p>Too many failed sign-ins for ${escapeHtml(context.username || 'this client')}. Try again in a minute.</p></div>
<p><a href="/">Back to the sign-in page</a></p>`,
  )
}

/** The examples' node-axes options (the handler is the embedded default: ./axes.sqlite3). */
export const exampleOptions: AxesOptions = {
  failureLimit: 3,
  cooloffTime: '1m',
  lockoutParameters: [['username', 'ip_address']],
  enableRetryAfterHeader: true,
  lockoutTemplate: lockoutPage,
}

/** Whether this module is the one Node was started with. */
export function isMain(url: string): boolean {
  return process.argv[1] !== undefined && url.endsWith(process.argv[1].replace(/\\/g, '/'))
}
