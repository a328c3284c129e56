/**
 * Runs the alert rules on a live (or replayed) snapshot stream and delivers each transition: a line on the
 * terminal, a record in the session, a webhook POST, and any listener (the UI event channel, desktop
 * notifications). Delivery never blocks sampling: every sink returns at once.
 */
import { hostname } from 'node:os'
import { readFile } from 'node:fs/promises'
import { createAlertEngine, type AlertEngine } from '../../core/alerts'
import { DEFAULT_ALERT_CONFIG, type AlertConfig, type AlertTransition } from '../../shared/alerts'
import { parseAlertConfig } from '../../shared/alert-config-schema'
import type { Inventory, Snapshot } from '../../shared/telemetry'
import { createWebhookSender, parseWebhookUrl, type WebhookSender } from './webhook'

/** Options of the monitor. */
export interface AlertMonitorOptions {
  inventory: Inventory
  config?: AlertConfig
  /** POST every transition here. */
  webhookUrl?: URL
  /** Host name in webhook payloads. */
  host?: string
  /** Called for every transition (terminal line, session record, UI event). */
  onAlert?: (alert: AlertTransition) => void
  /** Diagnostics (webhook failures). */
  warn?: (message: string) => void
  webhook?: { timeoutMs?: number; retries?: number; backoffMs?: number; fetchImpl?: typeof fetch }
}

/** A running monitor. */
export interface AlertMonitor {
  /** Evaluates one snapshot and delivers what changed. */
  push(snapshot: Snapshot): AlertTransition[]
  /** The wrapped command ended. */
  commandEnded(
    exitStatus: number,
    atMs: number,
    argv: readonly string[],
    durationMs: number
  ): AlertTransition[]
  active(): AlertTransition[]
  readonly webhook: WebhookSender | null
  /** Flushes the webhook (bounded) and stops. */
  close(): Promise<void>
}

/** Starts a monitor. */
export function createAlertMonitor(options: AlertMonitorOptions): AlertMonitor {
  const engine: AlertEngine = createAlertEngine(
    options.config ?? DEFAULT_ALERT_CONFIG,
    options.inventory
  )
  const host = options.host ?? options.inventory.host.hostname ?? hostname()
  const webhook = options.webhookUrl
    ? createWebhookSender(options.webhookUrl, { host, warn: options.warn, ...options.webhook })
    : null
  const deliver = (list: AlertTransition[]): AlertTransition[] => {
    for (const a of list) {
      try {
        options.onAlert?.(a)
      } catch (err) {
        options.warn?.(`alert listener failed: ${err instanceof Error ? err.message : String(err)}`)
      }
      webhook?.send(a)
    }
    return list
  }
  return {
    push: (s) => deliver(engine.push(s)),
    commandEnded: (code, atMs, argv, durationMs) =>
      deliver(engine.commandEnded(code, atMs, argv, durationMs)),
    active: () => engine.active(),
    webhook,
    async close() {
      await webhook?.close()
    }
  }
}

/** One terminal line for an alert: `[alert] 20:48:37 GPU0 is 3 °C from its slowdown temperature (86 of 89 °C)`. */
export function alertLine(a: AlertTransition): string {
  const time = new Date(a.atMs).toISOString().slice(11, 19)
  return `[${a.kind === 'raise' ? (a.severity === 'critical' ? 'ALERT' : 'alert') : 'clear'}] ${time}Z ${a.message}\n`
}

/**
 * Alert flags shared by record, watch and serve: `--alert-webhook URL`, `--alert-config FILE`, `--no-alerts`.
 */
export const ALERT_FLAGS = {
  'alert-webhook': { type: 'string' },
  'alert-config': { type: 'string' },
  'no-alerts': { type: 'boolean' }
} as const

/** What the alert flags asked for. */
export interface AlertFlags {
  enabled: boolean
  config: AlertConfig
  webhookUrl?: URL
}

/**
 * Reads the alert flags.
 *
 * @returns the settings, or a one-line problem (bad URL, unreadable or invalid config file).
 */
export async function alertFlagsFrom(
  values: Record<string, unknown>
): Promise<AlertFlags | string> {
  let config = DEFAULT_ALERT_CONFIG
  const file = values['alert-config']
  if (typeof file === 'string') {
    let text: string
    try {
      text = await readFile(file, 'utf8')
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code
      return `--alert-config ${file}: ${code === 'ENOENT' ? 'no such file' : String(err)}`
    }
    const r = parseAlertConfig(text, `--alert-config ${file}`)
    if (!r.ok) return r.error
    config = r.config
  }
  let webhookUrl: URL | undefined
  if (typeof values['alert-webhook'] === 'string') {
    const u = parseWebhookUrl(values['alert-webhook'])
    if (typeof u === 'string') return u
    webhookUrl = u
  }
  return { enabled: values['no-alerts'] !== true, config, webhookUrl }
}
