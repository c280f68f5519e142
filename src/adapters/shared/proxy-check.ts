/**
 * The proxy-agreement check (axes.W013): whether a framework's trust-proxy setting and node-axes'
 * proxy options agree on reading a forwarded header.
 */

import type { Axes } from '../../compose/axes.js'
import { invalidArgument } from '../../ground/errors.js'

/** Whether node-axes reads a forwarded header or a custom client-IP function. */
export function axesTrustsProxy(axes: Axes): boolean {
  const o = axes.options
  return Boolean(o.clientIpCallable) || o.ipwareMetaPrecedenceOrder.some((k) => k !== 'REMOTE_ADDR')
}

/**
 * Where an adapter takes the client IP from: `'axes'` (the default) hands node-axes the socket
 * address and the headers, and node-axes' proxy options (`ipwareMetaPrecedenceOrder`,
 * `ipwareProxyCount`, `ipwareProxyTrustedIps`) find the client, as django-axes does;
 * `'framework'` takes the address the framework resolved with its own trust-proxy setting
 * (Express `req.ip`, Fastify `request.ip`, Koa `ctx.ip`), so proxies are configured once, there.
 */
export type ClientIpSource = 'axes' | 'framework'

/** Checks an adapter's `clientIp` option. */
export function checkClientIpSource(value: unknown): ClientIpSource {
  if (value === undefined || value === 'axes') return 'axes'
  if (value === 'framework') return 'framework'
  throw invalidArgument(`clientIp must be 'axes' or 'framework', not ${String(value)}`)
}

/**
 * The proxy checks of an adapter, once per instance: with `clientIp: 'framework'`, axes.W017 when
 * node-axes' own proxy options are set too (they are not used); otherwise axes.W013 when the
 * framework's trust-proxy setting and node-axes' proxy options disagree.
 */
export function checkProxies(
  axes: Axes,
  source: ClientIpSource,
  framework: string,
  setting: string,
  frameworkTrustsProxy: boolean,
): void {
  if (source === 'axes') {
    checkProxyAgreement(axes, framework, setting, frameworkTrustsProxy)
    return
  }
  const o = axes.options
  const ignored = [
    o.clientIpCallable ? 'clientIpCallable is set too, and comes first' : null,
    o.ipwareMetaPrecedenceOrder.some((k) => k !== 'REMOTE_ADDR') ||
    o.ipwareProxyCount !== null ||
    o.ipwareProxyTrustedIps !== null
      ? "node-axes' ipware* options are set too, and not used"
      : null,
  ].filter((text): text is string => text !== null)
  if (ignored.length > 0) {
    axes.reportCheck('axes.W017', { framework, setting, conflict: ignored.join('; ') })
  }
}

/**
 * Reports axes.W013 when the framework's trust-proxy setting and node-axes' proxy options
 * disagree: one trusts a forwarded header and the other does not.
 */
export function checkProxyAgreement(
  axes: Axes,
  framework: string,
  setting: string,
  frameworkTrustsProxy: boolean,
): void {
  const nodeAxes = axesTrustsProxy(axes)
  if (nodeAxes === frameworkTrustsProxy) return
  axes.reportCheck('axes.W013', {
    framework,
    setting,
    detail: frameworkTrustsProxy
      ? `${framework} trusts a proxy (${setting}), but node-axes reads only the socket address, so every client behind the proxy shares the proxy's IP`
      : `node-axes reads a forwarded header, but ${framework} trusts no proxy (${setting}), so node-axes may count an address the client wrote itself`,
  })
}
