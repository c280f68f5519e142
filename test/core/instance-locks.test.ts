// axes.lockedOut(), unlock(axes, id) and resetAndReport(axes) on the memory handler: the locks in
// force, lifting exactly one, and the locks a username or IP reset leaves in place.

import { createAxes, lockedOut, memoryHandler, resetAndReport, unlock } from 'node-axes'
import { describe, expect, it } from 'vitest'

const login = (username: string, ip: string) => ({
  method: 'POST',
  path: '/login',
  headers: { 'user-agent': 'test' },
  socketAddress: ip,
  body: { username, password: 'wrong' },
})

describe('the locks of an instance', () => {
  const make = () =>
    createAxes({
      handler: memoryHandler(),
      failureLimit: 3,
      lockoutParameters: ['ip_address', ['username', 'ip_address']],
      logger: false,
    })

  it('lists the locks in force and unlocks exactly one', async () => {
    const axes = make()
    for (let i = 0; i < 3; i++) await axes.loginFailed(login('bob', '192.0.2.7'))
    const locks = await lockedOut(axes)
    expect(locks.map((l) => [l.kind, l.fields])).toEqual([
      ['ip', { ip_address: '192.0.2.7' }],
      ['pair', { ip_address: '192.0.2.7', username: 'bob' }],
    ])
    const pair = locks[1]?.id as string
    expect(await unlock(axes, pair)).toEqual({ id: pair, lock: locks[1], removed: 1 })
    expect((await lockedOut(axes)).map((l) => l.kind)).toEqual(['ip'])
    expect((await axes.isAllowed(login('bob', '192.0.2.7'))).allowed).toBe(false)
    expect(await unlock(axes, pair)).toEqual({ id: pair, lock: null, removed: 0 })
    for (const bad of ['', 'x', 'u3:bobi9:192.0.2.7', 42 as unknown as string]) {
      await expect(unlock(axes, bad)).rejects.toMatchObject({ code: 'AXES_INVALID_ARGUMENT' })
    }
  })

  it('says which lock a username reset leaves in place, and none after the IP reset', async () => {
    const axes = make()
    for (let i = 0; i < 3; i++) await axes.loginFailed(login('bob', '192.0.2.7'))
    await axes.loginFailed(login('carol', '192.0.2.8'))
    const report = await resetAndReport(axes, { username: 'bob' })
    expect(report.removed).toBe(1)
    expect(report.remaining.map((l) => [l.kind, l.fields])).toEqual([
      ['ip', { ip_address: '192.0.2.7' }],
    ])
    expect(await resetAndReport(axes, { ip: '192.0.2.7' })).toEqual({
      removed: 1,
      sources: [],
      remaining: [],
    })
    expect((await axes.isAllowed(login('bob', '192.0.2.7'))).allowed).toBe(true)
  })
})
