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

/** A whole HTML page. */
export function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>
<body><h1>${escapeHtml(title)}</h1>${body}</body></html>`
}

/** A login form posting to `action`, after an optional message. */
export function loginForm(action: string, message = ''): string {
  return `${message ? `<p role="alert">${escapeHtml(message)}</p>` : ''}
<form method="post" action="${escapeHtml(action)}">
  <label>Username <input name="username" autocomplete="username"></label>
  <label>Password <input name="password" type="password" autocomplete="current-password"></label>
  <button>Sign in</button>
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

/** The lockout page (node-axes' `lockoutTemplate`). */
export function lockoutPage(context: LockoutContext): string {
  return page(
    'Locked out',
    `<p>Too many failed sign-ins for ${escapeHtml(context.username || 'this client')}. Try again in a minute.</p>`,
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
