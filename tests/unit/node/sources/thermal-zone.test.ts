import { describe, expect, it } from 'vitest'
import { parseCoolingState, parseZoneTemp } from '../../../../src-main/node/sources/thermal-zone'

describe('sources/thermal-zone', () => {
  it('parses cooling states and negative zone temperatures', () => {
    expect(parseCoolingState('-1\n')).toMatchObject({
      status: 'unavailable',
      reason: 'unsupported'
    })
    expect(parseCoolingState('garbage').status).toBe('unavailable')
    expect(parseCoolingState('2\n')).toEqual({ status: 'ok', value: 2 })
    expect(parseZoneTemp('-44000\n')).toEqual({ status: 'ok', value: -44 })
  })
})
