import fc from 'fast-check'
import { join, resolve } from 'node:path'
import { describe, expect, it, vi } from 'vitest'

vi.mock('electron', async () => await import('./fake-electron'))

import { isAppUrl, resolveRendererFile } from '../../../src-main/electron-main/renderer-protocol'

const root = resolve('out', 'renderer')

describe('renderer-protocol', () => {
  it('maps app URLs to files under the renderer directory', () => {
    expect(resolveRendererFile(root, 'rigready://app/')).toBe(join(root, 'index.html'))
    expect(resolveRendererFile(root, 'rigready://app/index.html')).toBe(join(root, 'index.html'))
    expect(resolveRendererFile(root, 'rigready://app/assets/index-abc.js?v=1')).toBe(
      join(root, 'assets', 'index-abc.js')
    )
    expect(resolveRendererFile(root, 'rigready://app/assets/a%20b.css')).toBe(
      join(root, 'assets', 'a b.css')
    )
  })

  it('refuses traversal, encoded traversal, NUL bytes, other hosts and other schemes', () => {
    // The URL parser already folds a literal `..` into the root, so it stays inside the renderer directory.
    expect(resolveRendererFile(root, 'rigready://app/../package.json')).toBe(
      join(root, 'package.json')
    )
    expect(resolveRendererFile(root, 'rigready://app/%2e%2e/package.json')).toBe(
      join(root, 'package.json')
    )
    for (const url of [
      'rigready://app/assets/%2e%2e%2f%2e%2e%2fsecret',
      'rigready://app/a%00.js',
      'rigready://app/..%5c..%5cwin.ini',
      'rigready://evil/index.html',
      'file:///etc/passwd',
      'rigready://app/%E0%A4%A'
    ]) {
      expect(resolveRendererFile(root, url)).toBeNull()
    }
  })

  it('never returns a path outside the renderer directory, whatever the URL', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('..', '.', '%2e%2e', 'a', '%2f', '%5c', '%00', '/', 'b.js', '%'), {
          maxLength: 8
        }),
        (parts) => {
          const file = resolveRendererFile(root, `rigready://app/${parts.join('/')}`)
          if (file !== null)
            expect(file.startsWith(root + '/') || file.startsWith(root + '\\')).toBe(true)
        }
      ),
      { numRuns: 2000 }
    )
    fc.assert(fc.property(fc.string(), (s) => void resolveRendererFile(root, s)))
  })

  it('recognises the app origin, and the dev server only when one is given', () => {
    expect(isAppUrl('rigready://app/index.html')).toBe(true)
    expect(isAppUrl('rigready://other/index.html')).toBe(false)
    expect(isAppUrl('http://localhost:5173/')).toBe(false)
    expect(isAppUrl('http://localhost:5173/#/live', 'http://localhost:5173')).toBe(true)
    expect(isAppUrl('http://localhost:5174/', 'http://localhost:5173')).toBe(false)
    expect(isAppUrl('file:///app/index.html')).toBe(false)
    expect(isAppUrl('garbage')).toBe(false)
  })
})
