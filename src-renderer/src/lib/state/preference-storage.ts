/**
 * The stored form of viewer preferences (localStorage), parsed defensively: whatever a browser holds,
 * the UI starts with valid preferences.
 */
import type { TemperatureUnit, Theme } from '$shared/present'

/** The stored shape. */
export interface Preferences {
  theme: Theme | 'system'
  temperatureUnit: TemperatureUnit
}

/** Defaults: follow the system theme, degrees Celsius. */
export const DEFAULT_PREFERENCES: Preferences = { theme: 'system', temperatureUnit: 'celsius' }

/** localStorage key. */
export const PREFERENCES_STORAGE_KEY = 'rigready.preferences.v1'

/** Minimal storage surface (localStorage, or a map in tests). */
export interface PreferenceStorage {
  getItem(key: string): string | null
  setItem(key: string, value: string): void
}

/** Parses stored preferences, keeping defaults for anything missing or malformed. */
export function parsePreferences(text: string | null): Preferences {
  if (!text) return { ...DEFAULT_PREFERENCES }
  try {
    const raw = JSON.parse(text) as Partial<Record<keyof Preferences, unknown>>
    return {
      theme:
        raw.theme === 'light' || raw.theme === 'dark' || raw.theme === 'system'
          ? raw.theme
          : DEFAULT_PREFERENCES.theme,
      temperatureUnit:
        raw.temperatureUnit === 'fahrenheit' || raw.temperatureUnit === 'celsius'
          ? raw.temperatureUnit
          : DEFAULT_PREFERENCES.temperatureUnit
    }
  } catch {
    return { ...DEFAULT_PREFERENCES }
  }
}
