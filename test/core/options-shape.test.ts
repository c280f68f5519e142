// The engine reads its resolved options on every login: they must stay an object with V8's fast
// properties, not a dictionary (building fifty properties by name turns an object into one, and
// made loginFailed about 20% slower). V8 answers only with --allow-natives-syntax, so a child
// process asks it.

import { execFileSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { ROOT } from '../support/root.js'

describe('resolved options', () => {
  it('keep fast properties, for the default options and for a full set', () => {
    const script = `
      import { createAxes, memoryHandler } from './src/index.ts'
      const plain = createAxes({ handler: memoryHandler(), logger: false })
      const full = createAxes({
        handler: memoryHandler(), logger: false, failureLimit: 5, cooloffTime: '15m',
        lockoutParameters: ['ip_address', ['username', 'ip_address']], ipv6Prefix: 64,
      })
      console.log(JSON.stringify([%HasFastProperties(plain.options), %HasFastProperties(full.options)]))
    `
    const out = execFileSync(
      process.execPath,
      ['--allow-natives-syntax', '--import', 'tsx', '--input-type=module', '-e', script],
      { cwd: ROOT, encoding: 'utf8' },
    )
    expect(JSON.parse(out)).toEqual([true, true])
  })
})
