/**
 * The typed contract between the UI and the engine, used by both transports: Electron IPC (preload
 * `window.api`) and HTTP + Server-Sent Events (`rigready serve`).
 *
 * HTTP mapping: `POST /api/invoke/<channel>` with body `{ "args": [...] }` answers `{ "ok": true, "value" }`
 * or `{ "ok": false, "error" }`; event channels stream on `GET /api/events` as SSE events named after the
 * channel. Read-only GET aliases exist for scripts: `/api/inventory`, `/api/snapshot`, `/api/history`,
 * `/api/report`. Payloads are plain JSON (timestamps in epoch ms).
 */
import type { ProbeProgress, ProbeRequest } from './probe'
import type { ProfileEvaluation, ReadinessReport, WorkloadProfile } from './readiness'
import type { Inventory, Snapshot } from './telemetry'

/** UI settings (persisted by the host). */
export interface Settings {
  sampleIntervalMs: number
  temperatureUnit: 'celsius' | 'fahrenheit'
  theme: 'light' | 'dark' | 'system'
  /** Profiles that count towards the machine scores; empty = all. */
  selectedProfileIds: string[]
}

/** Defaults for Settings. */
export const DEFAULT_SETTINGS: Settings = {
  sampleIntervalMs: 1000,
  temperatureUnit: 'celsius',
  theme: 'system',
  selectedProfileIds: []
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
}

/** Request/response channels. */
export interface InvokeChannels {
  'app:get-info': () => Promise<HostInfoForUi>
  'telemetry:get-inventory': () => Promise<Inventory>
  'telemetry:get-snapshot': () => Promise<Snapshot | null>
  'telemetry:get-history': (req: HistoryRequest) => Promise<Snapshot[]>
  'readiness:get-report': () => Promise<ReadinessReport>
  'readiness:list-profiles': () => Promise<WorkloadProfile[]>
  'readiness:what-if': (req: WhatIfRequest) => Promise<ProfileEvaluation>
  'readiness:add-profile': (profile: unknown) => Promise<WorkloadProfile>
  'settings:get': () => Promise<Settings>
  'settings:set': (patch: Partial<Settings>) => Promise<Settings>
  'report:export': (format: 'markdown' | 'json') => Promise<string>
  'report:print-pdf': () => Promise<{ saved: boolean; path: string | null }>
  /** Starts a load probe (progress on `probe:did-progress`); rejects while one runs or where probing is off. */
  'probe:start': (req: ProbeRequest) => Promise<{ started: true; totalSeconds: number }>
  /** Stops the running probe at once; `cancelled: false` when none was running. */
  'probe:cancel': () => Promise<{ cancelled: boolean }>
}

/** Push channels (main → renderer). */
export interface EventChannels {
  'telemetry:did-sample': (snapshot: Snapshot) => void
  'readiness:did-update': (report: ReadinessReport) => void
  'probe:did-progress': (progress: ProbeProgress) => void
}

/** Runtime allowlists (the preload and the HTTP server check channel names against these). */
export const INVOKE_CHANNELS = [
  'app:get-info',
  'telemetry:get-inventory',
  'telemetry:get-snapshot',
  'telemetry:get-history',
  'readiness:get-report',
  'readiness:list-profiles',
  'readiness:what-if',
  'readiness:add-profile',
  'settings:get',
  'settings:set',
  'report:export',
  'report:print-pdf',
  'probe:start',
  'probe:cancel'
] as const satisfies readonly (keyof InvokeChannels)[]

/** Runtime allowlist of event channels. */
export const EVENT_CHANNELS = [
  'telemetry:did-sample',
  'readiness:did-update',
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
