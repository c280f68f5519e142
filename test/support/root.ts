// The repository's root, for tests that read its files.

import { fileURLToPath } from 'node:url'

/** The repository's root, where `npm start` and the examples run. */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url))
