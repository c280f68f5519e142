/**
 * The options table, defences part: what takes the lock away from the attacker (issue 15). Device
 * cookies, so that a known device is not locked out by someone else's guesses, and spray
 * detection, so that one source failing across many usernames is locked as a source, and the same
 * wrong password counted once. Each is off unless configured, and each takes an object made by a factory from its own subpath, so that an
 * application that configures neither carries none of their code. Declared as ./lockout.ts
 * cookies, so that a known device is not locked out by someone else's guesses, spray
 * detection, so that one source failing across many usernames is locked as a source, and
 * challenges, a CAPTCHA asked before the lock. Each is off unless configured, and each takes an object made by a factory from its own subpath, so that an
 * application that configures none carries none of their code. Declared as ./lockout.ts
 * declares its part.
 */

import { nodeOption } from './spec.js'
import type { DefenceObject } from './types.js'
import * as v from './validators.js'

/** The defences' options. */
export const DEFENCE_OPTIONS = {
  /**
   * Device cookies (OWASP): after a successful login node-axes issues a signed cookie bound to the
   * username; an attempt presenting a valid one is counted in that device's own bucket and is not
   * refused by the username-wide lock. Make the object with `deviceCookies({ secrets })` from
   * `node-axes/device-cookies` (docs/device-cookies.md). Null turns them off.
   * @default null
   * @example
   * ```ts
   * import { deviceCookies } from 'node-axes/device-cookies'
   * createAxes({ deviceCookies: deviceCookies({ secrets: [process.env.AXES_DEVICE_SECRET] }) })
   * ```
   */
  deviceCookies: nodeOption<DefenceObject | null>(v.defence, null),
  /**
   * Spray detection: a source (an IP, or an IPv6 /64 by default) that fails across more than a
   * number of distinct usernames within a window is locked as a source, whatever the lockout
   * parameters; a locked source's attempts are refused before they are counted, so they add
   * nothing to the store. Make the object with `sprayDetection({ usernames })` from
   * `node-axes/spray-detection` (docs/security.md). The handler must keep sources (memory,
   * database and Redis do). Null turns it off.
   * @default null
   * @example
   * ```ts
   * import { sprayDetection } from 'node-axes/spray-detection'
   * createAxes({ sprayDetection: sprayDetection({ usernames: 20, window: '1h', cooloff: '1h' }) })
   * ```
   */
  sprayDetection: nodeOption<DefenceObject | null>(v.defence, null),
  /**
   * The same wrong password counts once (as Entra ID's smart lockout): a failed attempt whose
   * password was already counted for the client within the window is not counted again. node-axes
   * keeps only keyed hashes (HMAC-SHA-256 with the secret) of each bucket's last few wrong
   * passwords. Make the object with `repeatPasswords({ secret })` from
   * `node-axes/repeat-passwords` (docs/repeat-passwords.md). Null turns it off.
   * @default null
   * @example
   * ```ts
   * import { repeatPasswords } from 'node-axes/repeat-passwords'
   * createAxes({ repeatPasswords: repeatPasswords({ secret: process.env.AXES_PASSWORD_SECRET }) })
   * ```
   */
  repeatPasswords: nodeOption<DefenceObject | null>(v.defence, null),
  /**
   * Challenges instead of locks: after `after` failures (below `failureLimit`) an attempt must
   * carry a challenge (a CAPTCHA the application shows and verifies) that passed, or it is refused
   * (reason `challengeRequired`, 403) without reaching the password check and without being
   * counted. Make the object with `challenges({ after })` from `node-axes/challenges`
   * (docs/challenges.md). Null turns them off.
   * @default null
   * @example
   * ```ts
   * import { challenges } from 'node-axes/challenges'
   * createAxes({ failureLimit: 10, challenges: challenges({ after: 3 }) })
   * ```
   */
  challenges: nodeOption<DefenceObject | null>(v.defence, null),
}
