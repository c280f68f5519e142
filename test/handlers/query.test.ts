// The in-memory query helpers the memory handler and the admin's fallback share.
import { describe, expect, it } from 'vitest'
import { searchTerm, topOf } from '../../src/handlers/query.js'

describe('topOf', () => {
  it('keeps the n largest counts, largest first, ties by value, in one pass', () => {
    const counts = new Map<string | null, number>([
      ['b', 2],
      ['a', 2],
      [null, 5],
      ['z', 0],
      ['c', 1],
      ['d', 3],
    ])
    expect(topOf(counts, 3)).toEqual([
      { value: null, failures: 5 },
      { value: 'd', failures: 3 },
      { value: 'a', failures: 2 },
    ])
    expect(topOf(counts, 10).map((t) => t.value)).toEqual([null, 'd', 'a', 'b', 'c'])
    expect(topOf(counts, 0)).toEqual([])
    const many = new Map<string | null, number>()
    for (let i = 0; i < 10_000; i++) many.set(`v${i}`, i % 97)
    expect(topOf(many, 2).map((t) => t.failures)).toEqual([96, 96])
  })
})

describe('searchTerm', () => {
  it('drops NUL, mends lone surrogates, trims, caps at 255 and lowers unless told not to', () => {
    expect(searchTerm(' A\0b\uD800 ')).toBe('ab\uFFFD')
    expect(searchTerm('ABC', false)).toBe('ABC')
    expect(searchTerm('x'.repeat(300))).toHaveLength(255)
    expect(searchTerm(null)).toBe('')
  })
})
