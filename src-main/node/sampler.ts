/**
 * The poll loop: runs every collector concurrently each tick with its own timeout, records per-collector
 * health, assembles a Snapshot, keeps a bounded history and notifies subscribers.
 *
 * Ticks never overlap: the next tick is scheduled on the fixed cadence after the previous one finished, and
 * ticks missed while a tick overran are skipped (not queued). A slow collector costs its own reading for that
 * tick (`timeout`), never the tick.
 */
import { ok, unavailable, type ReadingUnavailable } from '../shared/reading'
import {
  SNAPSHOT_SCHEMA_VERSION,
  type CollectorHealth,
  type CollectorId,
  type GpuSample,
  type Snapshot
} from '../shared/telemetry'
import type { Collector, SnapshotPart, TierDue } from './collectors/types'
import type { Clock } from './platform/clock'
import type { Logger } from './platform/logger'
import { RingBuffer } from './ring-buffer'
import type { TelemetrySource } from './telemetry-source'

/** Sampler options. */
export interface SamplerOptions {
  /** Collectors whose probe said `present`; absent ones are listed in `absent` so health shows them. */
  collectors: Collector[]
  absent?: CollectorId[]
  /** Why absent collectors found nothing: their Snapshot sections carry this reason instead of a generic one. */
  absentReasons?: Partial<Record<CollectorId, ReadingUnavailable>>
  clock: Clock
  log: Logger
  /** Fast tier interval (ms). */
  intervalMs: number
  /** Slow tier period (ms), default 5 s. */
  slowEveryMs?: number
  /** Rare tier period (ms, SMART), default 5 min. */
  rareEveryMs?: number
  /** Per-collector timeout (ms), default 80 % of the interval (at least 250 ms). */
  collectorTimeoutMs?: number
  /** Fine history capacity (snapshots at the tick rate), default 3600. */
  historySize?: number
  /** Coarse history: one snapshot per `coarseEveryMs` kept for `coarseSize` entries (default 60 s × 1440 = 24 h). */
  coarseEveryMs?: number
  coarseSize?: number
}

/** A running sampler. */
export type Sampler = TelemetrySource

const TIMEOUT = Symbol('timeout')

/** Turns every Reading field of a GPU sample into the given unavailable reading (for a failed tick). */
export function markGpuUnavailable(gpu: GpuSample, reason: ReadingUnavailable): GpuSample {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(gpu)) {
    out[k] = v !== null && typeof v === 'object' && 'status' in (v as object) ? reason : v
  }
  return out as unknown as GpuSample
}

