/**
 * The engine as a service for `rigready serve` and the desktop app's engine host: every invoke channel of
 * the shared contract, event streams, and Prometheus metrics, over one engine (live, fixture or replay).
 *
 * Nothing here writes to disk or runs anything on request: settings and added profiles live in memory
 * (the desktop host persists settings itself).
 */
import { loadCatalogue, mergeProfiles, parseProfilesFile, validateProfile } from '../core/profiles'
import {
  composeReportFromAnalysis,
  composeReportFromAnalysisSteps,
  machineForAnalysis,
  whatIf
} from '../core/readiness/report'
import type { Steps } from '../core/steps'
import { formatReportMarkdown } from '../core/readiness/report-format'
import { createThrottleTracker, type ThrottleAnalysis } from '../core/throttle'
import {
  DEFAULT_SETTINGS,
  type EventChannel,
  type EventChannels,
  type Settings
} from '../shared/ipc-contract'
import type { MachineModel, ReadinessReport, WorkloadProfile } from '../shared/readiness'
import { applyMeasuredProbe } from '../core/measured'
import { createEngine, type Engine, type EngineOptions } from './engine'
import type { PriceTable } from '../core/prices'
import { applyUserPrices, packagedPriceTable, PricesFileError } from './prices/load-prices'
import { listModels } from './models/list'
import { createFleetService, type FleetService } from './metrics/fleet-client'
import { createSeriesStore } from './metrics/series-store'
import type { AlertConfig } from '../shared/alerts'
import { createAlertMonitor } from './alerts/monitor'
import { defaultSessionsDir } from './recorder/paths'
import { createSessionsHandlers } from './server/sessions-api'
import { createProbeService, type ProbeServiceOptions } from './probe/service'
import { loadLatestProbe, machineKeyFor, measuredFromResult, readMachineId } from './probe/store'
import type { MeasuredProbe } from '../shared/probe'
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
  /** Window of the readiness report's throttle analysis, summaries and events (s). Default 600. */
  analysisWindowSeconds?: number
  /** The fleet view's Prometheus client (the desktop host passes one holding decrypted credentials). */
  fleet?: FleetService
  /** Folder the Sessions view lists (default: the platform's sessions folder). */
  sessionsDir?: string
  /** Alert rules (default thresholds when absent); `false` turns alerts off. */
  alerts?: AlertConfig | false
  /** POST every alert to this URL. */
  alertWebhook?: URL
  /** The price table for the advice (a `--prices` file already merged); the packaged table by default. */
  prices?: PriceTable
  /** Enables `probe:start` (the desktop app; `serve` only when asked): load runs on request. */
  probe?: ProbeServiceOptions
  /** `false`: ignore stored load-probe results (by default a live engine applies this machine's latest). */
  measuredProbes?: boolean
}

