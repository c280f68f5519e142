/**
 * The context of one instance: what its parts (preparation, reporting, sessions, the operator side)
 * share, made once by the engine and handed to each.
 */

import type { AxesHandler } from '../ground/contract.js'
import type { Diagnostics } from './diagnostics.js'
import type { AxesEmitter } from './events.js'
import type { IdentityResolver } from './identity.js'
import type { ResolvedOptions } from './options.js'
import type { RuleBook } from './rules.js'

/** What the parts of one instance share. */
export interface InstanceContext {
  /** The options after validation and defaults. */
  readonly options: Readonly<ResolvedOptions>
  /** The handler that keeps attempts. */
  readonly handler: AxesHandler
  /** Reads the client's identity from requests. */
  readonly identity: IdentityResolver
  /** The lockout parameters and the rule of each request. */
  readonly rules: RuleBook
  /** The checks and the logger. */
  readonly diagnostics: Diagnostics
  /** The application's listeners. */
  readonly events: AxesEmitter
  /** The credential keys whose values are masked (django-axes' sensitive parameters). */
  readonly sensitive: ReadonlySet<string>
}
