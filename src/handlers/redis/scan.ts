/** Walking every key that matches a pattern, on every master (SCAN), and deleting them. */

import type { Connection, RedisCommands } from './client.js'

/** Calls `each` with every key matching the SCAN MATCH `pattern`, and its master, on every master. */
export async function scanMatching(
  commands: RedisCommands,
  pattern: string,
  operation: string,
  each: (key: string, master: Connection) => Promise<void>,
): Promise<void> {
  for (const master of commands.masters()) {
    let cursor = '0'
    do {
      const [next, found] = (await commands.send(
        ['SCAN', cursor, 'MATCH', pattern, 'COUNT', '1000'],
        operation,
        master,
      )) as [string, string[]]
      cursor = String(next)
      for (const key of found) await each(key, master)
    } while (cursor !== '0')
  }
}

/** Unlinks every key matching the SCAN MATCH `pattern` on every master; returns those it found. */
export async function unlinkMatching(
  commands: RedisCommands,
  pattern: string,
  operation: string,
): Promise<string[]> {
  const unlinked: string[] = []
  await scanMatching(commands, pattern, operation, async (key, master) => {
    await commands.send(['UNLINK', key], operation, master)
    unlinked.push(key)
  })
  return unlinked
}
