/**
 * The readiness report and the profile catalogue, refreshed on `readiness:did-update`.
 */
import { getContext, setContext } from 'svelte'
import type { ReadinessReport, WorkloadProfile } from '$shared/readiness'
import type { Bridge } from '../bridge'
import { READINESS_KEY } from './context'

/** Readiness state. */
export class ReadinessState {
  report = $state.raw<ReadinessReport | null>(null)
  profiles = $state.raw<WorkloadProfile[]>([])
  error = $state<string | null>(null)
  private off: (() => void) | null = null

  constructor(private readonly bridge: Bridge) {}

  /** Loads the report and profiles and subscribes to updates. */
  async load(): Promise<void> {
    this.off ??= this.bridge.on('readiness:did-update', (report) => {
      this.report = report
    })
    await this.refresh()
  }

  /** Fetches report and profiles again. */
  async refresh(): Promise<void> {
    try {
      const [report, profiles] = await Promise.all([
        this.bridge.invoke('readiness:get-report'),
        this.bridge.invoke('readiness:list-profiles')
      ])
      this.report = report
      this.profiles = profiles
      this.error = null
    } catch (e) {
      this.error = e instanceof Error ? e.message : String(e)
    }
  }

  /** Adds a custom profile (validated by the engine); returns the engine's error text on failure. */
  async addProfile(
    profile: unknown
  ): Promise<{ ok: true; profile: WorkloadProfile } | { ok: false; error: string }> {
    try {
      const added = await this.bridge.invoke('readiness:add-profile', profile)
      await this.refresh()
      return { ok: true, profile: added }
    } catch (e) {
      return { ok: false, error: e instanceof Error ? e.message : String(e) }
    }
  }

  /** Unsubscribes. */
  dispose(): void {
    this.off?.()
    this.off = null
  }
}

/** Provides readiness state. */
export function setReadiness(state: ReadinessState): ReadinessState {
  return setContext(READINESS_KEY, state)
}

/** The readiness state provided by an ancestor. */
export function getReadiness(): ReadinessState {
  return getContext<ReadinessState>(READINESS_KEY)
}
