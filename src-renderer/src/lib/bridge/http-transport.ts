/**
 * Bridge over HTTP + Server-Sent Events (`rigready serve`).
 *
 * Invokes are `POST /api/invoke/<channel>` with `{"args":[...]}`; events arrive on one shared
 * `EventSource('/api/events')`, opened on the first subscription. When the agent was started with a token,
 * the page is opened as `...?token=…`: invokes send it as a bearer header, EventSource (which cannot set
 * headers) as a query parameter.
 */
import { EVENT_CHANNELS, type EventChannel } from '$shared/ipc-contract'
import { BridgeError, type Bridge, type ConnectionState } from './types'

/** Options for the HTTP bridge. */
export interface HttpBridgeOptions {
  /** Base URL of the agent (default: the page's origin). */
  baseUrl?: string
  token?: string | null
  fetchImpl?: typeof fetch
  eventSourceImpl?: typeof EventSource
}

/** Creates the HTTP/SSE bridge. */
export function createHttpBridge(options: HttpBridgeOptions = {}): Bridge {
  const base = options.baseUrl ?? `${location.origin}/`
  const token = options.token ?? null
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

  const ensureSource = (): void => {
    if (source !== null) return
    const url = new URL('api/events', base)
    if (token) url.searchParams.set('token', token)
    source = new ES(url.toString())
    source.onopen = () => setState('open')
    source.onerror = () => setState('reconnecting')
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

  const bridge: Bridge = {
    transport: 'http',
    invoke: (async (channel: string, ...args: unknown[]): Promise<unknown> => {
      const headers: Record<string, string> = { 'Content-Type': 'application/json' }
      if (token) headers.Authorization = `Bearer ${token}`
      let res: Response
      try {
        res = await doFetch(new URL(`api/invoke/${channel}`, base), {
          method: 'POST',
          headers,
          body: JSON.stringify({ args })
        })
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
      source?.close()
      source = null
      listeners.clear()
    }
  }
  return bridge
}
