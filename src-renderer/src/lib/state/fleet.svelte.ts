/**
 * Fleet view state: the Prometheus server the engine reads RigReady instances from, and the latest listing.
 *
 * The UI never talks to Prometheus itself (its CSP allows its own origin only): it sends the configuration
 * to the engine (`fleet:set-config`; secrets are not echoed back) and reads parsed rows (`fleet:list`).
 */
import type { FleetAuth, FleetConfigView, FleetOverview } from '$shared/fleet'
import type { Bridge } from '../bridge'

/** What the form edits. */
export interface FleetForm {
  prometheusUrl: string
  authKind: FleetAuth['kind']
  username: string
  /** Password (basic) or token (bearer); blank keeps nothing. */
  secret: string
}

/** Fleet state. */
export class FleetState {
  config = $state.raw<FleetConfigView | null>(null)
  overview = $state.raw<FleetOverview | null>(null)
  error = $state<string | null>(null)
  busy = $state(false)
  private timer: ReturnType<typeof setInterval> | null = null

  constructor(private readonly bridge: Bridge) {}

  /** Loads the configuration and, when one is set, the listing; then refreshes every `everyMs`. */
  async load(everyMs = 30_000): Promise<void> {
    try {
      this.config = await this.bridge.invoke('fleet:get-config')
      this.error = null
    } catch (e) {
      this.error = e instanceof Error ? e.message : String(e)
      return
    }
    if (this.config.prometheusUrl !== null) await this.refresh()
    this.timer ??= setInterval(() => {
      if (this.config?.prometheusUrl && !this.busy) void this.refresh()
    }, everyMs)
  }

  /** Queries the fleet now. */
  async refresh(): Promise<void> {
    this.busy = true
    try {
      this.overview = await this.bridge.invoke('fleet:list')
      this.error = null
    } catch (e) {
      this.error = e instanceof Error ? e.message : String(e)
    } finally {
      this.busy = false
    }
  }

  /** Saves the form; returns false (with `error` set) when the engine refused it. */
  async save(form: FleetForm): Promise<boolean> {
    const url = form.prometheusUrl.trim()
    const auth: FleetAuth =
      form.authKind === 'basic'
        ? { kind: 'basic', username: form.username, password: form.secret }
        : form.authKind === 'bearer'
          ? { kind: 'bearer', token: form.secret.trim() }
          : { kind: 'none' }
    try {
      this.config = await this.bridge.invoke('fleet:set-config', {
        prometheusUrl: url === '' ? null : url,
        auth
      })
      this.error = null
    } catch (e) {
      this.error = e instanceof Error ? e.message : String(e)
      return false
    }
    this.overview = null
    if (this.config.prometheusUrl !== null) await this.refresh()
    return true
  }

  /** Stops refreshing. */
  dispose(): void {
    if (this.timer !== null) clearInterval(this.timer)
    this.timer = null
  }
}
