import bcrypt from 'bcryptjs'
import { describe, expect, it } from 'vitest'
import {
  clientKey,
  createAuthenticator,
  createAuthFailureLimiter,
  parseAuthorization
} from '../../../../src-main/node/server/auth'

describe('auth', () => {
  it('parses Authorization headers as RFC 7235 says: case-insensitive scheme, 1*SP, token68', () => {
    expect(parseAuthorization('Bearer abc.def')).toEqual({
      scheme: 'bearer',
      credentials: 'abc.def'
    })
    expect(parseAuthorization('bearer abc')).toEqual({ scheme: 'bearer', credentials: 'abc' })
    expect(parseAuthorization('BEARER    abc==')).toEqual({
      scheme: 'bearer',
      credentials: 'abc=='
    })
    expect(parseAuthorization('Basic dXNlcjpwYXNz')).toEqual({
      scheme: 'basic',
      credentials: 'dXNlcjpwYXNz'
    })
    expect(parseAuthorization('Bearer')).toEqual({ scheme: 'bearer', credentials: '' })
    expect(parseAuthorization('Bearer a b')).toBeNull()
    expect(parseAuthorization('Bearer "quoted"')).toBeNull()
    expect(parseAuthorization('B@d token')).toBeNull()
    expect(parseAuthorization(undefined)).toBeNull()
  })

  it('accepts the right bearer token in any scheme case and refuses others', async () => {
    const a = createAuthenticator({ token: 'correct-horse-battery' })
    expect(a.required).toBe(true)
    expect(await a.check('Bearer correct-horse-battery', null)).toEqual({ kind: 'ok', user: null })
    expect((await a.check('bEaReR correct-horse-battery', null)).kind).toBe('ok')
    expect((await a.check('Bearer correct-horse-batter', null)).kind).toBe('wrong')
    expect((await a.check('Basic Y29ycmVjdA==', null)).kind).toBe('wrong')
    expect((await a.check(undefined, null)).kind).toBe('missing')
    expect((await a.check('garbage here too', null)).kind).toBe('wrong')
    expect(a.challenges).toEqual(['Bearer realm="rigready"'])
  })

  it('refuses short tokens and malformed bcrypt hashes at start', () => {
    expect(() => createAuthenticator({ token: 'short' })).toThrow(/at least 16/)
    expect(() => createAuthenticator({ basicUsers: { u: 'plaintext' } })).toThrow(
      /not a bcrypt hash/
    )
  })

  it('checks bcrypt users, for unknown names too, and caches successful logins', async () => {
    const hash = await bcrypt.hash('pa:ss word', 4)
    const a = createAuthenticator({ basicUsers: { grafana: hash } })
    const basic = (u: string, p: string): string =>
      `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`
    expect(await a.check(basic('grafana', 'pa:ss word'), null)).toEqual({
      kind: 'ok',
      user: 'grafana'
    })
    expect((await a.check(basic('grafana', 'nope'), null)).kind).toBe('wrong')
    expect((await a.check(basic('root', 'pa:ss word'), null)).kind).toBe('wrong')
    expect((await a.check('Basic bm9jb2xvbg==', null)).kind).toBe('wrong')
    expect((await a.check('Bearer sometokenvalue', null)).kind).toBe('wrong')
    expect(a.challenges[0]).toMatch(/^Basic realm="rigready"/)
  })

  it('issues event-stream sessions that expire', async () => {
    let now = 1_000_000
    const a = createAuthenticator({ token: 'correct-horse-battery' }, () => now)
    const s = a.issueEventSession()
    expect(s.id).toMatch(/^[A-Za-z0-9_-]{32}$/)
    expect((await a.check(undefined, s.id)).kind).toBe('ok')
    expect((await a.check(undefined, 'forged-session-id')).kind).toBe('wrong')
    now += s.maxAgeSeconds * 1000 + 1
    expect((await a.check(undefined, s.id)).kind).toBe('wrong')
  })

  it('limits wrong attempts per client with a token bucket', () => {
    let now = 0
    const l = createAuthFailureLimiter(3, 10, () => now)
    for (let i = 0; i < 3; i++) {
      expect(l.check('a').allowed).toBe(true)
      l.fail('a')
    }
    const d = l.check('a')
    expect(d).toEqual({ allowed: false, retryAfterSeconds: 10 })
    expect(l.check('b').allowed).toBe(true)
    now += 10_000
    expect(l.check('a').allowed).toBe(true)
    now += 30_000
    expect(l.check('a').allowed).toBe(true)
    expect(l.size()).toBe(0)
  })

  it('keys clients by address, IPv4-mapped folded and IPv6 by /64', () => {
    expect(clientKey('::ffff:10.0.0.5')).toBe('10.0.0.5')
    expect(clientKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64')
    expect(clientKey('2001:db8:1:2:bbbb::9')).toBe('2001:db8:1:2::/64')
    expect(clientKey('192.168.1.9')).toBe('192.168.1.9')
    expect(clientKey(undefined)).toBe('?')
  })
})
