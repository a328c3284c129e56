/**
 * Who may use the agent: bearer token, bcrypt basic-auth users (exporter-toolkit's `basic_auth_users`),
 * event-stream cookies, and the per-client limit on wrong credentials.
 *
 * The `Authorization` header is parsed as RFC 7235 §2.1 says: the scheme is case-insensitive
 * (`bearer` = `Bearer`), separated from its token68 by one or more spaces. Tokens are compared as SHA-256
 * digests with `timingSafeEqual`; basic-auth passwords with bcrypt, and a user name that does not exist
 * still costs one bcrypt comparison so timing does not tell which names exist (as exporter-toolkit does).
 * Successful bcrypt checks are cached (bounded, keyed by a digest of the credentials) so a scrape every
 * second does not spend a bcrypt round each time.
 *
 * EventSource cannot send headers, so the UI trades its credentials for an event-stream cookie
 * (`POST /api/events/session`): a random id, HttpOnly, SameSite=Strict, scoped to `/api/events`, valid
 * for a few hours, held in a bounded table. The token itself never travels in a URL.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import bcrypt from 'bcryptjs'

/** A parsed `Authorization` header. */
export interface AuthorizationHeader {
  /** Scheme in lower case (`bearer`, `basic`). */
  scheme: string
  /** The token68 after the scheme (may be empty). */
  credentials: string
}

const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*$/
const SCHEME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/

/** Parses `Authorization: <scheme> <token68>` (RFC 7235 §2.1); null when malformed or absent. */
export function parseAuthorization(header: string | undefined): AuthorizationHeader | null {
  if (header === undefined) return null
  const text = header.trim()
  const space = text.search(/ /)
  const scheme = space === -1 ? text : text.slice(0, space)
  if (!SCHEME.test(scheme)) return null
  const credentials = space === -1 ? '' : text.slice(space).replace(/^ +/, '')
  if (credentials !== '' && !TOKEN68.test(credentials)) return null
  return { scheme: scheme.toLowerCase(), credentials }
}

/** Outcome of checking a request's credentials. */
export type AuthOutcome =
  /** No credentials are configured, or the presented ones are valid. */
  | { kind: 'ok'; user: string | null }
  /** Credentials are required and none were presented. */
  | { kind: 'missing' }
  /** Credentials were presented and are wrong (counts towards the failure limit). */
  | { kind: 'wrong' }

/** Credential configuration. */
export interface AuthConfig {
  /** Bearer token (from `RIGREADY_TOKEN` or `--token-file`). */
  token?: string
  /** User name → bcrypt hash (`$2a$`, `$2b$`, `$2y$`). */
  basicUsers?: Readonly<Record<string, string>>
}

/** Checks credentials. */
export interface Authenticator {
  /** True when any credential is configured (otherwise the agent is loopback-only). */
  readonly required: boolean
  /** `WWW-Authenticate` challenges for a 401, in preference order. */
  readonly challenges: string[]
  check(header: string | undefined, eventCookie: string | null): Promise<AuthOutcome>
  /** A new event-stream session id for an authenticated client (see the module comment). */
  issueEventSession(): { id: string; maxAgeSeconds: number }
}

const EVENT_SESSION_SECONDS = 12 * 60 * 60
const MAX_EVENT_SESSIONS = 256
const MAX_CACHED_LOGINS = 64

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest()
}

/**
 * A bcrypt hash of a random password: compared against when a user name does not exist, so the
 * response takes as long as for a real user.
 */
function dummyHashLike(cost: number): Promise<string> {
  return bcrypt.hash(randomBytes(16).toString('hex'), cost)
}

/** Cost factor of a bcrypt hash (`$2b$10$…` → 10). */
function bcryptCost(hash: string): number {
  const m = /^\$2[aby]\$(\d\d)\$/.exec(hash)
  return m ? Number(m[1]) : 10
}

/** True for a well-formed bcrypt hash. */
export function isBcryptHash(hash: string): boolean {
  return /^\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}$/.test(hash)
}

