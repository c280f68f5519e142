/**
 * A lock in words, as the admin and the command line show it: `username alice, IP 10.0.0.1`;
 * `source 203.0.113.9 (4 usernames)` for a source locked by spray detection; `device 3f2a9c1b… of
 * alice` for a trusted device (its short id, never its cookie).
 */

import type { ActiveLock } from './contract-locks.js'
import { parseDeviceUsername, readableUsername, SHORT_DEVICE_ID } from './devices.js'

const LABEL: Record<string, string> = {
  ip_address: 'IP',
  username: 'username',
  user_agent: 'user agent',
}

/** What a lock locks, in words; `show` makes each stored value printable (escaping, say). */
export function lockedValues(
  lock: Pick<ActiveLock, 'kind' | 'fields' | 'usernames'>,
  show: (value: string) => string = (value) => value,
): string {
  if (lock.kind === 'source') {
    const n = lock.usernames ?? 0
    return `source ${show(lock.fields.ip_address ?? '')} (${n} username${n === 1 ? '' : 's'})`
  }
  const device = parseDeviceUsername(lock.fields.username)
  if (lock.kind === 'device' && device !== null) {
    return `device ${device.deviceId.slice(0, SHORT_DEVICE_ID)}… of username ${show(device.username)}`
  }
  return Object.entries(lock.fields)
    .map(([name, value]) => {
      const text = value === null || value === undefined ? '(none)' : show(readableUsername(value))
      return `${LABEL[name] ?? name} ${text}`
    })
    .join(', ')
}
