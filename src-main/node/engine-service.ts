/**
 * The engine as a service for `rigready serve` and the desktop app's engine host: every invoke channel of
 * the shared contract, event streams, and Prometheus metrics, over one engine (live, fixture or replay).
 *
 * Nothing here writes to disk or runs anything on request: settings and added profiles live in memory
 * (the desktop host persists settings itself).
 */
import { formatReportMarkdown } from '../core/report-format'
import { loadCatalogue, mergeProfiles, parseProfilesFile, validateProfile } from '../core/profiles'
import { createThrottleTracker } from '../core/throttle'
import {
  DEFAULT_SETTINGS,
  type EventChannel,
  type EventChannels,
  type Settings
} from '../shared/ipc-contract'
import type { ReadinessReport, WorkloadProfile } from '../shared/readiness'
import type { Snapshot } from '../shared/telemetry'
import { createEngine, type Engine, type EngineOptions } from './engine'
import { formatPrometheus } from './metrics/prometheus'
import { createProbeService, type ProbeServiceOptions } from './probe/service'
import { composeReport, machineFor, whatIf } from './readiness-runner'
import { ArgumentError, type EngineService, type InvokeHandlers } from './service-types'

/** Options for the service. */
export interface EngineServiceOptions extends EngineOptions {
  /** JSON text of user profiles to add to the catalogue. */
  userProfilesText?: string
  /** Recompute the report at most this often (ms). */
  reportEveryMs?: number
  /** Face reported to the UI. */
  face?: 'electron' | 'serve'
  version?: string
  canPrintPdf?: boolean
  /** An already-built engine (tests). */
  engine?: Engine
  /** Snapshots used for readiness/throttle analysis (the most recent N). */
  analysisWindow?: number
  /** Enables `probe:start` (the desktop app; `serve` only when asked): load runs on request. */
  probe?: ProbeServiceOptions
}

/** Creates and starts the service. */
export async function createEngineService(
  options: EngineServiceOptions = {}
): Promise<EngineService> {
  const engine = options.engine ?? (await createEngine(options))
  let profiles: WorkloadProfile[] = loadCatalogue()
  if (options.userProfilesText !== undefined) {
    const r = parseProfilesFile(options.userProfilesText)
    if (!r.ok) throw new Error(`profiles file is invalid:\n${r.errors.join('\n')}`)
    profiles = mergeProfiles(profiles, r.profiles)
  }
  let settings: Settings = { ...DEFAULT_SETTINGS, sampleIntervalMs: engine.intervalMs }
  const listeners: { [K in EventChannel]: Set<(...a: Parameters<EventChannels[K]>) => void> } = {
    'telemetry:did-sample': new Set(),
    'readiness:did-update': new Set(),
    'probe:did-progress': new Set()
  }
  const window = options.analysisWindow ?? 600
  const tracker = createThrottleTracker()
  const reportEvery = options.reportEveryMs ?? 10_000
  let report: ReadinessReport | null = null
  // Staleness is measured in snapshot time, not wall time, so an accelerated replay refreshes its report as
  // often (per recorded second) as a live engine does.
  let reportAt = -Infinity
  const latestTs = (): number => engine.source.latest()?.timestampMs ?? Date.now()

  const recent = (): Snapshot[] => {
    const all = engine.source.history(0)
    return all.slice(Math.max(0, all.length - window))
  }
  const computeReport = (): ReadinessReport => {
    const r = composeReport({
      inventory: engine.inventory,
      snapshots: recent(),
      profiles,
      selectedIds: settings.selectedProfileIds.length ? settings.selectedProfileIds : undefined,
      nowMs: latestTs()
    })
    // The live tracker has seen every snapshot since start (not just the analysis window): use its events.
    r.throttling.events = tracker.events()
    report = r
    reportAt = latestTs()
    return r
  }
  const getReport = (): ReadinessReport =>
    report && latestTs() - reportAt < reportEvery ? report : computeReport()

  const unsub = engine.source.subscribe((s) => {
    tracker.push(s, engine.inventory)
    for (const l of listeners['telemetry:did-sample']) l(s)
    if (s.timestampMs - reportAt >= reportEvery && listeners['readiness:did-update'].size > 0) {
      const r = computeReport()
      for (const l of listeners['readiness:did-update']) l(r)
    }
  })
  engine.source.start()
  const probe = options.probe
    ? createProbeService(engine, options.probe, (p) => {
        for (const l of listeners['probe:did-progress']) l(p)
      })
    : null

  const handlers: InvokeHandlers = {
    'app:get-info': async () => ({
      face: options.face ?? 'serve',
      version: options.version ?? '0.1.0',
      replay: engine.mode === 'replay',
      canPrintPdf: options.canPrintPdf ?? false
    }),
    'telemetry:get-inventory': async () => engine.inventory,
    'telemetry:get-snapshot': async () => engine.source.latest(),
    'telemetry:get-history': async (req) => {
      const items = engine.source.history(latestTs() - req.windowMs)
      return downsampleEvenly(items, req.maxPoints)
    },
    'readiness:get-report': async () => getReport(),
    'readiness:list-profiles': async () => profiles,
    'readiness:what-if': async (req) => {
      if (!profiles.some((p) => p.id === req.profileId))
        throw new ArgumentError(`readiness:what-if: unknown profileId "${req.profileId}"`)
      return whatIf(machineFor(engine.inventory, recent()), profiles, req)
    },
    'readiness:add-profile': async (raw) => {
      const v = validateProfile(raw)
      if (!v.ok) throw new ArgumentError(`profile is invalid: ${v.errors.join('; ')}`)
      profiles = mergeProfiles(profiles, [v.profile])
      report = null
      return v.profile
    },
    'settings:get': async () => settings,
    'settings:set': async (patch) => {
      settings = { ...settings, ...patch }
      report = null
      return settings
    },
    'report:export': async (format) => {
      const r = getReport()
      return format === 'json' ? JSON.stringify(r, null, 2) : formatReportMarkdown(r)
    },
    'report:print-pdf': async () => {
      throw new Error('printing to PDF is only available in the desktop app')
    },
    'probe:start': async (req) => {
      if (probe === null)
        throw new Error(
          'the load probe is not enabled here (use the desktop app or `rigready probe`)'
        )
      return probe.start(req)
    },
    'probe:cancel': async () => (probe === null ? { cancelled: false } : probe.cancel())
  }

  return {
    handlers,
    on(channel, listener) {
      const set = listeners[channel] as Set<typeof listener>
      set.add(listener)
      return () => set.delete(listener)
    },
    metrics: () => formatPrometheus(engine.inventory, engine.source.latest()),
    async close() {
      await probe?.close()
      unsub()
      await engine.close()
    }
  }
}

/** Picks at most `maxPoints` items spread evenly, always keeping the newest. */
export function downsampleEvenly<T>(items: T[], maxPoints: number): T[] {
  if (items.length <= maxPoints || maxPoints <= 0) return items
  const out: T[] = []
  const step = items.length / maxPoints
  for (let i = 0; i < maxPoints; i++) out.push(items[Math.floor(i * step)])
  out[out.length - 1] = items[items.length - 1]
  return out
}