/** Creates the authenticator; throws for a malformed bcrypt hash or a token shorter than 16 characters. */
export function createAuthenticator(
  config: AuthConfig,
  now: () => number = Date.now
): Authenticator {
  const token = config.token
  if (token !== undefined && token.trim().length < 16)
    throw new Error(
      'the access token must be at least 16 characters (use e.g. `openssl rand -hex 32`)'
    )
  const tokenDigest = token === undefined ? null : sha256(token.trim())
  const users = new Map(Object.entries(config.basicUsers ?? {}))
  for (const [name, hash] of users)
    if (!isBcryptHash(hash))
      throw new Error(
        `basic_auth_users: the hash for "${name}" is not a bcrypt hash ($2a$/$2b$/$2y$)`
      )
  const maxCost = Math.max(4, ...[...users.values()].map(bcryptCost))
  let dummy: Promise<string> | null = null
  const loginCache = new Map<string, string>()
  const eventSessions = new Map<string, number>()

  const checkBasic = async (credentials: string): Promise<AuthOutcome> => {
    const decoded = Buffer.from(credentials, 'base64').toString('utf8')
    const colon = decoded.indexOf(':')
    if (colon === -1) return { kind: 'wrong' }
    const user = decoded.slice(0, colon)
    const password = decoded.slice(colon + 1)
    const cacheKey = sha256(`${user}\0${password}`).toString('hex')
    const cachedUser = loginCache.get(cacheKey)
    if (cachedUser !== undefined && users.get(cachedUser) !== undefined)
      return { kind: 'ok', user: cachedUser }
    const hash = users.get(user)
    if (hash === undefined) {
      dummy ??= dummyHashLike(maxCost)
      await bcrypt.compare(password, await dummy)
      return { kind: 'wrong' }
    }
    if (!(await bcrypt.compare(password, hash))) return { kind: 'wrong' }
    if (loginCache.size >= MAX_CACHED_LOGINS) loginCache.delete(loginCache.keys().next().value!)
    loginCache.set(cacheKey, user)
    return { kind: 'ok', user }
  }

  const checkCookie = (id: string): boolean => {
    const expires = eventSessions.get(id)
    if (expires === undefined) return false
    if (expires < now()) {
      eventSessions.delete(id)
      return false
    }
    return true
  }

  const required = tokenDigest !== null || users.size > 0
  const challenges = [
    ...(tokenDigest !== null ? ['Bearer realm="rigready"'] : []),
    ...(users.size > 0 ? ['Basic realm="rigready", charset="UTF-8"'] : [])
  ]

  return {
    required,
    challenges,
    async check(header, eventCookie) {
      if (!required) return { kind: 'ok', user: null }
      const auth = parseAuthorization(header)
      if (auth === null) {
        if (header !== undefined) return { kind: 'wrong' }
        if (eventCookie !== null)
          return checkCookie(eventCookie) ? { kind: 'ok', user: null } : { kind: 'wrong' }
        return { kind: 'missing' }
      }
      if (auth.scheme === 'bearer' && tokenDigest !== null) {
        const ok = timingSafeEqual(sha256(auth.credentials), tokenDigest)
        return ok ? { kind: 'ok', user: null } : { kind: 'wrong' }
      }
      if (auth.scheme === 'basic' && users.size > 0) return checkBasic(auth.credentials)
      return { kind: 'wrong' }
    },
    issueEventSession() {
      const t = now()
      for (const [id, expires] of eventSessions) if (expires < t) eventSessions.delete(id)
      if (eventSessions.size >= MAX_EVENT_SESSIONS)
        eventSessions.delete(eventSessions.keys().next().value!)
      const id = randomBytes(24).toString('base64url')
      eventSessions.set(id, t + EVENT_SESSION_SECONDS * 1000)
      return { id, maxAgeSeconds: EVENT_SESSION_SECONDS }
    }
  }
}

/** The limiter's answer for one client. */
export type LimitDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number }

/** Per-client limit on wrong credentials (a token bucket per address, bounded in clients). */
export interface AuthFailureLimiter {
  /** May this client present credentials now? */
  check(client: string): LimitDecision
  /** Records a wrong attempt. */
  fail(client: string): void
  /** Clients currently tracked (bounded). */
  size(): number
}

const MAX_TRACKED_CLIENTS = 4096

/**
 * Creates the limiter: each client may fail `burst` times, then one more time every `refillSeconds`.
 * While its bucket is empty it is answered 429 without its credentials being checked, so guessing is slowed
 * to the refill rate whatever the client's request rate.
 */
export function createAuthFailureLimiter(
  burst: number,
  refillSeconds: number,
  now: () => number = Date.now
): AuthFailureLimiter {
  const buckets = new Map<string, { tokens: number; atMs: number }>()
  const refill = (client: string): { tokens: number; atMs: number } | undefined => {
    const b = buckets.get(client)
    if (b === undefined) return undefined
    const t = now()
    b.tokens = Math.min(burst, b.tokens + (t - b.atMs) / 1000 / refillSeconds)
    b.atMs = t
    if (b.tokens >= burst) {
      buckets.delete(client)
      return undefined
    }
    return b
  }
  return {
    check(client) {
      const b = refill(client)
      if (b === undefined || b.tokens >= 1) return { allowed: true }
      return {
        allowed: false,
        retryAfterSeconds: Math.max(1, Math.ceil((1 - b.tokens) * refillSeconds))
      }
    },
    fail(client) {
      let b = refill(client)
      if (b === undefined) {
        if (buckets.size >= MAX_TRACKED_CLIENTS) buckets.delete(buckets.keys().next().value!)
        b = { tokens: burst, atMs: now() }
        buckets.set(client, b)
      }
      b.tokens = Math.max(0, b.tokens - 1)
    },
    size: () => buckets.size
  }
}

/** Client key for rate limiting: the address, with IPv4-mapped IPv6 folded to IPv4 and IPv6 cut to its /64. */
export function clientKey(remoteAddress: string | undefined): string {
  if (remoteAddress === undefined) return '?'
  const v4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(remoteAddress)
  if (v4) return v4[1]!
  if (remoteAddress.includes(':')) {
    const groups = expandIpv6(remoteAddress)
    return groups === null ? remoteAddress : `${groups.slice(0, 4).join(':')}::/64`
  }
  return remoteAddress
}

function expandIpv6(address: string): string[] | null {
  const [head, tail] = address.split('::') as [string, string | undefined]
  const h = head === '' ? [] : head.split(':')
  const t = tail === undefined || tail === '' ? [] : tail.split(':')
  if (tail === undefined && h.length !== 8) return null
  const zeros = new Array<string>(8 - h.length - t.length).fill('0')
  return [...h, ...zeros, ...t].map((g) => g.toLowerCase())
}
