/**
 * The options table, second part: how requests are read, lockouts answered, attempts stored and
 * logged, and client IPs found (django-axes' settings, with node-axes' `databaseUrl`), declared as
 * ./lockout.ts declares its part.
 */

import type { AxesHandler } from '../../ground/contract.js'
import type { AxesRequest, Credentials } from '../../ground/request.js'
import type { AxesResponse, LockoutContext } from '../types.js'
import { resolvePrecedenceOrder } from './resolvers.js'
import { nodeOption, option, pathSetting, setting } from './spec.js'
import type { LockoutCallableDetails } from './types.js'
import * as v from './validators.js'

/** django-axes' default messages. */
export const DEFAULT_COOLOFF_MESSAGE =
  'Account locked: too many login attempts. Please try again later.'
/** django-axes' default message for a lockout until reset. */
export const DEFAULT_PERMALOCK_MESSAGE =
  'Account locked: too many login attempts. Contact an admin to unlock your account.'
/** Where the default database handler keeps attempts: a SQLite file in the working directory. */
export const DEFAULT_DATABASE_URL = 'sqlite:axes.sqlite3'

/** django-axes' settings for requests, responses, storage, logs and client IPs, in its order. */
export const HANDLING_OPTIONS = {
  /**
   * The credentials or body field holding the username (`AXES_USERNAME_FORM_FIELD`).
   * @default 'username'
   */
  usernameFormField: setting<string>(v.nonEmptyStr, 'username'),
  /**
   * The field holding the password; always masked (`AXES_PASSWORD_FORM_FIELD`).
   * @default 'password'
   */
  passwordFormField: setting<string>(v.nonEmptyStr, 'password'),
  /**
   * A function returning the username; takes precedence over the field (`AXES_USERNAME_CALLABLE`).
   * @default null
   */
  usernameCallable:
    pathSetting<
      (request: AxesRequest, credentials: Credentials | null) => string | null | undefined
    >(),
  /**
   * A function returning the client IP; takes precedence over the ipware options
   * (`AXES_CLIENT_IP_CALLABLE`).
   * @default null
   */
  clientIpCallable: pathSetting<(request: AxesRequest) => string | null | undefined>(),
  /**
   * A function building the client description used in logs (`AXES_CLIENT_STR_CALLABLE`).
   * @default null
   */
  clientStrCallable:
    pathSetting<
      (
        username: string | null,
        ipAddress: string | null,
        userAgent: string,
        pathInfo: string,
        request: AxesRequest,
      ) => string
    >(),
  /**
   * Keys masked in stored request data and in logs, besides `password` and `passwordFormField`
   * (`AXES_SENSITIVE_PARAMETERS`).
   * @default ['username', 'ip_address']
   */
  sensitiveParameters: setting<readonly string[]>(v.strList, ['username', 'ip_address']),
  /**
   * The status of lockout responses (`AXES_HTTP_RESPONSE_CODE`); a redirect is always 302.
   * @default 429
   */
  httpResponseCode: setting<number>(v.httpErrorStatus, 429),
  /**
   * Renders the lockout page as HTML from django-axes' lockout context (`AXES_LOCKOUT_TEMPLATE`).
   * Escape what you interpolate: `context.username` comes from the client.
   * @default null
   */
  lockoutTemplate: option<((context: LockoutContext, request: AxesRequest) => string) | null>({
    check: v.fnOrNull,
    fallback: null,
    django: true,
    djangoKind: 'template',
  }),
  /**
   * Redirect locked-out clients here, with `?username=` (`AXES_LOCKOUT_URL`).
   * @default null
   */
  lockoutUrl: setting<string | null>(v.urlOrNull, null),
  /**
   * Builds the whole lockout response (`AXES_LOCKOUT_CALLABLE`).
   * @default null
   */
  lockoutCallable:
    pathSetting<
      (
        request: AxesRequest,
        details: LockoutCallableDetails,
      ) => AxesResponse | Promise<AxesResponse>
    >(),
  /**
   * The message of a lockout with a cool-off (`AXES_COOLOFF_MESSAGE`).
   * @default 'Account locked: too many login attempts. Please try again later.'
   */
  cooloffMessage: setting<string>(v.str, DEFAULT_COOLOFF_MESSAGE),
  /**
   * The message of a lockout until reset (`AXES_PERMALOCK_MESSAGE`).
   * @default 'Account locked: too many login attempts. Contact an admin to unlock your account.'
   */
  permalockMessage: setting<string>(v.str, DEFAULT_PERMALOCK_MESSAGE),
  /**
   * `Access-Control-Allow-Origin` of the XHR lockout response (`AXES_ALLOWED_CORS_ORIGINS`): a
   * string is sent as it is, as django-axes sends it; a list of origins (`['https://app.example']`)
   * answers a listed `Origin` with itself, and `Vary: Origin`, and any other with no CORS header.
   * @default '*'
   */
  allowedCorsOrigins: setting<string | readonly string[]>(v.corsOrigins, '*'),
  /**
   * Send `Retry-After` (seconds) on lockout responses with a cool-off
   * (`AXES_ENABLE_RETRY_AFTER_HEADER`).
   * @default false
   */
  enableRetryAfterHeader: setting<boolean>(v.bool, false),
  /**
   * Where attempts are kept (`AXES_HANDLER`): a handler object, or `'database'` (django-axes'
   * tables at `databaseUrl`, by default a SQLite file: persistence with no server), `'memory'`,
   * `'dummy'`, `'test'`.
   * @default 'database'
   */
  handler: option<AxesHandler | 'database' | 'memory' | 'dummy' | 'test'>({
    check: v.handler,
    fallback: 'database',
    django: true,
    djangoKind: 'handler',
  }),
  /**
   * Where the default database handler keeps attempts (`handler: 'database'`, the default): a
   * `sqlite:` file, or a `postgres:` or `mysql:` URL. The file is relative to the working directory.
   * @default 'sqlite:axes.sqlite3'
   */
  databaseUrl: nodeOption<string>(v.databaseUrl, DEFAULT_DATABASE_URL),
  /**
   * Do not write access logs on login and logout (`AXES_DISABLE_ACCESS_LOG`).
   * @default false
   */
  disableAccessLog: setting<boolean>(v.bool, false),
  /**
   * Write one access failure log row per failure (`AXES_ENABLE_ACCESS_FAILURE_LOG`).
   * @default false
   */
  enableAccessFailureLog: setting<boolean>(v.bool, false),
  /**
   * Failure log rows kept per username (`AXES_ACCESS_FAILURE_LOG_PER_USER_LIMIT`).
   * @default 1000
   */
  accessFailureLogPerUserLimit: setting<number>(v.rowCount, 1000),
  /**
   * Log the start-up line and full client details (`AXES_VERBOSE`).
   * @default the value of `enabled`
   */
  verbose: option<boolean>({
    check: v.bool,
    resolve: (given, all) => given ?? (all.enabled as boolean | undefined) ?? true,
    django: true,
  }),
  /**
   * Whether the admin pages may be mounted (`AXES_ENABLE_ADMIN`).
   * @default true
   */
  enableAdmin: setting<boolean>(v.bool, true),
  /**
   * Which end of a forwarded-for list is the client (`AXES_IPWARE_PROXY_ORDER`).
   * @default 'left-most'
   */
  ipwareProxyOrder: option<'left-most' | 'right-most'>({
    check: v.proxyOrder,
    resolve: (given, all) =>
      given ?? (all.proxyOrder as 'left-most' | 'right-most' | undefined) ?? 'left-most',
    django: true,
  }),
  /**
   * How many proxy addresses the forwarded-for header carries after the client's
   * (`AXES_IPWARE_PROXY_COUNT`). python-ipware requires exactly this many plus one entries and
   * skips the header otherwise. Behind one proxy that appends the client's address (nginx's
   * `$proxy_add_x_forwarded_for`, AWS ALB) the header holds only the client: use 0. A count also
   * applies to the socket address, which then never qualifies: put the header in
   * `ipwareMetaPrecedenceOrder`. See docs/client-ip.md.
   * @default null
   */
  ipwareProxyCount: option<number | null>({
    check: v.proxyCount,
    resolve: (given, all) =>
      given !== undefined ? given : ((all.proxyCount as number | null | undefined) ?? null),
    django: true,
  }),
  /**
   * Trusted proxy IP prefixes (`AXES_IPWARE_PROXY_TRUSTED_IPS`); entries with `/` are CIDR ranges.
   * @default null
   */
  ipwareProxyTrustedIps: option<readonly string[] | null>({
    check: v.trustedProxies,
    resolve: (given, all) =>
      given !== undefined
        ? given
        : ((all.proxyTrustedIps as readonly string[] | null | undefined) ?? null),
    django: true,
  }),
  /**
   * Where the client IP is read, in order (`AXES_IPWARE_META_PRECEDENCE_ORDER`): `REMOTE_ADDR` is
   * the socket address; `HTTP_X_FORWARDED_FOR` or `x-forwarded-for` a header. The default trusts no
   * header.
   * @default ['REMOTE_ADDR']
   */
  ipwareMetaPrecedenceOrder: option<readonly string[]>({
    check: v.precedenceOrder,
    resolve: resolvePrecedenceOrder,
    django: true,
  }),
}
