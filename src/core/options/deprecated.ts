/**
 * The options table, third part: django-axes' deprecated settings. They are accepted and reported
 * by check axes.W004; the engine reads their successors, which fall back on them (see
 * ./resolvers.ts). Listed in django-axes' W004 order.
 */

import { deprecatedSetting } from './spec.js'
import * as v from './validators.js'

/** django-axes' deprecated settings. */
export const DEPRECATED_SETTINGS = {
  /** @deprecated django-axes' `AXES_DISABLE_SUCCESS_ACCESS_LOG`; a no-op (check axes.W004). */
  disableSuccessAccessLog: deprecatedSetting<boolean>(v.bool),
  /** @deprecated django-axes' `AXES_PROXY_ORDER`; use `ipwareProxyOrder` (check axes.W004). */
  proxyOrder: deprecatedSetting<'left-most' | 'right-most'>(v.proxyOrder),
  /** @deprecated django-axes' `AXES_PROXY_COUNT`; use `ipwareProxyCount` (check axes.W004). */
  proxyCount: deprecatedSetting<number | null>(v.proxyCount),
  /** @deprecated django-axes' `AXES_PROXY_TRUSTED_IPS`; use `ipwareProxyTrustedIps` (axes.W004). */
  proxyTrustedIps: deprecatedSetting<readonly string[] | null>(v.trustedProxies),
  /** @deprecated django-axes' `AXES_META_PRECEDENCE_ORDER`; use `ipwareMetaPrecedenceOrder` (axes.W004). */
  metaPrecedenceOrder: deprecatedSetting<readonly string[]>(v.strList),
  /** @deprecated django-axes' `AXES_ONLY_USER_FAILURES`; use `lockoutParameters: ['username']`. */
  onlyUserFailures: deprecatedSetting<boolean>(v.bool),
  /** @deprecated django-axes' `AXES_LOCK_OUT_BY_USER_OR_IP`; use `['username', 'ip_address']`. */
  lockOutByUserOrIp: deprecatedSetting<boolean>(v.bool),
  /** @deprecated `AXES_LOCK_OUT_BY_COMBINATION_USER_AND_IP`; use `[['username', 'ip_address']]`. */
  lockOutByCombinationUserAndIp: deprecatedSetting<boolean>(v.bool),
  /** @deprecated django-axes' `AXES_USE_USER_AGENT`; add `user_agent` to `lockoutParameters`. */
  useUserAgent: deprecatedSetting<boolean>(v.bool),
}
