/**
 * The typed contract between the UI and the engine, used by both transports: Electron IPC (preload
 * `window.api`) and HTTP + Server-Sent Events (`rigready serve`).
 *
 * HTTP mapping: `POST /api/invoke/<channel>` with body `{ "args": [...] }` answers `{ "ok": true, "value" }`
 * or `{ "ok": false, "error" }`; event channels stream on `GET /api/events` as SSE events named after the
 * channel. Read-only GET aliases exist for scripts: `/api/inventory`, `/api/snapshot`, `/api/history`,
 * `/api/report`, `/api/series`, `/api/fleet`. Payloads are plain JSON (timestamps in epoch ms).
 */
import type { ModelsOutput } from './cli-output'
import type { FleetConfig, FleetConfigView, FleetOverview } from './fleet'
import type { SeriesRequest, SeriesResponse } from './history'
import type { AlertTransition } from './alerts'
import type { ProbeProgress, ProbeRequest } from './probe'
import type { ProfileEvaluation, ReadinessReport, WorkloadProfile } from './readiness'
import type {
  SessionListEntry,
  SessionOverview,
  SessionRange,
  SessionRangeRequest
} from './session-format'
import type { Inventory, Snapshot } from './telemetry'

/** UI settings (persisted by the host). */
export interface Settings {
  sampleIntervalMs: number
  temperatureUnit: 'celsius' | 'fahrenheit'
  theme: 'light' | 'dark' | 'system'
  /** Profiles that count towards the machine scores; empty = all. */
  selectedProfileIds: string[]
  /** Advice budget in the price table's currency: purchases above it are not proposed; null = none. */
  adviceBudget: number | null
  /** The PSU's rating (W) for the advice's power checks; null = not given. */
  psuWatts: number | null
  /**
   * The user's own prices: JSON text in the shape of resources/prices.json (rows that replace or add to
   * the packaged table); '' = none. Rejected with a one-line error naming the row and field when invalid.
   */
  pricesJson: string
}

/** Defaults for Settings. */
export const DEFAULT_SETTINGS: Settings = {
  sampleIntervalMs: 1000,
  temperatureUnit: 'celsius',
  theme: 'system',
  selectedProfileIds: [],
  adviceBudget: null,
  psuWatts: null,
  pricesJson: ''
}

/** A what-if request: a catalogue profile with overrides, evaluated on this machine (optionally with N GPUs). */
export interface WhatIfRequest {
  profileId: string
  weightFormat?: string
  ctxTokens?: number
  microBatch?: number
  method?: 'full' | 'lora' | 'qlora' | 'freeze'
  gpuCount?: number
}

/** Most GPUs a what-if may assume (the validator's bound, shown by the UI). */
export const MAX_WHATIF_GPUS = 64

/** History query: a time window, downsampled to at most `maxPoints` snapshots. */
export interface HistoryRequest {
  windowMs: number
  maxPoints: number
}

/** Who the UI is talking to. */
export interface HostInfoForUi {
  face: 'electron' | 'serve'
  version: string
  replay: boolean
  canPrintPdf: boolean
  /** Why the Probe button cannot run a load probe here (a replay, probing off in this agent), or null. */
  probeUnavailable: string | null
}

/** Request/response channels. */
export interface InvokeChannels {
  'app:get-info': () => Promise<HostInfoForUi>
  'telemetry:get-inventory': () => Promise<Inventory>
  'telemetry:get-snapshot': () => Promise<Snapshot | null>
  'telemetry:get-history': (req: HistoryRequest) => Promise<Snapshot[]>
  /** Downsampled history of the requested series (min/max per bucket): see `shared/history.ts`. */
  'telemetry:get-series': (req: SeriesRequest) => Promise<SeriesResponse>
  'readiness:get-report': () => Promise<ReadinessReport>
  'readiness:list-profiles': () => Promise<WorkloadProfile[]>
  /** The models on this machine (HF cache, Ollama, LM Studio, llama.cpp cache), evaluated here ("Your models"). */
  'readiness:list-models': () => Promise<ModelsOutput>
  'readiness:what-if': (req: WhatIfRequest) => Promise<ProfileEvaluation>
  'readiness:add-profile': (profile: unknown) => Promise<WorkloadProfile>
  'settings:get': () => Promise<Settings>
  'settings:set': (patch: Partial<Settings>) => Promise<Settings>
  'report:export': (format: 'markdown' | 'json') => Promise<string>
  'report:print-pdf': () => Promise<{ saved: boolean; path: string | null }>
  /** Fleet view: the Prometheus server to read RigReady instances from (secrets never come back). */
  'fleet:get-config': () => Promise<FleetConfigView>
  'fleet:set-config': (config: FleetConfig) => Promise<FleetConfigView>
  /** Every RigReady instance the configured Prometheus scrapes, from PromQL. */
  'fleet:list': () => Promise<FleetOverview>
  /** Recordings in the sessions folder, newest first (at most 500). */
  'sessions:list': () => Promise<SessionListEntry[]>
  /** One recording: its review, timeline (episodes, alerts, marks) and the whole run downsampled. */
  'sessions:open': (id: string) => Promise<SessionOverview>
  /** A time range of an opened recording, downsampled to min/max/mean buckets (zoom). */
  'sessions:range': (req: SessionRangeRequest) => Promise<SessionRange>
  /** Starts a load probe (progress on `probe:did-progress`); rejects while one runs or where probing is off. */
  'probe:start': (req: ProbeRequest) => Promise<{ started: true; totalSeconds: number }>
  /** Stops the running probe at once; `cancelled: false` when none was running. */
  'probe:cancel': () => Promise<{ cancelled: boolean }>
}

/** Push channels (main → renderer). */
export interface EventChannels {
  'telemetry:did-sample': (snapshot: Snapshot) => void
  'readiness:did-update': (report: ReadinessReport) => void
  /** An alert was raised or cleared (near slowdown, throttled, drive hot, memory or disk full, GPU gone…). */
  'alerts:did-change': (alert: AlertTransition) => void
  'probe:did-progress': (progress: ProbeProgress) => void
}

/** Runtime allowlists (the preload and the HTTP server check channel names against these). */
export const INVOKE_CHANNELS = [
  'app:get-info',
  'telemetry:get-inventory',
  'telemetry:get-snapshot',
  'telemetry:get-history',
  'telemetry:get-series',
  'readiness:get-report',
  'readiness:list-profiles',
  'readiness:list-models',
  'readiness:what-if',
  'readiness:add-profile',
  'settings:get',
  'settings:set',
  'report:export',
  'report:print-pdf',
  'fleet:get-config',
  'fleet:set-config',
  'fleet:list',
  'sessions:list',
  'sessions:open',
  'sessions:range',
  'probe:start',
  'probe:cancel'
] as const satisfies readonly (keyof InvokeChannels)[]

/** Runtime allowlist of event channels. */
export const EVENT_CHANNELS = [
  'telemetry:did-sample',
  'readiness:did-update',
  'alerts:did-change',
  'probe:did-progress'
] as const satisfies readonly (keyof EventChannels)[]

/** Invoke channel name. */
export type InvokeChannel = keyof InvokeChannels
/** Event channel name. */
export type EventChannel = keyof EventChannels

/** The API the preload exposes as `window.api`. */
export interface WindowApi {
  invoke<K extends InvokeChannel>(
    channel: K,
    ...args: Parameters<InvokeChannels[K]>
  ): ReturnType<InvokeChannels[K]>
  on<K extends EventChannel>(
    channel: K,
    listener: (...args: Parameters<EventChannels[K]>) => void
  ): () => void
}
