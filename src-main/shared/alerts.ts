/**
 * Alerts raised while a job runs: rule names, their configuration and the transitions the engine emits.
 *
 * Plain JSON so alerts cross IPC, SSE, webhooks and session files unchanged. The rules themselves live in
 * `src-main/core/alerts/`; delivery (terminal lines, webhook, desktop notifications) in `src-main/node/alerts/`.
 */

/** Alert rule ids. */
export type AlertRuleId =
  | 'near-slowdown'
  | 'throttled'
  | 'nvme-hot'
  | 'vram-full'
  | 'ram-full'
  | 'swap-storm'
  | 'disk-full'
  | 'gpu-gone'
  | 'command-failed'

/** Every rule id, in display order. */
export const ALERT_RULE_IDS: readonly AlertRuleId[] = [
  'near-slowdown',
  'throttled',
  'nvme-hot',
  'vram-full',
  'ram-full',
  'swap-storm',
  'disk-full',
  'gpu-gone',
  'command-failed'
]

/** How bad an alert is; one colour per severity in every face. */
export type AlertSeverity = 'warning' | 'critical'

/** Unit of an alert's value and threshold. */
export type AlertUnit = 'celsius' | 'pct' | 'bytes-per-sec' | 'bytes' | 'exit-code' | 'none'

/** One alert transition: a rule raised or cleared for one device. */
export interface AlertTransition {
  kind: 'raise' | 'clear'
  rule: AlertRuleId
  severity: AlertSeverity
  /** Device key (`gpu0`, `cpu`, `memory`, `nvme0n1`, `fs:/data`, `command`). */
  device: string
  /** Device in words (`GPU0 NVIDIA GeForce RTX 4090`). */
  deviceLabel: string
  /** The observed value that triggered (or cleared) the rule, in `unit`. */
  value: number
  /** The threshold the value was compared with, in `unit`. */
  threshold: number
  unit: AlertUnit
  /** Snapshot time of the transition (epoch ms). */
  atMs: number
  /** One line in plain words ("GPU0 is 3 °C from its slowdown temperature (86 of 89 °C)"). */
  message: string
}

/** Per-rule user configuration; every field optional (defaults in `DEFAULT_ALERT_CONFIG`). */
export interface AlertRuleConfig {
  enabled: boolean
  /** Seconds the condition must hold before the alert is raised. */
  forSeconds: number
  /** Seconds the condition must stay clear before the alert clears. */
  clearSeconds: number
  /** After a clear, the same rule on the same device is not raised again for this long (s). */
  cooldownSeconds: number
}

/** Alert configuration: each rule's timing plus its thresholds. */
export interface AlertConfig {
  nearSlowdown: AlertRuleConfig & {
    /** Raise within this many °C of the device's own slowdown temperature. */
    marginCelsius: number
    /** Clear once the headroom is this many °C more than `marginCelsius`. */
    hysteresisCelsius: number
  }
  throttled: AlertRuleConfig & {
    /** Raise when one cause throttles more than this share of the window (%). */
    abovePct: number
    /** Clear when the share falls below this (%). */
    clearBelowPct: number
    windowSeconds: number
  }
  nvmeHot: AlertRuleConfig & {
    /** Raise at the drive's own warning temperature plus this (°C; negative warns earlier). */
    offsetCelsius: number
    hysteresisCelsius: number
  }
  vramFull: AlertRuleConfig & { abovePct: number; clearBelowPct: number }
  ramFull: AlertRuleConfig & { abovePct: number; clearBelowPct: number }
  swapStorm: AlertRuleConfig & {
    /** Swap-in plus swap-out rate that counts as a storm (bytes/s). */
    aboveBytesPerSec: number
    clearBelowBytesPerSec: number
  }
  diskFull: AlertRuleConfig & {
    /** Raise when free space at the data path falls below this share (%)… */
    freeBelowPct: number
    /** …or below this many bytes. */
    freeBelowBytes: number
    clearAbovePct: number
    /** Folder whose filesystem is watched (the session folder when recording). */
    dataPath: string | null
  }
  gpuGone: AlertRuleConfig
  commandFailed: { enabled: boolean }
}

const GIB = 1024 ** 3

/** Defaults: warn early enough to act, never on a single sample. */
export const DEFAULT_ALERT_CONFIG: AlertConfig = {
  nearSlowdown: {
    enabled: true,
    forSeconds: 10,
    clearSeconds: 30,
    cooldownSeconds: 300,
    marginCelsius: 5,
    hysteresisCelsius: 3
  },
  throttled: {
    enabled: true,
    forSeconds: 0,
    clearSeconds: 60,
    cooldownSeconds: 600,
    abovePct: 20,
    clearBelowPct: 10,
    windowSeconds: 300
  },
  nvmeHot: {
    enabled: true,
    forSeconds: 10,
    clearSeconds: 60,
    cooldownSeconds: 300,
    offsetCelsius: 0,
    hysteresisCelsius: 3
  },
  vramFull: {
    enabled: true,
    forSeconds: 10,
    clearSeconds: 30,
    cooldownSeconds: 300,
    abovePct: 97,
    clearBelowPct: 92
  },
  ramFull: {
    enabled: true,
    forSeconds: 10,
    clearSeconds: 30,
    cooldownSeconds: 300,
    abovePct: 95,
    clearBelowPct: 90
  },
  swapStorm: {
    enabled: true,
    forSeconds: 10,
    clearSeconds: 30,
    cooldownSeconds: 300,
    aboveBytesPerSec: 50e6,
    clearBelowBytesPerSec: 10e6
  },
  diskFull: {
    enabled: true,
    forSeconds: 0,
    clearSeconds: 60,
    cooldownSeconds: 900,
    freeBelowPct: 5,
    freeBelowBytes: 5 * GIB,
    clearAbovePct: 7,
    dataPath: null
  },
  gpuGone: { enabled: true, forSeconds: 5, clearSeconds: 10, cooldownSeconds: 60 },
  commandFailed: { enabled: true }
}

/** A user alert configuration: any rule's fields, each optional. */
export type AlertConfigInput = { [K in keyof AlertConfig]?: Partial<AlertConfig[K]> }

/** Merges a (validated) user configuration over the defaults. */
export function resolveAlertConfig(input: AlertConfigInput | undefined): AlertConfig {
  const d = DEFAULT_ALERT_CONFIG
  const i = input ?? {}
  return {
    nearSlowdown: { ...d.nearSlowdown, ...i.nearSlowdown },
    throttled: { ...d.throttled, ...i.throttled },
    nvmeHot: { ...d.nvmeHot, ...i.nvmeHot },
    vramFull: { ...d.vramFull, ...i.vramFull },
    ramFull: { ...d.ramFull, ...i.ramFull },
    swapStorm: { ...d.swapStorm, ...i.swapStorm },
    diskFull: { ...d.diskFull, ...i.diskFull },
    gpuGone: { ...d.gpuGone, ...i.gpuGone },
    commandFailed: { ...d.commandFailed, ...i.commandFailed }
  }
}

/** Words for each rule (UI legends, report headings). */
export const ALERT_RULE_TEXT: Readonly<Record<AlertRuleId, string>> = {
  'near-slowdown': 'near its slowdown temperature',
  throttled: 'throttled',
  'nvme-hot': 'drive above its warning temperature',
  'vram-full': 'GPU memory nearly full',
  'ram-full': 'RAM nearly full',
  'swap-storm': 'swap storm',
  'disk-full': 'disk nearly full',
  'gpu-gone': 'GPU gone or its tool dead',
  'command-failed': 'command failed'
}
