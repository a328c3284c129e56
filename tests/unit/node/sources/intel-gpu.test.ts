import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { parseIntelThrottle } from '../../../../src-main/node/sources/intel-gpu'

describe('sources/intel-gpu', () => {
  it('maps reasons to causes: pl* power, thermal/prochot/ratl/vr_thermalert thermal, vr_tdc current', () => {
    expect(
      parseIntelThrottle('1', { pl1: '1\n', pl2: '0', prochot: '1', vr_tdc: '1', ratl: '0' })
    ).toEqual({
      status: 'ok',
      value: [
        { name: 'reason_pl1', cause: 'power' },
        { name: 'reason_prochot', cause: 'thermal' },
        { name: 'reason_vr_tdc', cause: 'current' }
      ]
    })
    expect(parseIntelThrottle('1', { pl1: '0' })).toEqual({
      status: 'ok',
      value: [{ name: 'status', cause: 'other' }]
    })
    expect(parseIntelThrottle(undefined, {}).status).toBe('unavailable')
  })

  it('never throws on random throttle file contents', () => {
    fc.assert(
      fc.property(
        fc.option(fc.string()),
        fc.dictionary(fc.string({ maxLength: 12 }), fc.option(fc.string(), { nil: undefined })),
        (s, r) => {
          parseIntelThrottle(s ?? undefined, r)
        }
      )
    )
  })
})
