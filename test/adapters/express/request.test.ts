import { createRequire } from 'node:module'
import { describe, expect, it } from 'vitest'
import { fastPathname } from '../../../src/adapters/express/request.js'

// Express' own URL parser (a dependency of Express and its router), as req.path uses it.
const parseurl = createRequire(import.meta.url)('parseurl') as (req: {
  url: string
}) => { pathname: string | null } | undefined

describe('Express: the path read from req.url', () => {
  it("is Express' req.path (parseurl's pathname) wherever it answers, and leaves the rest to it", () => {
    const targets = [
      '/login',
      '/login?next=/admin',
      '/login?',
      '/a/b/c?x=1?y=2',
      '/login?a b',
      '/login#frag',
      '/lo gin',
      '/login?q=\t',
      '/login\u00a0',
      '/login\ufeff?x',
      'http://example.com/login?x=1',
      '*',
      '/',
      '/%2F%2e%2e?x',
    ]
    for (const url of targets) {
      const fast = fastPathname(url)
      const express = parseurl({ url })?.pathname
      if (fast !== undefined) expect(fast, url).toBe(express)
      else expect(/^\//.test(url) && !/[\t\n\f\r #\u00a0\ufeff]/.test(url), url).toBe(false)
    }
    expect(fastPathname('/login?next=/x')).toBe('/login')
    expect(fastPathname('/login?a b')).toBeUndefined()
    expect(fastPathname('http://example.com/login')).toBeUndefined()
  })
})