/** Creates a sampler. */
export function createSampler(options: SamplerOptions): Sampler {
  const { clock, log } = options
  let intervalMs = options.intervalMs
  const slowEvery = options.slowEveryMs ?? 5000
  const rareEvery = options.rareEveryMs ?? 300_000
  const timeoutFor = (interval: number): number =>
    options.collectorTimeoutMs ?? Math.max(250, Math.floor(interval * 0.8))
  let timeoutMs = timeoutFor(intervalMs)
  const fine = new RingBuffer<Snapshot>(options.historySize ?? 3600)
  const coarseEvery = options.coarseEveryMs ?? 60_000
  const coarse = new RingBuffer<Snapshot>(options.coarseSize ?? 1440)
  const listeners = new Set<(s: Snapshot) => void>()
  const healthById = new Map<CollectorId, CollectorHealth>()
  const lastParts = new Map<CollectorId, SnapshotPart>()
  for (const c of options.collectors) {
    healthById.set(c.id, {
      collector: c.id,
      status: 'pending',
      lastDurationMs: 0,
      lastSuccessMs: null,
      lastError: null,
      consecutiveFailures: 0
    })
  }
  for (const id of options.absent ?? []) {
    healthById.set(id, {
      collector: id,
      status: 'absent',
      lastDurationMs: 0,
      lastSuccessMs: null,
      lastError: null,
      consecutiveFailures: 0
    })
  }

  let seq = 0
  let lastSlowAt = -Infinity
  let lastRareAt = -Infinity
  let lastCoarseAt = -Infinity
  let running: Promise<Snapshot> | null = null
  let timer: unknown = null
  let active = false
  let nextDue = 0

  const transition = (
    h: CollectorHealth,
    status: CollectorHealth['status'],
    error: string | null
  ): void => {
    // Log state transitions once, not every tick.
    if (h.status !== status || (error !== null && error !== h.lastError)) {
      const lvl = status === 'ok' ? 'info' : 'warn'
      log
        .child(`collector:${h.collector}`)
        .log(lvl, `${h.status} → ${status}${error ? `: ${error}` : ''}`)
    }
    h.status = status
    h.lastError = error
  }

  async function runCollector(
    c: Collector,
    due: TierDue,
    signal: AbortSignal,
    deadline: Promise<typeof TIMEOUT>
  ): Promise<{ part: SnapshotPart | null; failure: ReadingUnavailable | null }> {
    const h = healthById.get(c.id)!
    const t0 = clock.monotonic()
    try {
      const r = await Promise.race([c.sample({ signal, due }), deadline])
      h.lastDurationMs = clock.monotonic() - t0
      if (r === TIMEOUT) {
        h.consecutiveFailures += 1
        transition(h, 'timeout', `no result within ${timeoutMs} ms`)
        return {
          part: null,
          failure: unavailable('timeout', `collector ${c.id} exceeded ${timeoutMs} ms`)
        }
      }
      h.consecutiveFailures = 0
      h.lastSuccessMs = clock.now()
      transition(h, 'ok', null)
      lastParts.set(c.id, r)
      return { part: r, failure: null }
    } catch (err) {
      // Exceptions are bugs in a collector: contain them, report `failed`, keep the others running.
      h.lastDurationMs = clock.monotonic() - t0
      h.consecutiveFailures += 1
      const msg = err instanceof Error ? err.message : String(err)
      transition(h, 'failed', msg)
      return { part: null, failure: unavailable('failed', `collector ${c.id}: ${msg}`) }
    }
  }

  async function doTick(): Promise<Snapshot> {
    const nowMono = clock.monotonic()
    const due: TierDue = {
      slow: nowMono - lastSlowAt >= slowEvery - intervalMs / 2,
      rare: nowMono - lastRareAt >= rareEvery - intervalMs / 2
    }
    if (due.slow) lastSlowAt = nowMono
    if (due.rare) lastRareAt = nowMono
    // Every collector starts now with the same deadline: one timer and one abort signal serve them all; at the
    // deadline the signal aborts whatever is still running (only those collectors are marked timed out).
    const ac = new AbortController()
    let handle: unknown
    const deadline = new Promise<typeof TIMEOUT>((resolve) => {
      handle = clock.setTimeout(() => {
        ac.abort()
        resolve(TIMEOUT)
      }, timeoutMs)
    })
    const results = await Promise.all(
      options.collectors.map(async (c) => ({
        c,
        ...(await runCollector(c, due, ac.signal, deadline))
      }))
    )
    clock.clearTimeout(handle)
    const why = options.absentReasons ?? {}
    const snap: Snapshot = {
      schemaVersion: SNAPSHOT_SCHEMA_VERSION,
      seq: seq++,
      timestampMs: clock.now(),
      cpu: why.cpu ?? unavailable('unsupported', 'no CPU collector on this platform'),
      memory: why.memory ?? unavailable('unsupported', 'no memory collector on this platform'),
      gpus: [],
      storage: why.storage ?? unavailable('unsupported', 'no storage collector on this platform'),
      thermal: why.thermal ?? unavailable('unsupported', 'no thermal collector on this platform'),
      power: why.power ?? unavailable('unsupported', 'no power-supply collector on this platform'),
      health: []
    }
    for (const { c, part, failure } of results) {
      if (part) mergePart(snap, part)
      else if (failure) {
        const last = lastParts.get(c.id)
        if (last) mergeFailure(snap, last, failure)
      }
    }
    snap.health = [...healthById.values()].map((h) => ({ ...h }))
    fine.push(snap)
    if (snap.timestampMs - lastCoarseAt >= coarseEvery) {
      coarse.push(snap)
      lastCoarseAt = snap.timestampMs
    }
    for (const l of listeners) {
      try {
        l(snap)
      } catch (err) {
        log.log('error', `snapshot subscriber threw: ${String(err)}`)
      }
    }
    return snap
  }

  const tick = (): Promise<Snapshot> => {
    if (running) return running
    running = doTick().finally(() => {
      running = null
    })
    return running
  }

  const schedule = (): void => {
    if (!active) return
    const now = clock.monotonic()
    // Fixed cadence; skip ticks missed during an overrun instead of bursting to catch up.
    while (nextDue <= now) nextDue += intervalMs
    timer = clock.setTimeout(() => {
      void tick().finally(schedule)
    }, nextDue - now)
  }

  return {
    start() {
      if (active) return
      active = true
      nextDue = clock.monotonic()
      void tick().finally(schedule)
    },
    async stop() {
      active = false
      if (timer !== null) clock.clearTimeout(timer)
      timer = null
      if (running) await running.catch(() => {})
      await Promise.all(options.collectors.map((c) => c.close().catch(() => {})))
    },
    tick,
    latest: () => fine.last() ?? null,
    history(sinceMs) {
      const fineItems = fine.since(sinceMs, (s) => s.timestampMs)
      const oldestFine = fine.toArray()[0]?.timestampMs ?? Infinity
      if (sinceMs >= oldestFine) return fineItems
      const older = coarse
        .since(sinceMs, (s) => s.timestampMs)
        .filter((s) => s.timestampMs < oldestFine)
      return older.concat(fineItems)
    },
    health: () => [...healthById.values()].map((h) => ({ ...h })),
    setIntervalMs(next) {
      if (!Number.isFinite(next) || next <= 0 || next === intervalMs) return
      intervalMs = next
      timeoutMs = timeoutFor(next)
      // Re-plan the pending tick on the new cadence; a tick in flight finishes and schedules the next.
      if (active && timer !== null && running === null) {
        clock.clearTimeout(timer)
        timer = null
        nextDue = clock.monotonic() + next
        schedule()
      } else nextDue = clock.monotonic() + next
    },
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    }
  }
}

/** Merges one collector's contribution into a snapshot (arrays concatenate, objects replace). */
export function mergePart(snap: Snapshot, part: SnapshotPart): void {
  if (part.cpu) snap.cpu = ok(part.cpu)
  if (part.memory) snap.memory = ok(part.memory)
  if (part.storage) snap.storage = ok(part.storage)
  if (part.thermal) snap.thermal = ok(part.thermal)
  if (part.power) snap.power = ok(part.power)
  if (part.gpus)
    snap.gpus = snap.gpus
      .concat(part.gpus)
      .sort((a, b) => a.vendor.localeCompare(b.vendor) || a.index - b.index)
}

function mergeFailure(snap: Snapshot, last: SnapshotPart, failure: ReadingUnavailable): void {
  // A section the collector used to provide is unavailable for this tick, with the collector's failure.
  if (last.cpu) snap.cpu = failure
  if (last.memory) snap.memory = failure
  if (last.storage) snap.storage = failure
  if (last.thermal) snap.thermal = failure
  if (last.power) snap.power = failure
  // Keep GPUs visible (their identity is known) with every reading marked unavailable for this tick.
  if (last.gpus) snap.gpus = snap.gpus.concat(last.gpus.map((g) => markGpuUnavailable(g, failure)))
}
