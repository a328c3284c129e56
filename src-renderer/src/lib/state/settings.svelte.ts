/**
 * Settings and host info, loaded from the engine and written back through `settings:set`.
 */
import { getContext, setContext } from 'svelte'
import { DEFAULT_SETTINGS, type HostInfoForUi, type Settings } from '$shared/ipc-contract'
import type { Bridge } from '../bridge'
import { SETTINGS_KEY } from './context'

/** Settings state. */
export class SettingsState {
  settings = $state<Settings>({ ...DEFAULT_SETTINGS })
  info = $state.raw<HostInfoForUi | null>(null)
  error = $state<string | null>(null)
  /** The theme actually applied (system resolved). */
  systemDark = $state(false)
  effectiveTheme = $derived<'light' | 'dark'>(
    this.settings.theme === 'system' ? (this.systemDark ? 'dark' : 'light') : this.settings.theme
  )

  constructor(private readonly bridge: Bridge) {}

  /** Loads settings and host info. */
  async load(): Promise<void> {
    try {
      const [settings, info] = await Promise.all([
        this.bridge.invoke('settings:get'),
        this.bridge.invoke('app:get-info')
      ])
      this.settings = settings
      this.info = info
    } catch (e) {
      this.error = e instanceof Error ? e.message : String(e)
    }
  }

  /** Applies a patch locally at once, then persists it; reverts on failure. */
  async update(patch: Partial<Settings>): Promise<void> {
    const before = this.settings
    this.settings = { ...before, ...patch }
    try {
      this.settings = await this.bridge.invoke('settings:set', patch)
      this.error = null
    } catch (e) {
      this.settings = before
      this.error = e instanceof Error ? e.message : String(e)
    }
  }
}

/** Provides settings state. */
export function setSettings(state: SettingsState): SettingsState {
  return setContext(SETTINGS_KEY, state)
}

/** The settings state provided by an ancestor. */
export function getSettings(): SettingsState {
  return getContext<SettingsState>(SETTINGS_KEY)
}
