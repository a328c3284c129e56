/**
 * Every limit of the HTTP agent in one place, with the defaults `rigready serve` uses.
 *
 * The defaults follow node_exporter and Go's `net/http` where they have one (node_exporter's
 * `--web.max-requests` is 40 parallel scrapes; Go's servers close idle keep-alive connections), and are
 * sized for one machine's agent: a handful of browsers, a few Prometheus servers, scripts.
 */

/** Timeouts, caps and sizes of the agent. */
export interface ServerLimits {
  /** Longest time from connect (or TLS handshake start) to a complete request head (ms). */
  headersTimeoutMs: number
  /** Longest time from the request head to its complete body (ms); a dripped POST is cut here. */
  requestTimeoutMs: number
  /** How long an idle keep-alive connection is kept between requests (ms). */
  keepAliveTimeoutMs: number
  /** A connection on which no byte moves either way for this long is closed (ms), streams included. */
  idleTimeoutMs: number
  /**
   * Connections served normally. Beyond this, up to `reserveConnections` more are accepted but answer
   * only authorised scrapes (`/metrics`, `/healthz`) and 503 to anything else.
   */
  maxConnections: number
  /** Extra connections kept for scrapes when `maxConnections` is reached; beyond both, idle connections are closed oldest first, else the new one gets a raw 503. */
  reserveConnections: number
  /** Concurrent event streams (`/api/events`); 503 beyond. */
  maxStreams: number
  /** Requests being handled at once (streams excluded), as node_exporter's `--web.max-requests`; 503 beyond. */
  maxConcurrentRequests: number
  /** Largest request body (bytes); 413 beyond. */
  maxBodyBytes: number
  /** Wrong credentials a client may present in a burst before it is answered 429. */
  authFailureBurst: number
  /** Seconds for one more wrong attempt to be allowed again (token-bucket refill). */
  authFailureRefillSeconds: number
}

/** Defaults for `rigready serve`. */
export const DEFAULT_SERVER_LIMITS: ServerLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  idleTimeoutMs: 120_000,
  maxConnections: 256,
  reserveConnections: 16,
  maxStreams: 128,
  maxConcurrentRequests: 40,
  maxBodyBytes: 1024 * 1024,
  authFailureBurst: 10,
  authFailureRefillSeconds: 2
}

/** Limits with `overrides` applied; throws RangeError for a non-positive or non-finite value. */
export function resolveLimits(overrides: Partial<ServerLimits> = {}): ServerLimits {
  const limits: ServerLimits = { ...DEFAULT_SERVER_LIMITS, ...overrides }
  for (const [key, value] of Object.entries(limits)) {
    const allowZero = key === 'reserveConnections'
    if (!Number.isFinite(value) || value < 0 || (!allowZero && value === 0))
      throw new RangeError(`server limit ${key} must be a positive number (got ${String(value)})`)
  }
  return limits
}
