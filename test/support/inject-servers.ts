// The servers' URLs as test/support/global-servers.ts provided them: null when the server is not
// installed (its suites skip; under CI=true the global setup fails instead).

import { inject } from 'vitest'

declare module 'vitest' {
  export interface ProvidedContext {
    axesPgUrl: string | null
    axesMysqlUrl: string | null
  }
}

export function pgServerUrl(): string | null {
  return provided('axesPgUrl')
}

export function mysqlServerUrl(): string | null {
  return provided('axesMysqlUrl')
}

function provided(key: 'axesPgUrl' | 'axesMysqlUrl'): string | null {
  const url = inject(key)
  if (url === undefined) {
    throw new Error(
      `inject('${key}') is undefined: vitest.config.ts must list test/support/global-servers.ts ` +
        'in test.globalSetup',
    )
  }
  return url
}
