/**
 * Coalesces chart redraws into one animation frame and skips charts that are off screen.
 *
 * A live sample marks every chart dirty; the next frame redraws only the dirty charts that are visible
 * (IntersectionObserver, no layout reads). A chart scrolled into view later is redrawn then, so nothing
 * is lost, only deferred. Several samples arriving before a frame (a burst after a stall, a fast replay)
 * cost one redraw per chart, not one per sample.
 */

/** A chart the scheduler can redraw. */
export interface RedrawTarget {
  /** The element whose visibility decides whether redrawing is worth it. */
  el: Element
  /** Draws the chart's current data (synchronously). */
  redraw(): void
}

/** Frame scheduling, injectable for tests. */
export interface FrameApi {
  request(cb: () => void): number
  cancel(handle: number): void
}

const browserFrames: FrameApi = {
  request: (cb) => requestAnimationFrame(cb),
  cancel: (h) => cancelAnimationFrame(h)
}

/** Creates an IntersectionObserver, or null where there is none (charts then count as visible). */
export type ObserverFactory = (
  cb: (entries: { target: Element; isIntersecting: boolean }[]) => void
) => {
  observe(el: Element): void
  unobserve(el: Element): void
  disconnect(): void
} | null

const browserObserver: ObserverFactory = (cb) =>
  typeof IntersectionObserver === 'undefined'
    ? null
    : new IntersectionObserver((entries) => cb(entries), { rootMargin: '64px' })

/** Schedules chart redraws. */
export class RedrawScheduler {
  private readonly targets = new Map<Element, RedrawTarget>()
  private readonly visible = new Set<Element>()
  private readonly dirty = new Set<Element>()
  private handle: number | null = null
  private readonly observer: ReturnType<ObserverFactory>
  private waiters: (() => void)[] = []
  /** Main-thread time of the last flush (ms). */
  lastFlushMs = 0
  /** Charts redrawn by the last flush. */
  lastFlushCount = 0

  constructor(
    private readonly frames: FrameApi = browserFrames,
    observerFactory: ObserverFactory = browserObserver,
    private readonly now: () => number = () => performance.now()
  ) {
    this.observer = observerFactory((entries) => {
      for (const e of entries) {
        if (e.isIntersecting) this.visible.add(e.target)
        else this.visible.delete(e.target)
      }
      this.schedule()
    })
  }

  /** Registers a chart; it counts as visible until the observer says otherwise. */
  add(target: RedrawTarget): () => void {
    this.targets.set(target.el, target)
    if (this.observer) this.observer.observe(target.el)
    else this.visible.add(target.el)
    return () => this.remove(target)
  }

  /** Unregisters a chart. */
  remove(target: RedrawTarget): void {
    this.targets.delete(target.el)
    this.visible.delete(target.el)
    this.dirty.delete(target.el)
    this.observer?.unobserve(target.el)
  }

  /** Marks every chart dirty and schedules a frame. */
  invalidateAll(): void {
    for (const el of this.targets.keys()) this.dirty.add(el)
    this.schedule()
  }

  /** Resolves after the next flush (at once when nothing is pending). */
  whenFlushed(): Promise<void> {
    if (this.handle === null) return Promise.resolve()
    return new Promise((r) => this.waiters.push(r))
  }

  private schedule(): void {
    if (this.handle !== null) return
    let any = false
    for (const el of this.dirty) {
      if (this.visible.has(el)) {
        any = true
        break
      }
    }
    if (!any) return
    this.handle = this.frames.request(() => this.flush())
  }

  /** Redraws the dirty, visible charts now. */
  flush(): void {
    if (this.handle !== null) this.frames.cancel(this.handle)
    this.handle = null
    const t0 = this.now()
    let n = 0
    for (const el of [...this.dirty]) {
      if (!this.visible.has(el)) continue
      this.dirty.delete(el)
      this.targets.get(el)?.redraw()
      n++
    }
    this.lastFlushMs = this.now() - t0
    this.lastFlushCount = n
    const waiters = this.waiters
    this.waiters = []
    for (const w of waiters) w()
  }

  /** Stops observing and drops pending work. */
  dispose(): void {
    if (this.handle !== null) this.frames.cancel(this.handle)
    this.handle = null
    this.observer?.disconnect()
    this.targets.clear()
    this.visible.clear()
    this.dirty.clear()
    for (const w of this.waiters) w()
    this.waiters = []
  }
}
