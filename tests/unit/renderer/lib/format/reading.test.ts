import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ok, unavailable } from '../../../../../src-main/shared/reading'
import { findUnavailable, readingText } from '../../../../../src-renderer/src/lib/format/reading'

describe('format/reading', () => {
  it('formats ok readings and explains unavailable ones in the title', () => {
    expect(readingText(ok(78), (v) => `${v} °C`)).toEqual({ ok: true, text: '78 °C', title: '' })
    expect(readingText(unavailable('permission-denied', 'smartctl needs root'))).toEqual({
      ok: false,
      text: 'no access',
      title: 'permission denied: smartctl needs root'
    })
    expect(readingText(undefined).ok).toBe(false)
  })
  it('finds every unavailable reading in a nested object with its path', () => {
    const found = findUnavailable({
      a: ok(1),
      b: { c: unavailable('unsupported', 'x') },
      d: [unavailable('asleep')]
    })
    expect(found.map((f) => f.path)).toEqual(['b.c', 'd[0]'])
  })
  it('never throws on arbitrary JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        findUnavailable(v)
        readingText(v as never)
      })
    )
  })
})
