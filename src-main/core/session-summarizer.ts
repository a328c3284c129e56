/**
 * Builds segment summaries while a session is recorded: the recorder feeds each segment's path definitions
 * and ticks (decoded from the rows it just encoded, so the summary sees exactly what a reader will), and at
 * the segment's end takes the summary and starts the next one. See `session-summary.ts` for what a summary
 * holds. Pure; memory is one reviewer and a few chart bins per series.
 */
import { SessionReviewer, type LeafTable, type ReviewContext } from './session-stats'
import { SUMMARY_BIN_MS, type SegmentSummary, type SeriesBins } from './session-summary'

/** Most chart bins one summary may span (a segment is minutes long; a clock jump is not summarised). */
const MAX_BIN_SPAN = 100_000

/** Accumulates one segment at a time; `take()` ends it. */
export class SegmentSummarizer {
  private reviewer: SessionReviewer
  private bins = new Map<string, Map<number, Float64Array>>()
  private lowBin = Infinity
  private highBin = -Infinity

  constructor(
    private readonly ctx: ReviewContext,
    private readonly binMs = SUMMARY_BIN_MS
  ) {
    this.reviewer = new SessionReviewer(ctx)
  }

  /** Ticks accumulated since the last `take`. */
  get samples(): number {
    return this.reviewer.ticks
  }

  /** Node ids restart (a new segment of the file). */
  segment(): void {
    this.reviewer.segment()
  }

  /** A path definition. */
  node(id: number, table: LeafTable): void {
    this.reviewer.node(id, table)
  }

  /** One tick over `table`'s current values. */
  tick(tMs: number, table: LeafTable): void {
    if (!Number.isFinite(tMs)) return
    this.reviewer.tick(tMs, table)
    const bin = Math.floor((tMs - this.ctx.startedAtMs) / this.binMs)
    if (bin < this.lowBin) this.lowBin = bin
    if (bin > this.highBin) this.highBin = bin
    this.reviewer.forEachCurrent((key, v) => {
      if (!Number.isFinite(v)) return
      let m = this.bins.get(key)
      if (!m) this.bins.set(key, (m = new Map()))
      let b = m.get(bin)
      if (!b) m.set(bin, (b = Float64Array.of(v, v, 0, 0)))
      if (v < b[0]) b[0] = v
      if (v > b[1]) b[1] = v
      b[2] += v
      b[3]++
    })
  }

  /**
   * The summary of the ticks since the last `take` (null when there were none, or they span too long to
   * bin), and a fresh start whose first tick is weighed against the last one taken. Bindings are kept: a
   * new segment calls `segment()` itself.
   */
  take(): SegmentSummary | null {
    const r = this.reviewer
    let out: SegmentSummary | null = null
    if (r.ticks > 0 && this.highBin - this.lowBin < MAX_BIN_SPAN) {
      const bins: Record<string, SeriesBins> = {}
      const first = this.lowBin
      const len = this.highBin - this.lowBin + 1
      for (const [key, m] of this.bins) {
        const min: (number | null)[] = new Array(len).fill(null)
        const max: (number | null)[] = new Array(len).fill(null)
        const sum: number[] = new Array(len).fill(0)
        const n: number[] = new Array(len).fill(0)
        for (const [bin, b] of m) {
          const j = bin - first
          min[j] = b[0]
          max[j] = b[1]
          sum[j] = b[2]
          n[j] = b[3]
        }
        bins[key] = [first, min, max, sum, n]
      }
      out = r.toSummary(bins, this.binMs)
    }
    const next = new SessionReviewer(this.ctx)
    next.continueFrom(r.previousMs)
    next.adoptBindings(r)
    this.reviewer = next
    this.bins.clear()
    this.lowBin = Infinity
    this.highBin = -Infinity
    return out
  }
}
