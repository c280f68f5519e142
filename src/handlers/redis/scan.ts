/** Deleting every key that matches a pattern, on every master (SCAN, then UNLINK key by key). */

import type { RedisCommands } from './client.js'

/** Unlinks every key matching the SCAN MATCH `pattern` on every master; returns those it found. */
export async function unlinkMatching(
  commands: RedisCommands,
  pattern: string,
  operation: string,
): Promise<string[]> {
  const unlinked: string[] = []
  for (const master of commands.masters()) {
    let cursor = '0'
    do {
      const [next, found] = (await commands.send(
        ['SCAN', cursor, 'MATCH', pattern, 'COUNT', '1000'],
        operation,
        master,
      )) as [string, string[]]
      cursor = String(next)
      for (const key of found) {
        await commands.send(['UNLINK', key], operation, master)
        unlinked.push(key)
      }
    } while (cursor !== '0')
  }
  return unlinked
}
