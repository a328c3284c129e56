/**
 * Bridge over HTTP + Server-Sent Events (`rigready serve`).
 *
 * Invokes are `POST /api/invoke/<channel>` with `{"args":[...]}`; events arrive on one shared
 * `EventSource('/api/events')`, opened on the first subscription. When the agent needs a bearer token,
 * invokes send it as a header; EventSource cannot set headers, so the bridge first trades the token for an
 * event-stream cookie (`POST /api/events/session`: HttpOnly, SameSite=Strict, valid for `/api/events`
 * only) and reopens the stream with a fresh cookie when the agent drops it (e.g. after a restart). The
 * token never travels in a URL. Basic-auth agents need none of this: the browser sends its credentials.
 */
import { EVENT_CHANNELS, type EventChannel } from '$shared/ipc-contract'
import { BridgeError, type Bridge, type ConnectionState } from './types'

/** Options for the HTTP bridge. */
export interface HttpBridgeOptions {
  /** Base URL of the agent (default: the page's origin). */
  baseUrl?: string
  token?: string | null
  /** Asked once when the agent answers 401 and no token is known; returns the token or null. */
  askToken?: () => string | null
  /** Called with a token the agent accepted (to keep it for this browser session). */
  onToken?: (token: string) => void
  fetchImpl?: typeof fetch
  eventSourceImpl?: typeof EventSource
  /** Delay before reopening a stream the agent closed (ms). */
  reopenMs?: number
}

/** Creates the HTTP/SSE bridge. */
export function createHttpBridge(options: HttpBridgeOptions = {}): Bridge {
  const base = options.baseUrl ?? `${location.origin}/`
  let token = options.token ?? null
  let asked = false
  const reopenMs = options.reopenMs ?? 3000
  const doFetch = options.fetchImpl ?? fetch.bind(globalThis)
  const ES = options.eventSourceImpl ?? EventSource
  const listeners = new Map<EventChannel, Set<(payload: unknown) => void>>()
  const connectionListeners = new Set<(s: ConnectionState) => void>()
  let source: EventSource | null = null
  let state: ConnectionState = 'connecting'

  const setState = (s: ConnectionState): void => {
    state = s
    for (const l of connectionListeners) l(s)
  }

  let closed = false
  let opening = false
  const openSource = async (): Promise<void> => {
    if (source !== null || opening || closed) return
    opening = true
    try {
      if (token) {
        // The cookie this sets is what authorises the stream below.
        await doFetch(new URL('api/events/session', base), {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
          body: '{}'
        }).catch(() => undefined)
      }
    } finally {
      opening = false
    }
    if (closed || source !== null) return
    const es = new ES(new URL('api/events', base).toString())
    source = es
    es.onopen = () => setState('open')
    es.onerror = () => {
      setState('reconnecting')
      // EventSource retries by itself after network errors, but gives up on an HTTP error (a 401 once
      // the cookie expired or the agent restarted): then get a new cookie and open a new stream.
      if (es.readyState === 2) {
        if (source === es) source = null
        setTimeout(() => void openSource(), reopenMs)
      }
    }
    for (const channel of EVENT_CHANNELS) {
      source.addEventListener(channel, (e) => {
        let payload: unknown
        try {
          payload = JSON.parse((e as MessageEvent<string>).data)
        } catch {
          return
        }
        for (const l of listeners.get(channel) ?? []) l(payload)
      })
    }
  }
  const ensureSource = (): void => {
    void openSource()
  }

  const post = (channel: string, args: unknown[]): Promise<Response> => {
    const headers: Record<string, string> = { 'Content-Type': 'application/json' }
    if (token) headers.Authorization = `Bearer ${token}`
    return doFetch(new URL(`api/invoke/${channel}`, base), {
      method: 'POST',
      headers,
      body: JSON.stringify({ args })
    })
  }

  const bridge: Bridge = {
    transport: 'http',
    invoke: (async (channel: string, ...args: unknown[]): Promise<unknown> => {
      let res: Response
      try {
        res = await post(channel, args)
        const bearer = /^bearer/i.test(res.headers.get('www-authenticate') ?? '')
        if (res.status === 401 && bearer && !asked && options.askToken) {
          asked = true
          const t = options.askToken()
          if (t) {
            token = t.trim()
            res = await post(channel, args)
            if (res.ok) {
              options.onToken?.(token)
              // A stream opened without the token failed; open it again with a cookie.
              if (source !== null) {
                source.close()
                source = null
              }
              if (listeners.size > 0) ensureSource()
            }
          }
        }
      } catch (e) {
        throw new BridgeError(`agent unreachable: ${e instanceof Error ? e.message : String(e)}`)
      }
      let body: { ok?: boolean; value?: unknown; error?: unknown }
      try {
        body = (await res.json()) as typeof body
      } catch {
        throw new BridgeError(`agent answered ${res.status} without JSON`, res.status)
      }
      if (!res.ok || body.ok !== true) {
        throw new BridgeError(
          typeof body.error === 'string' ? body.error : `agent answered ${res.status}`,
          res.status
        )
      }
      return body.value
    }) as Bridge['invoke'],
    on(channel, listener) {
      ensureSource()
      const set = listeners.get(channel) ?? new Set()
      const l = listener as (payload: unknown) => void
      set.add(l)
      listeners.set(channel, set)
      return () => {
        set.delete(l)
      }
    },
    onConnection(listener) {
      connectionListeners.add(listener)
      listener(state)
      return () => {
        connectionListeners.delete(listener)
      }
    },
    close() {
      closed = true
      source?.close()
      source = null
      listeners.clear()
    }
  }
  return bridge
}
