/**
 * Alert webhook: POSTs each alert as JSON to a URL, from a bounded queue worked in the background, so a slow
 * or dead receiver never delays sampling or recording.
 *
 * Each POST has a timeout; a failure (network error, timeout, non-2xx) is retried with exponential backoff
 * (1 s, 2 s, 4 s by default) and then dropped with one log line. When the queue is full the oldest pending
 * alert is dropped (and counted). `close()` gives pending alerts a bounded time to go out.
 */
import type { AlertTransition } from '../../shared/alerts'

/** The JSON body of one webhook POST. */
export interface WebhookPayload {
  source: 'rigready'
  kind: 'raise' | 'clear'
  rule: AlertTransition['rule']
  severity: AlertTransition['severity']
  device: string
  deviceLabel: string
  value: number | null
  threshold: number | null
  unit: AlertTransition['unit']
  /** ISO 8601 time of the transition. */
  time: string
  atMs: number
  host: string
  message: string
}

/** Options of the sender. */
export interface WebhookOptions {
  host: string
  /** Per-request timeout (ms). Default 5000. */
  timeoutMs?: number
  /** Retries after the first attempt. Default 3. */
  retries?: number
  /** First retry delay (ms), doubled each retry. Default 1000. */
  backoffMs?: number
  /** Pending alerts kept at most. Default 100. */
  maxQueue?: number
  fetchImpl?: typeof fetch
  /** Diagnostics (one line per dropped alert or failure). */
  warn?: (message: string) => void
  sleep?: (ms: number) => Promise<void>
}

/** A running sender. */
export interface WebhookSender {
  /** Queues one alert; returns at once. */
  send(alert: AlertTransition): void
  /** Alerts delivered, failed (after retries) and dropped (queue full). */
  stats(): { delivered: number; failed: number; dropped: number; pending: number }
  /** Waits up to `timeoutMs` for pending alerts, then stops. */
  close(timeoutMs?: number): Promise<void>
}

/**
 * Checks a webhook URL: http or https, with a host.
 *
 * @returns the URL, or a one-line problem.
 */
export function parseWebhookUrl(raw: string): URL | string {
  let u: URL
  try {
    u = new URL(raw)
  } catch {
    return `--alert-webhook "${raw}" is not a URL`
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    return `--alert-webhook must be an http:// or https:// URL (got ${u.protocol})`
  if (!u.hostname) return `--alert-webhook "${raw}" has no host`
  return u
}

/** The POST body for an alert. */
export function webhookPayload(a: AlertTransition, host: string): WebhookPayload {
  return {
    source: 'rigready',
    kind: a.kind,
    rule: a.rule,
    severity: a.severity,
    device: a.device,
    deviceLabel: a.deviceLabel,
    value: Number.isFinite(a.value) ? a.value : null,
    threshold: Number.isFinite(a.threshold) ? a.threshold : null,
    unit: a.unit,
    time: new Date(a.atMs).toISOString(),
    atMs: a.atMs,
    host,
    message: a.message
  }
}

/** Starts a sender for `url`. */
export function createWebhookSender(url: URL, options: WebhookOptions): WebhookSender {
  const timeoutMs = options.timeoutMs ?? 5000
  const retries = options.retries ?? 3
  const backoffMs = options.backoffMs ?? 1000
  const maxQueue = Math.max(1, options.maxQueue ?? 100)
  const doFetch = options.fetchImpl ?? fetch
  const warn = options.warn ?? (() => {})
  const sleep =
    options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref?.()))
  const queue: WebhookPayload[] = []
  let delivered = 0
  let failed = 0
  let dropped = 0
  let working: Promise<void> | null = null
  let closing = false
  let stop = new AbortController()

  const post = async (p: WebhookPayload): Promise<void> => {
    const res = await doFetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'rigready-alerts' },
      body: JSON.stringify(p),
      signal: AbortSignal.any([AbortSignal.timeout(timeoutMs), stop.signal])
    })
    // Drain the body so the connection can be reused; its content does not matter.
    await res.arrayBuffer().catch(() => undefined)
    if (!res.ok) throw new Error(`HTTP ${res.status}`)
  }

  const work = async (): Promise<void> => {
    while (queue.length > 0) {
      const p = queue.shift() as WebhookPayload
      for (let attempt = 0; ; attempt++) {
        try {
          await post(p)
          delivered++
          break
        } catch (err) {
          if (stop.signal.aborted || attempt >= retries) {
            failed++
            warn(
              `alert webhook ${url.origin}: giving up on "${p.message}" after ${attempt + 1} attempt(s): ${err instanceof Error ? err.message : String(err)}`
            )
            break
          }
          await sleep(backoffMs * 2 ** attempt)
          if (stop.signal.aborted) {
            failed++
            break
          }
        }
      }
    }
  }

  const kick = (): void => {
    if (working) return
    working = work().finally(() => {
      working = null
      if (queue.length > 0 && !stop.signal.aborted) kick()
    })
  }

  return {
    send(alert) {
      if (closing) return
      if (queue.length >= maxQueue) {
        queue.shift()
        dropped++
        warn(
          `alert webhook ${url.origin}: queue full (${maxQueue}); dropped the oldest pending alert`
        )
      }
      queue.push(webhookPayload(alert, options.host))
      kick()
    },
    stats: () => ({ delivered, failed, dropped, pending: queue.length + (working ? 1 : 0) }),
    async close(deadlineMs = 3000) {
      closing = true
      if (working) {
        let timer: ReturnType<typeof setTimeout> | undefined
        await Promise.race([
          working,
          new Promise<void>((r) => {
            timer = setTimeout(r, deadlineMs)
          })
        ])
        if (timer) clearTimeout(timer)
      }
      stop.abort()
      queue.length = 0
      await working?.catch(() => {})
      stop = new AbortController()
    }
  }
}
