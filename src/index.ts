/**
 * node-axes: brute-force login protection for Node.js, after django-axes.
 *
 * @example
 * ```ts
 * import { createAxes } from 'node-axes'
 *
 * const axes = createAxes({ failureLimit: 5, cooloffTime: '15m' })
 * ```
 *
 * @packageDocumentation
 */

export {
  Axes,
  createAxes,
  type ProtectResult,
  type Reservation,
} from './compose/axes.js'
export { type AxesCheck, CHECKS, type CheckId } from './core/checks.js'
export type { LoginDefence } from './core/defence.js'
export type { DeviceCookies, IssuedDeviceCookie } from './core/device-cookies/types.js'
export { describeMode } from './core/diagnostics.js'
export { type DjangoSettings, fromDjangoSettings } from './core/django-settings.js'
export {
  type DurationInput,
  type DurationObject,
  formatCooloffIso8601,
  formatDjangoDuration,
  parseDuration,
} from './core/durations.js'
export type {
  AxesEvents,
  AxesListener,
  ChallengeRequiredEvent,
  DecidedEvent,
  DecidedOperation,
  DeviceTrustedEvent,
  LockedOutEvent,
  LoggedInEvent,
  LoggedOutEvent,
  LoginFailedEvent,
  SprayDetectedEvent,
  StoreErrorEvent,
} from './core/events.js'
export { lockoutContext, quotePlus } from './core/lockout-response.js'
export { listLocksOf, lockedOut, resetAndReport, unlock } from './core/locks.js'
export {
  type AxesLogger,
  type AxesLogRecord,
  type AxesOptions,
  type CooloffFunction,
  DEFAULT_COOLOFF_MESSAGE,
  DEFAULT_PERMALOCK_MESSAGE,
  type FailureLimitFunction,
  type LockoutCallableDetails,
  type LockoutTier,
  OPTION_NAMES,
  type ResolvedOptions,
  type UsernameNormalization,
} from './core/options.js'
export type {
  AxesResponse,
  DecisionReason,
  LockoutContext,
  LockoutDecision,
  ResolvedTier,
} from './core/types.js'
export type { Awaitable, Promising } from './ground/awaitable.js'
export {
  type Bucket,
  decodeBucketKey,
  encodeBucketKey,
  LOCKOUT_PARAMETER_NAMES,
  type LockoutParameter,
  type LockoutParameterItem,
  type LockoutParametersFunction,
} from './ground/buckets.js'
export {
  type AttemptRecord,
  type AxesHandler,
  CAPABILITY_METHODS,
  type CountInput,
  type CountingStore,
  type CountResult,
  capabilitiesOf,
  HANDLER_METHODS,
  type HandlerCapabilities,
  type HandlerSettings,
  type ReserveResult,
  type ResetFilter,
  type SettleInput,
} from './ground/contract.js'
export type {
  AttemptBrowser,
  AttemptDetail,
  AttemptListing,
  AttemptQuery,
  AttemptSnapshot,
  AttemptSortKey,
  AttemptStats,
  AttemptStatsQuery,
  BucketBrowser,
  LogBrowser,
  LogSortKey,
  PageQuery,
  QueryPage,
} from './ground/contract-browsing.js'
export {
  type ActiveLock,
  type LockBrowser,
  type LockKind,
  type LockQuery,
  type LockSource,
  lockAppliesTo,
  lockKindOf,
  lockOfBucket,
  MAX_LOCKS,
  type ResetReport,
  type UnlockResult,
} from './ground/contract-locks.js'
export type {
  AccessBaseEntry,
  AccessFailureLogEntry,
  AccessLogEntry,
  AccessLogStore,
  LoginRecord,
  LogoutRecord,
} from './ground/contract-logs.js'
export type {
  WrongPasswordEntry,
  WrongPasswordInput,
  WrongPasswordStore,
} from './ground/contract-passwords.js'
export {
  SOURCE_METHODS,
  type SourceFailureInput,
  type SourceState,
  type SourceStore,
} from './ground/contract-sources.js'
export {
  AxesCallableError,
  AxesConfigError,
  AxesError,
  AxesStoreError,
  type OptionIssue,
} from './ground/errors.js'
export type { AxesRequest, ClientIdentity, Credentials } from './ground/request.js'
export {
  activeLockUntil,
  bucketLockedUntil,
  currentFailures,
  failureWindowMs,
  type LockoutRule,
  laterLift,
  lockDurationMs,
  type RuleTier,
} from './ground/rule.js'
export { VERSION } from './ground/version.js'
export { dummyHandler } from './handlers/dummy.js'
export {
  LockCache,
  type LockCacheOptions,
  lockCacheOf,
  withLockCache,
} from './handlers/lock-cache/index.js'
export {
  type MemoryHandler,
  type MemoryHandlerOptions,
  memoryHandler,
} from './handlers/memory/index.js'
export { type TestHandler, type TestHandlerCall, testHandler } from './handlers/test.js'
