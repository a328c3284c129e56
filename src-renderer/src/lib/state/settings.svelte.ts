/**
 * Agent settings (what the agent applies: its sampling interval, the profiles its scores count) and host
 * info, loaded from the engine and written back through `settings:set`. Viewer preferences (theme, units)
 * are not here: see `preferences.svelte.ts`.
 */
import { getContext, setContext } from 'svelte'
import { DEFAULT_SETTINGS, type HostInfoForUi, type Settings } from '$shared/ipc-contract'
import type { Bridge } from '../bridge'
import { SETTINGS_KEY } from './context'

/** The settings the agent owns. */
export type AgentSettingsPatch = Partial<Pick<Settings, 'sampleIntervalMs' | 'selectedProfileIds'>>

/** Settings state. */
export class SettingsState {
  settings = $state<Settings>({ ...DEFAULT_SETTINGS })
  info = $state.raw<HostInfoForUi | null>(null)
  error = $state<string | null>(null)
  loaded = $state(false)

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
      this.loaded = true
    } catch (e) {
      this.error = e instanceof Error ? e.message : String(e)
    }
  }

  /** Applies a patch locally at once, then persists it in the agent; reverts on failure. */
  async update(patch: AgentSettingsPatch): Promise<boolean> {
    const before = this.settings
    this.settings = { ...before, ...patch }
    try {
      this.settings = await this.bridge.invoke('settings:set', patch)
      this.error = null
      return true
    } catch (e) {
      this.settings = before
      this.error = e instanceof Error ? e.message : String(e)
      return false
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
