import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  isDrmCardName,
  parsePpDpmClock,
  parsePpDpmPcie
} from '../../../../src-main/node/sources/amdgpu'

describe('sources/amdgpu', () => {
  it('takes the current clock from the line marked with *', () => {
    const t = parsePpDpmClock('0: 852Mhz *\n1: 991Mhz\n2: 1084Mhz\n7: 1630Mhz\n')
    expect(t.currentMhz).toEqual({ status: 'ok', value: 852 })
    expect(t.maxMhz).toEqual({ status: 'ok', value: 1630 })
    expect(parsePpDpmClock('S: 19Mhz *\n0: 500Mhz\n1: 2500Mhz\n').currentMhz).toEqual({
      status: 'ok',
      value: 19
    })
  })

  it('reports no current clock when no level is marked, and a parse error for garbage', () => {
    expect(parsePpDpmClock('0: 500Mhz\n1: 2500Mhz\n').currentMhz.status).toBe('unavailable')
    expect(parsePpDpmClock('').currentMhz).toMatchObject({ reason: 'parse-error' })
  })

  it('reads pp_dpm_pcie in the old and the LCLK-suffixed formats', () => {
    expect(parsePpDpmPcie('0: 2.5GT/s, x8 \n1: 8.0GT/s, x16 *\n').current).toEqual({
      status: 'ok',
      value: { gen: 3, width: 16 }
    })
    const t = parsePpDpmPcie('0: 2.5GT/s, x1 97Mhz *\n1: 16.0GT/s, x16 619Mhz\n')
    expect(t.current).toEqual({ status: 'ok', value: { gen: 1, width: 1 } })
    expect(t.max).toEqual({ status: 'ok', value: { gen: 4, width: 16 } })
  })

  it('treats only cardN as a GPU, not connectors or render nodes', () => {
    expect(isDrmCardName('card0')).toBe(true)
    expect(isDrmCardName('card1-DP-5')).toBe(false)
    expect(isDrmCardName('renderD128')).toBe(false)
  })

  it('never throws on random pp_dpm text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (s) => {
        parsePpDpmClock(s)
        parsePpDpmPcie(s)
      })
    )
  })
})
