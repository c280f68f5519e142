// Vitest globalSetup: one PostgreSQL and one MariaDB for the whole run, started in parallel before
// any test file and stopped after the last. Tests get the URLs with pgServerUrl() /
// mysqlServerUrl() from ./inject-servers.js and make their own database with createDatabase().

import type { TestProject } from 'vitest/node'
import './inject-servers.js'
import { startMariadb, startPostgres, type TestServer } from './servers.js'

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const [pg, mysql] = await Promise.allSettled([startPostgres(), startMariadb()])
  const started = [pg, mysql].flatMap((result) =>
    result.status === 'fulfilled' && result.value ? [result.value] : [],
  )
  const stopAll = async () => {
    await Promise.all(started.map((server) => server.stop()))
  }
  const failures = [pg, mysql].flatMap((result) =>
    result.status === 'rejected' ? [result.reason as unknown] : [],
  )
  if (failures.length > 0) {
    await stopAll()
    if (failures.length === 1) throw failures[0]
    throw new Error(failures.map((failure) => String(failure)).join('\n\n'))
  }
  project.provide('axesPgUrl', urlOf(pg))
  project.provide('axesMysqlUrl', urlOf(mysql))
  return stopAll
}

function urlOf(result: PromiseSettledResult<TestServer | null>): string | null {
  return result.status === 'fulfilled' && result.value ? result.value.url : null
}
