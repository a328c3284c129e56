/**
 * Viewer preferences (theme, temperature unit), kept in this browser's localStorage, never in the agent:
 * one viewer choosing dark does not make every viewer dark.
 */
import { getContext, setContext } from 'svelte'
import type { TemperatureUnit, Theme } from '$shared/present'
import { PREFERENCES_KEY } from './context'
import {
  DEFAULT_PREFERENCES,
  parsePreferences,
  PREFERENCES_STORAGE_KEY,
  type PreferenceStorage,
  type Preferences
} from './preference-storage'

export { DEFAULT_PREFERENCES, parsePreferences, PREFERENCES_STORAGE_KEY }
export type { PreferenceStorage, Preferences }

function browserStorage(): PreferenceStorage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage
  } catch {
    // Storage can be disabled (privacy settings); preferences then last for the page only.
    return null
  }
}

/** Viewer preferences state. */
export class PreferencesState {
  prefs = $state<Preferences>({ ...DEFAULT_PREFERENCES })
  /** The system's dark-mode preference (from matchMedia). */
  systemDark = $state(false)
  /** The theme actually applied. */
  effectiveTheme = $derived<Theme>(
    this.prefs.theme === 'system' ? (this.systemDark ? 'dark' : 'light') : this.prefs.theme
  )
  /** The temperature unit. */
  temperatureUnit = $derived<TemperatureUnit>(this.prefs.temperatureUnit)

  constructor(private readonly storage: PreferenceStorage | null = browserStorage()) {
    this.prefs = parsePreferences(storage?.getItem(PREFERENCES_STORAGE_KEY) ?? null)
  }

  /** Changes preferences and stores them for this viewer. */
  update(patch: Partial<Preferences>): void {
    this.prefs = { ...this.prefs, ...patch }
    try {
      this.storage?.setItem(PREFERENCES_STORAGE_KEY, JSON.stringify(this.prefs))
    } catch {
      // Quota or disabled storage: the choice still applies to this page.
    }
  }
}

/** Provides preferences. */
export function setPreferences(state: PreferencesState): PreferencesState {
  return setContext(PREFERENCES_KEY, state)
}

/** The preferences provided by an ancestor. */
export function getPreferences(): PreferencesState {
  return getContext<PreferencesState>(PREFERENCES_KEY)
}
