import fc from 'fast-check'
import { resolve, sep } from 'node:path'
import { describe, expect, it } from 'vitest'
import { resolveStaticPath } from '../../../../src-main/node/server/static'

const root = resolve('/srv/ui')

describe('static', () => {
  it('maps / to index.html and nested paths inside the root', () => {
    expect(resolveStaticPath(root, '/')).toBe(resolve(root, 'index.html'))
    expect(resolveStaticPath(root, '/assets/index-abc.js')).toBe(
      resolve(root, 'assets/index-abc.js')
    )
  })

  it('refuses dot-dot segments, encoded separators, backslashes and NUL bytes', () => {
    for (const p of [
      '/../etc/passwd',
      '/a/../../etc',
      '/%2e%2e/x',
      '/a%2f..%2f..%2fx',
      '/..%5cx',
      '/x%00.js',
      '/%E0%A4%A'
    ]) {
      expect(resolveStaticPath(root, p), p).toBeNull()
    }
  })

  it('never resolves outside the root for any input', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        const r = resolveStaticPath(root, '/' + s)
        return r === null || r.startsWith(root + sep)
      }),
      { numRuns: 2000 }
    )
  })
})
