/**
 * Route registration for the agent: how an endpoint answers, as a value.
 *
 * A handler returns a {@link Reply} and never touches the response: the server serialises the body first,
 * then writes status, headers and body in one go, so a handler that throws (or a value that cannot be
 * serialised) still ends in a proper 500 with a JSON body, never in a reset connection after headers were
 * written. Streams (`/api/events`) are the one exception and take over the response explicitly.
 *
 * Extra routes (e.g. a sessions API) are passed to `createHttpServer({ routes })`; they are matched after
 * the built-in API routes and before static files, and are guarded by the same authentication as `/api`
 * unless they say `public: true`.
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http'

/** What a handler receives. */
export interface RouteRequest {
  method: string
  /** Decoded pathname. */
  path: string
  url: URL
  headers: IncomingHttpHeaders
  /** Reads and parses a JSON body (bounded by the server's `maxBodyBytes`; throws {@link HttpError}). */
  readJson(): Promise<unknown>
  /** The raw request (streams only). */
  raw: IncomingMessage
}

/** A handler's answer. */
export type Reply =
  | {
      kind: 'body'
      status: number
      contentType: string
      body: string | Buffer
      headers?: Record<string, string>
    }
  | {
      kind: 'stream'
      /** Takes over the response (headers included). */
      start(res: ServerResponse): void
    }

/** An endpoint. */
export interface Route {
  /** Exact path, or a prefix ending in `/`. */
  path: string
  methods: readonly string[]
  /** Served without credentials (default false: guarded like `/api`). */
  public?: boolean
  handle(req: RouteRequest): Promise<Reply>
}

/** An error with its HTTP status; its message is the response's `error` text. */
export class HttpError extends Error {
  override name = 'HttpError'
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {}
  ) {
    super(message)
  }
}

/** A JSON reply (`{ ok, value }` envelopes are the caller's choice). */
export function jsonReply(status: number, value: unknown, headers?: Record<string, string>): Reply {
  return {
    kind: 'body',
    status,
    contentType: 'application/json; charset=utf-8',
    body: JSON.stringify(value === undefined ? null : value),
    ...(headers ? { headers } : {})
  }
}

/** An error reply with `{ ok: false, error }`. */
export function errorReply(status: number, error: string, headers?: Record<string, string>): Reply {
  return jsonReply(status, { ok: false, error }, headers)
}

/** True when `path` is matched by `route`. */
export function routeMatches(route: Route, path: string): boolean {
  return route.path.endsWith('/') ? path.startsWith(route.path) : path === route.path
}
