/**
 * Sessions view state: the recordings in the sessions folder, the opened one (review, timeline, whole run
 * downsampled) and the zoomed range, all through the bridge's `sessions:*` channels.
 */
import type { Bridge } from '../bridge'
import type { SessionListEntry, SessionOverview, SessionRange } from '$shared/session-format'

/** Buckets asked for per chart (about one per pixel column of a wide chart). */
export const RANGE_POINTS = 1200

/** Sessions state (one per Sessions view). */
export class SessionsState {
  list = $state.raw<SessionListEntry[]>([])
  listError = $state<string | null>(null)
  loadingList = $state(false)
  openId = $state<string | null>(null)
  overview = $state.raw<SessionOverview | null>(null)
  /** What the charts show: the whole run, or the zoomed range. */
  range = $state.raw<SessionRange | null>(null)
  zoomed = $state(false)
  opening = $state(false)
  error = $state<string | null>(null)
  /** Milliseconds the last open took (shown, and read by tests). */
  openMs = $state<number | null>(null)
  private rangeSeq = 0

  constructor(private readonly bridge: Bridge) {}

  /** Lists the sessions folder. */
  async refresh(): Promise<void> {
    this.loadingList = true
    try {
      this.list = await this.bridge.invoke('sessions:list')
      this.listError = null
    } catch (e) {
      this.listError = e instanceof Error ? e.message : String(e)
    } finally {
      this.loadingList = false
    }
  }

  /** Opens one recording: the whole run at once. */
  async open(id: string): Promise<void> {
    this.openId = id
    this.opening = true
    this.error = null
    const t0 = performance.now()
    try {
      const o = await this.bridge.invoke('sessions:open', id)
      if (this.openId !== id) return
      this.overview = o
      this.range = o.whole
      this.zoomed = false
      this.openMs = Math.round(performance.now() - t0)
    } catch (e) {
      if (this.openId === id) this.error = e instanceof Error ? e.message : String(e)
    } finally {
      if (this.openId === id) this.opening = false
    }
  }

  /** Zooms every chart to `[startMs, endMs]` (downsampled by the engine; the newest request wins). */
  async zoom(startMs: number, endMs: number): Promise<void> {
    const o = this.overview
    if (!o || !(endMs > startMs)) return
    const seq = ++this.rangeSeq
    try {
      const r = await this.bridge.invoke('sessions:range', {
        id: o.id,
        startMs: Math.round(startMs),
        endMs: Math.round(endMs),
        maxPoints: RANGE_POINTS
      })
      if (seq !== this.rangeSeq || this.overview !== o) return
      this.range = r
      this.zoomed = true
      this.error = null
    } catch (e) {
      if (seq === this.rangeSeq) this.error = e instanceof Error ? e.message : String(e)
    }
  }

  /** Back to the whole run. */
  resetZoom(): void {
    this.rangeSeq++
    if (this.overview) this.range = this.overview.whole
    this.zoomed = false
  }
}
