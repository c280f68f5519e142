// Vitest globalSetup: one PostgreSQL, one MariaDB, one standalone Redis and one 3-master Redis
// Cluster for the whole run, started in parallel before any test file and stopped after the last.
// Tests get the URLs with pgServerUrl() / mysqlServerUrl() / redisServerUrl() /
// redisClusterUrl() from ./inject-servers.js; SQL tests make their own database with
// createDatabase(), Redis tests their own key prefix.

import type { TestProject } from 'vitest/node'
import './inject-servers.js'
import {
  startMariadb,
  startPostgres,
  startRedis,
  startRedisCluster,
  type TestServer,
} from './servers.js'

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const results = await Promise.allSettled([
    startPostgres(),
    startMariadb(),
    startRedis(),
    startRedisCluster(),
  ])
  const [pg, mysql, redis, cluster] = results
  const started = results.flatMap((result) =>
    result.status === 'fulfilled' && result.value ? [result.value] : [],
  )
  const stopAll = async () => {
    await Promise.all(started.map((server) => server.stop()))
  }
  const failures = results.flatMap((result) =>
    result.status === 'rejected' ? [result.reason as unknown] : [],
  )
  if (failures.length > 0) {
    await stopAll()
    if (failures.length === 1) throw failures[0]
    throw new Error(failures.map((failure) => String(failure)).join('\n\n'))
  }
  project.provide('axesPgUrl', urlOf(pg))
  project.provide('axesMysqlUrl', urlOf(mysql))
  project.provide('axesRedisUrl', urlOf(redis))
  project.provide('axesRedisClusterUrl', urlOf(cluster))
  return stopAll
}

function urlOf(result: PromiseSettledResult<TestServer | null> | undefined): string | null {
  return result?.status === 'fulfilled' && result.value ? result.value.url : null
}
