/**
 * How a trusted device's bucket is named (device cookies, `node-axes/device-cookies`), and how the
 * admin and the command line read it back. A device bucket is stored as a username of its own,
 * `axes-device:<id>:<username>`, so that every handler counts it apart from the username-wide
 * bucket: `<id>` is the device's id, 32 hex digits of SHA-256 over the cookie's nonce (never the
 * nonce itself: nothing stored or shown is any part of a cookie), and `<username>` the username the
 * cookie is bound to, cut so that the whole fits django-axes' 255 characters.
 */

/** What a device bucket's username starts with. */
export const DEVICE_PREFIX = 'axes-device:'

/** How many hex digits of the device id the admin and the command line show. */
export const SHORT_DEVICE_ID = 8

const DEVICE = /^axes-device:([0-9a-f]{32}):([\s\S]*)$/
/** 255 less the prefix (12) and the id with its colon (33): a literal, for tree shaking. */
const MAX_USERNAME = 210

/** The username field of a device's bucket: `axes-device:<id>:<username>`. */
export function deviceUsername(deviceId: string, username: string): string {
  return `${DEVICE_PREFIX}${deviceId}:${username.slice(0, MAX_USERNAME)}`
}

/** The device id and username of a device bucket's username field; null for any other value. */
export function parseDeviceUsername(
  value: string | null | undefined,
): { deviceId: string; username: string } | null {
  const match = typeof value === 'string' ? DEVICE.exec(value) : null
  return match ? { deviceId: match[1] as string, username: match[2] as string } : null
}

/**
 * A username as an operator reads it: `alice (device 3f2a9c1b…)` for a device bucket's, the value
 * itself otherwise.
 */
export function readableUsername(value: string): string {
  const device = parseDeviceUsername(value)
  if (device === null) return value
  return `${device.username} (device ${device.deviceId.slice(0, SHORT_DEVICE_ID)}…)`
}
