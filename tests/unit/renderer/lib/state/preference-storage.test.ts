import { describe, expect, it } from 'vitest'
import {
  DEFAULT_PREFERENCES,
  parsePreferences
} from '../../../../../src-renderer/src/lib/state/preference-storage'

describe('preference-storage', () => {
  it('reads stored theme and unit', () => {
    expect(parsePreferences('{"theme":"dark","temperatureUnit":"fahrenheit"}')).toEqual({
      theme: 'dark',
      temperatureUnit: 'fahrenheit'
    })
  })
  it('falls back to defaults for missing, malformed or foreign values', () => {
    expect(parsePreferences(null)).toEqual(DEFAULT_PREFERENCES)
    expect(parsePreferences('{not json')).toEqual(DEFAULT_PREFERENCES)
    expect(parsePreferences('{"theme":"pink","temperatureUnit":"kelvin"}')).toEqual(
      DEFAULT_PREFERENCES
    )
    expect(parsePreferences('{"theme":"light"}')).toEqual({
      ...DEFAULT_PREFERENCES,
      theme: 'light'
    })
  })
})
