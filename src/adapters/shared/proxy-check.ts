/**
 * The proxy-agreement check (axes.W013): whether a framework's trust-proxy setting and node-axes'
 * proxy options agree on reading a forwarded header.
 */

import type { Axes } from '../../compose/axes.js'

/** Whether node-axes reads a forwarded header or a custom client-IP function. */
export function axesTrustsProxy(axes: Axes): boolean {
  const o = axes.options
  return Boolean(o.clientIpCallable) || o.ipwareMetaPrecedenceOrder.some((k) => k !== 'REMOTE_ADDR')
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
