/**
 * Throttle episodes: one per (device, cause), opened by the first tick the cause is active, extended while it
 * stays active, closed by the first tick it is not (or the device is not observed). The list has a fixed
 * maximum; the oldest closed episodes are dropped first.
 */
import type { ThrottleEvent } from '../../shared/readiness'
import type { ThrottleCause } from '../../shared/telemetry'
import type { CauseHit } from './rule'

interface OpenEpisode {
  event: ThrottleEvent
  /** Lowest severity seen, to keep the most telling evidence. */
  worst: number
}

/** The bounded book of episodes. */
export class EpisodeBook {
  private readonly events: ThrottleEvent[] = []
  private readonly open = new Map<string, Map<ThrottleCause, OpenEpisode>>()

  /** A book that keeps at most `maxEvents` episodes. */
  constructor(private readonly maxEvents: number) {}

  /** Opens, extends or closes the episodes of a device from one tick's hits. */
  apply(device: { key: string; label: string }, tMs: number, hits: CauseHit[]): void {
    let open = this.open.get(device.key)
    if (!open) {
      open = new Map()
      this.open.set(device.key, open)
    }
    const active = new Set<ThrottleCause>()
    for (const h of hits) {
      if (h.seconds <= 0) continue
      active.add(h.cause)
      const cur = open.get(h.cause)
      if (cur) {
        const ev = cur.event
        ev.durationSeconds += h.seconds
        // Counter evidence outranks flag evidence; otherwise keep the deepest clock drop.
        const upgrade = h.source === 'counter' && ev.source !== 'counter'
        if (h.source === 'counter') ev.source = 'counter'
        if (upgrade || h.severity < cur.worst) {
          ev.evidence = h.evidence.slice()
          cur.worst = h.severity
        }
      } else {
        const event: ThrottleEvent = {
          device: device.key,
          deviceLabel: device.label,
          cause: h.cause,
          startMs: Math.round(tMs - h.seconds * 1000),
          endMs: null,
          evidence: h.evidence.slice(),
          durationSeconds: h.seconds,
          source: h.source
        }
        open.set(h.cause, { event, worst: h.severity })
        this.events.push(event)
        this.trim()
      }
    }
    for (const [cause, cur] of open) {
      if (active.has(cause)) continue
      cur.event.endMs = tMs
      open.delete(cause)
    }
  }

  /** Ends every open episode of a device at `tMs` (the device was not observed). */
  closeDevice(key: string, tMs: number): void {
    const open = this.open.get(key)
    if (!open) return
    for (const cur of open.values()) cur.event.endMs = tMs
    open.clear()
  }

  /** Every kept episode, oldest first (copies). */
  all(): ThrottleEvent[] {
    return this.events.map(copy)
  }

  /**
   * Episodes that overlap the window `(fromMs, toMs]`, oldest first (copies). One that began before the window
   * starts at `fromMs`, counts only `secondsInWindow(event)` and is marked `clippedToWindow`.
   */
  inWindow(
    fromMs: number,
    toMs: number,
    secondsInWindow: (event: ThrottleEvent) => number
  ): ThrottleEvent[] {
    const out: ThrottleEvent[] = []
    for (const e of this.events) {
      if (e.startMs > toMs) continue
      if (e.endMs !== null && e.endMs <= fromMs) continue
      if (e.startMs >= fromMs) {
        out.push(copy(e))
        continue
      }
      const seconds = secondsInWindow(e)
      if (!(seconds > 0)) continue
      out.push({ ...copy(e), startMs: fromMs, durationSeconds: seconds, clippedToWindow: true })
    }
    return out
  }

  private trim(): void {
    while (this.events.length > this.maxEvents) {
      const i = this.events.findIndex((e) => e.endMs !== null)
      this.events.splice(i >= 0 ? i : 0, 1)
    }
  }
}

function copy(e: ThrottleEvent): ThrottleEvent {
  return { ...e, evidence: e.evidence.slice() }
}
