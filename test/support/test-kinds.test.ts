// The split of the suite into vitest's unit and integration projects (vitest.config.ts): every
// test file in exactly one project, no unit file reaching a server, and a clear error for one that
// reaches inject-servers' helpers anyway.

import { describe, expect, it } from 'vitest'
import config from '../../vitest.config.js'
import { ROOT } from './root.js'
import { integrationReason, testFiles, testKinds } from './test-kinds.js'

type Project = { test?: { name?: string; include?: string[]; globalSetup?: string[] } }

const projects = (config.test?.projects ?? []) as Project[]
const project = (name: string) => projects.find((p) => p.test?.name === name)?.test

describe('the unit and integration projects', () => {
  it('run every test file exactly once between them', () => {
    const listed = [...(project('unit')?.include ?? []), ...(project('integration')?.include ?? [])]
    expect([...listed].sort()).toEqual(testFiles(ROOT))
    expect(new Set(listed).size).toBe(listed.length)
  })

  it('start servers, build and install runtimes only for the integration project', () => {
    expect(project('unit')?.globalSetup).toBeUndefined()
    expect(project('integration')?.globalSetup).toEqual([
      'test/support/global-servers.ts',
      'test/support/global-build.ts',
      'test/support/global-runtimes.ts',
    ])
  })

  it('put the files that use servers, the build or processes in integration', () => {
    const { unit, integration } = testKinds(ROOT)
    expect(integration).toContain('test/support/servers.test.ts')
    expect(integration).toContain('test/cli/commands.test.ts')
    expect(integration).toContain('test/examples/demo-site.test.ts')
    expect(integration).toContain('test/handlers/redis/redis.test.ts')
    // better-sqlite3, built into .runtimes/ by the integration project's global setup.
    expect(integration).toContain('test/handlers/database/sqlite-drivers.test.ts')
    expect(unit).toContain('test/handlers/database/sqlite.test.ts')
    expect(unit).toContain('test/core/durations.test.ts')
    expect(unit).toContain('test/support/test-kinds.test.ts')
    for (const file of unit) expect(integrationReason(`${ROOT}/${file}`), file).toBeNull()
  })

  it('follow helpers under test/: a server reached through one makes the file integration', () => {
    expect(integrationReason(`${ROOT}/test/handlers/redis/redis.test.ts`)).toMatch(/server/)
  })

  it('refuse a server to a unit file that reaches inject-servers anyway', async () => {
    // Imported by a computed name, which test-kinds.ts does not see (the point of this check).
    const helpers = `./${['inject', 'servers'].join('-')}.js`
    const { pgServerUrl } = (await import(/* @vite-ignore */ helpers)) as {
      pgServerUrl: () => unknown
    }
    expect(() => pgServerUrl()).toThrow(/runs in the unit project, which starts no server/)
  })
})
