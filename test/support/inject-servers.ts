// The servers' URLs as test/support/global-servers.ts provided them: null when the server is not
// installed (its suites skip; under CI=true the global setup fails instead). Only the integration
// project provides them (vitest.config.ts); in the unit project each helper throws.

import { inject } from 'vitest'

declare module 'vitest' {
  export interface ProvidedContext {
    axesPgUrl: string | null
    axesMysqlUrl: string | null
    axesRedisUrl: string | null
    axesRedisClusterUrl: string | null
  }
}

export function pgServerUrl(): string | null {
  return provided('axesPgUrl')
}

export function mysqlServerUrl(): string | null {
  return provided('axesMysqlUrl')
}

/** A standalone Redis: `redis://127.0.0.1:PORT`. Tests keep apart by key prefix. */
export function redisServerUrl(): string | null {
  return provided('axesRedisUrl')
}

/** One node of a 3-master Redis Cluster: `redis://127.0.0.1:PORT`. */
export function redisClusterUrl(): string | null {
  return provided('axesRedisClusterUrl')
}

function provided(
  key: 'axesPgUrl' | 'axesMysqlUrl' | 'axesRedisUrl' | 'axesRedisClusterUrl',
): string | null {
  const url = inject(key)
  if (url === undefined) {
    throw new Error(
      `inject('${key}') is undefined: this file runs in the unit project, which starts no server. ` +
        'test/support/test-kinds.ts puts a file in the integration project when it imports ' +
        'test/support/inject-servers.js (directly or through a helper under test/); see ' +
        'vitest.config.ts',
    )
  }
  return url
}