/** Most profiles a user may add at run time (`readiness:add-profile`); replacing one by id is always allowed. */
export const MAX_USER_PROFILES = 64
/** Most full snapshots one `telemetry:get-history` answer holds (charts use `telemetry:get-series`). */
export const MAX_HISTORY_SNAPSHOTS = 600

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
  const basePrices = options.prices ?? packagedPriceTable()
  // The Settings prices merged over the base table; replaced only by a valid text.
  let prices: PriceTable = basePrices
  const analysisWindowS = options.analysisWindowSeconds ?? 600
  const listeners: { [K in EventChannel]: Set<(...a: Parameters<EventChannels[K]>) => void> } = {
    'telemetry:did-sample': new Set(),
    'readiness:did-update': new Set(),
    'alerts:did-change': new Set(),
    'probe:did-progress': new Set()
  }
  const alerts =
    options.alerts === false
      ? null
      : createAlertMonitor({
          inventory: engine.inventory,
          config: options.alerts,
          webhookUrl: options.alertWebhook,
          onAlert: (a) => {
            for (const l of listeners['alerts:did-change']) l(a)
          }
        })
  // One tracker, fed every snapshot, gives the report its summaries, events and sustained evidence over one
  // window: no batch pass, and no mixing of windows.
  const tracker = createThrottleTracker({ windowSeconds: analysisWindowS })
  let pushed = 0
  const feed = (s: Parameters<typeof tracker.push>[0]): void => {
    tracker.push(s, engine.inventory)
    pushed++
  }
  // Snapshots taken before the service subscribed (an engine passed in already running).
  for (const s of engine.source.history(0)) feed(s)
  const reportEvery = options.reportEveryMs ?? 10_000
  let report: ReadinessReport | null = null
  // Staleness is measured in snapshot time, not wall time, so an accelerated replay refreshes its report as
  // often (per recorded second) as a live engine does.
  let reportAt = -Infinity
  const latestTs = (): number => engine.source.latest()?.timestampMs ?? Date.now()

  // A throttle analysis needs an interval, so at least two snapshots.
  const analysis = (): ThrottleAnalysis | null =>
    pushed >= 2 ? tracker.analysis(latestTs()) : null
  // Bumped when the report's inputs change other than by time (profiles, settings, a probe): a refresh
  // begun before then is not kept.
  let inputsVersion = 0
  const invalidate = (): void => {
    report = null
    inputsVersion++
  }
  const reportInputs = (): Parameters<typeof composeReportFromAnalysis>[0] => ({
    inventory: engine.inventory,
    latest: engine.source.latest(),
    throttle: analysis(),
    profiles,
    selectedIds: settings.selectedProfileIds.length ? settings.selectedProfileIds : undefined,
    nowMs: latestTs(),
    advice: { prices, budget: settings.adviceBudget, psuWatts: settings.psuWatts },
    measured,
    // The report's window of snapshots, for the memory pressure behind the swap advice.
    window: engine.source.history(latestTs() - analysisWindowS * 1000)
  })
  const computeReport = (): ReadinessReport => {
    const r = composeReportFromAnalysis(reportInputs())
    report = r
    reportAt = latestTs()
    return r
  }
  // A time-driven refresh runs in slices of a few milliseconds (one advice candidate each), so scrapes and
  // streams are answered while it runs; one at a time, announced to did-update listeners when kept.
  let refreshing: Promise<ReadinessReport> | null = null
  const refreshReport = (): Promise<ReadinessReport> => {
    refreshing ??= (async () => {
      const version = inputsVersion
      const at = latestTs()
      const r = await runInSlices(composeReportFromAnalysisSteps(reportInputs()))
      if (version === inputsVersion) {
        report = r
        reportAt = at
        for (const l of listeners['readiness:did-update']) l(r)
      }
      return r
    })().finally(() => {
      refreshing = null
    })
    return refreshing
  }
  // This machine's latest stored load probe replaces defaults with measured values (live engines only: a
  // replay or a captured tree is another machine). Loaded once at start, and again after each probe.
  let measured: MeasuredProbe | null = null
  const useProbe = (m: MeasuredProbe | null): void => {
    measured = m
    invalidate()
  }
  if (engine.mode === 'live' && options.measuredProbes !== false)
    void readMachineId()
      .then((id) => loadLatestProbe(machineKeyFor(engine.inventory, id), { env: options.env }))
      .then((latest) => {
        if (latest && measured === null) useProbe(latest.measured)
      })
      .catch(() => {})
  const fresh = (): boolean => report !== null && latestTs() - reportAt < reportEvery
  /** A current report: kept while fresh, refreshed (in slices) when old, computed at once when invalidated. */
  const getReport = async (): Promise<ReadinessReport> => {
    if (report !== null && fresh()) return report
    if (report !== null) await refreshReport()
    return report !== null ? report : computeReport()
  }
  /** The latest report without waiting for a refresh (one is started when it is old). */
  const latestReport = async (): Promise<ReadinessReport> => {
    if (report === null) return computeReport()
    if (!fresh()) void refreshReport().catch(() => {})
    return report
  }

  const series = createSeriesStore()
  for (const s of engine.source.history(0)) series.push(s)
  const fleet = options.fleet ?? createFleetService()
  const addedProfileIds = new Set<string>()

  const unsub = engine.source.subscribe((s) => {
    feed(s)
    series.push(s)
    alerts?.push(s)
    for (const l of listeners['telemetry:did-sample']) l(s)
    if (s.timestampMs - reportAt >= reportEvery && listeners['readiness:did-update'].size > 0)
      void refreshReport().catch(() => {})
  })
  engine.source.start()
  const probe = options.probe
    ? createProbeService(
        engine,
        {
          ...options.probe,
          onResult: (r) => {
            useProbe(measuredFromResult(r, 'the probe just run'))
            options.probe?.onResult?.(r)
          }
        },
        (p) => {
          for (const l of listeners['probe:did-progress']) l(p)
        }
      )
    : null

  // The machine the report evaluates: with this machine's measured probe values when there are any, so a
  // what-if or a model verdict never disagrees with the report beside it.
  const currentMachine = (): MachineModel => {
    const m = machineForAnalysis(engine.inventory, engine.source.latest(), analysis())
    return measured ? applyMeasuredProbe(m, measured).machine : m
  }

  const handlers: InvokeHandlers = {
    'app:get-info': async () => ({
      face: options.face ?? 'serve',
      version: options.version ?? '0.1.0',
      replay: engine.mode === 'replay',
      canPrintPdf: options.canPrintPdf ?? false,
      probeUnavailable:
        probe !== null
          ? null
          : engine.mode === 'replay'
            ? 'this agent replays a recording, and a probe loads the machine it runs on'
            : 'probing is off in this agent: run `rigready probe` on the machine, or use the desktop app'
    }),
    'telemetry:get-inventory': async () => engine.inventory,
    'telemetry:get-snapshot': async () => engine.source.latest(),
    'telemetry:get-history': async (req) => {
      const items = engine.source.history(latestTs() - req.windowMs)
      return downsampleEvenly(items, Math.min(req.maxPoints, MAX_HISTORY_SNAPSHOTS))
    },
    'telemetry:get-series': async (req) => series.query(req),
    'readiness:get-report': async () => getReport(),
    'readiness:list-profiles': async () => profiles,
    'readiness:list-models': async () => listModels(options.env ?? process.env, currentMachine()),
    'readiness:what-if': async (req) => {
      if (!profiles.some((p) => p.id === req.profileId))
        throw new ArgumentError(`readiness:what-if: unknown profileId "${req.profileId}"`)
      return whatIf(currentMachine(), profiles, req)
    },
    'readiness:add-profile': async (raw) => {
      const v = validateProfile(raw)
      if (!v.ok) throw new ArgumentError(`profile is invalid: ${v.errors.join('; ')}`)
      if (!addedProfileIds.has(v.profile.id) && addedProfileIds.size >= MAX_USER_PROFILES)
        throw new ArgumentError(
          `readiness:add-profile: at most ${MAX_USER_PROFILES} custom profiles can be added; restart the agent or use --profiles-file for more`
        )
      addedProfileIds.add(v.profile.id)
      profiles = mergeProfiles(profiles, [v.profile])
      invalidate()
      return v.profile
    },
    'settings:get': async () => settings,
    'settings:set': async (patch) => {
      if (patch.pricesJson !== undefined && patch.pricesJson !== settings.pricesJson) {
        try {
          prices =
            patch.pricesJson.trim() === ''
              ? basePrices
              : applyUserPrices(basePrices, patch.pricesJson, 'Settings prices')
        } catch (err) {
          if (err instanceof PricesFileError)
            throw new ArgumentError(`settings:set: ${err.message}`)
          throw err
        }
      }
      // The interval drives the live sampler; a replay keeps the recording's cadence.
      const next = { ...patch }
      if (next.sampleIntervalMs !== undefined) {
        if (engine.source.setIntervalMs) {
          engine.source.setIntervalMs(next.sampleIntervalMs)
          engine.intervalMs = next.sampleIntervalMs
        } else delete next.sampleIntervalMs
      }
      settings = { ...settings, ...next }
      invalidate()
      return settings
    },
    'report:export': async (format) => {
      const r = await getReport()
      return format === 'json' ? JSON.stringify(r, null, 2) : formatReportMarkdown(r)
    },
    'report:print-pdf': async () => {
      throw new Error('printing to PDF is only available in the desktop app')
    },
    'fleet:get-config': async () => fleet.getConfig(),
    'fleet:set-config': async (config) => fleet.setConfig(config),
    'fleet:list': async () => fleet.list(),
    ...createSessionsHandlers({ dir: options.sessionsDir ?? defaultSessionsDir(options.env) }),
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
    latestReport,
    on(channel, listener) {
      const set = listeners[channel] as Set<typeof listener>
      set.add(listener)
      return () => set.delete(listener)
    },
    async close() {
      await probe?.close()
      unsub()
      await engine.close()
      await alerts?.close()
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

/** Runs steps in slices of about `sliceMs` of CPU, yielding to the event loop between slices. */
async function runInSlices<T>(steps: Steps<T>, sliceMs = 4): Promise<T> {
  let start = performance.now()
  for (;;) {
    const r = steps.next()
    if (r.done) return r.value
    if (performance.now() - start >= sliceMs) {
      await new Promise<void>((resolve) => setImmediate(resolve))
      start = performance.now()
    }
  }
}
