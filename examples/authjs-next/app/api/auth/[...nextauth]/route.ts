/**
 * Auth.js' route handler (its sign-in page, CSRF token, credentials callback and session), from
 * the `handlers` auth.ts exports; node-axes is in the Credentials provider's `authorize` there.
 */

import { handlers } from '../../../../auth'

// node-axes needs Node's runtime (not the edge runtime) for its stores.
export const runtime = 'nodejs'

export const { GET, POST } = handlers
