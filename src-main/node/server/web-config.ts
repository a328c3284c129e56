/**
 * `--web-config FILE`: the web configuration file of Prometheus exporters (exporter-toolkit's format),
 * so a RigReady agent is secured exactly like node_exporter next to it.
 *
 *   tls_server_config:
 *     cert_file: server.crt          # or `cert:` inline PEM
 *     key_file: server.key           # or `key:` inline PEM
 *     min_version: TLS12             # TLS10 | TLS11 | TLS12 (default) | TLS13
 *     max_version: TLS13
 *     client_auth_type: RequireAndVerifyClientCert
 *     client_ca_file: clients-ca.crt # or `client_ca:` inline PEM
 *     client_allowed_sans: [prometheus.lan]
 *     curve_preferences: [X25519, CurveP256]
 *     prefer_server_cipher_suites: true
 *   http_server_config:
 *     headers:
 *       Strict-Transport-Security: max-age=31536000
 *   basic_auth_users:
 *     prometheus: $2y$10$…           # bcrypt, e.g. `htpasswd -nBC 10 "" | tr -d ':\n'`
 *
 * As in exporter-toolkit, unknown keys are errors (a typo must not silently disable TLS), relative file
 * names are relative to the config file's folder, and `client_ca_file` is required for the verifying
 * client-auth types. `cipher_suites` is refused with a message: Go's suite names do not map one-to-one
 * onto OpenSSL's, and TLS 1.3 suites are not configurable in Node; use `min_version: TLS13` instead.
 * Errors are one line naming the file and the key.
 */
import { readFile } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import type { SecureVersion } from 'node:tls'
import { parse as parseYaml } from 'yaml'
import { isBcryptHash } from './auth'

/** exporter-toolkit's `client_auth_type` values (Go's `tls.ClientAuthType` names). */
export type ClientAuthType =
  | 'NoClientCert'
  | 'RequestClientCert'
  | 'RequireAnyClientCert'
  | 'VerifyClientCertIfGiven'
  | 'RequireAndVerifyClientCert'

/** TLS settings ready for `https.createServer`, plus the checks Node does not do itself. */
export interface TlsSettings {
  key: Buffer | string
  cert: Buffer | string
  ca?: Buffer | string
  minVersion: SecureVersion
  maxVersion?: SecureVersion
  ecdhCurve?: string
  honorCipherOrder?: boolean
  clientAuth: ClientAuthType
  /** When non-empty, a client certificate must carry one of these subject alternative names. */
  clientAllowedSans: string[]
}

/** A loaded web config. */
export interface WebConfig {
  tls: TlsSettings | null
  /** User name → bcrypt hash. */
  basicUsers: Record<string, string>
  /** Extra response headers (`http_server_config.headers`). */
  headers: Record<string, string>
}

/** A web config that cannot be used; the message names the file and the key. */
export class WebConfigError extends Error {
  override name = 'WebConfigError'
}

const TLS_VERSIONS: Record<string, SecureVersion> = {
  TLS10: 'TLSv1',
  TLS11: 'TLSv1.1',
  TLS12: 'TLSv1.2',
  TLS13: 'TLSv1.3'
}

const CURVES: Record<string, string> = {
  X25519: 'X25519',
  CurveP256: 'P-256',
  CurveP384: 'P-384',
  CurveP521: 'P-521'
}

const CLIENT_AUTH_TYPES: readonly ClientAuthType[] = [
  'NoClientCert',
  'RequestClientCert',
  'RequireAnyClientCert',
  'VerifyClientCertIfGiven',
  'RequireAndVerifyClientCert'
]

/** Headers exporter-toolkit lets a web config set (others could break the agent's own security headers). */
const ALLOWED_HEADERS = [
  'Strict-Transport-Security',
  'X-Content-Type-Options',
  'X-Frame-Options',
  'X-XSS-Protection',
  'Content-Security-Policy'
]

const TOP_KEYS = ['tls_server_config', 'http_server_config', 'basic_auth_users']
const TLS_KEYS = [
  'cert_file',
  'key_file',
  'cert',
  'key',
  'client_auth_type',
  'client_ca_file',
  'client_ca',
  'client_allowed_sans',
  'min_version',
  'max_version',
  'cipher_suites',
  'prefer_server_cipher_suites',
  'curve_preferences'
]
const HTTP_KEYS = ['http2', 'headers']

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x)
}

/**
 * Parses web-config text (pure apart from reading the files it names through `readText`).
 *
 * @param name the config file's path, for messages and to resolve relative file names.
 */
export async function parseWebConfig(
  text: string,
  name: string,
  readText: (path: string) => Promise<string> = (p) => readFile(p, 'utf8')
): Promise<WebConfig> {
  const fail = (msg: string): never => {
    throw new WebConfigError(`${name}: ${msg}`)
  }
  let doc: unknown
  try {
    doc = parseYaml(text, { prettyErrors: false, uniqueKeys: true })
  } catch (e) {
    fail(`not valid YAML (${(e as Error).message.split('\n')[0]})`)
  }
  if (doc === null || doc === undefined) doc = {}
  if (!isRecord(doc)) return fail('must be a YAML mapping')
  const unknownKeys = (obj: Record<string, unknown>, allowed: string[], where: string): void => {
    for (const k of Object.keys(obj))
      if (!allowed.includes(k)) fail(`unknown key "${k}"${where} (known: ${allowed.join(', ')})`)
  }
  unknownKeys(doc, TOP_KEYS, '')
  const base = dirname(resolve(name))
  const str = (obj: Record<string, unknown>, key: string, where: string): string | undefined => {
    const v = obj[key]
    if (v === undefined || v === null || v === '') return undefined
    if (typeof v !== 'string') fail(`${where}.${key} must be a string`)
    return v as string
  }
  const fileOrInline = async (
    obj: Record<string, unknown>,
    fileKey: string,
    inlineKey: string
  ): Promise<string | undefined> => {
    const file = str(obj, fileKey, 'tls_server_config')
    const inline = str(obj, inlineKey, 'tls_server_config')
    if (file !== undefined && inline !== undefined)
      fail(`tls_server_config: set either ${fileKey} or ${inlineKey}, not both`)
    if (inline !== undefined) return inline
    if (file === undefined) return undefined
    const path = resolve(base, file)
    try {
      return await readText(path)
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code
      return fail(
        `tls_server_config.${fileKey}: cannot read ${file}${code === 'ENOENT' ? ' (no such file)' : code === 'EACCES' ? ' (permission denied)' : ''}`
      )
    }
  }

  // basic_auth_users
  const basicUsers: Record<string, string> = {}
  const users = doc.basic_auth_users
  if (users !== undefined && users !== null) {
    if (!isRecord(users)) fail('basic_auth_users must map user names to bcrypt hashes')
    for (const [user, hash] of Object.entries(users as Record<string, unknown>)) {
      if (user === '' || user.includes(':'))
        fail(`basic_auth_users: "${user}" is not a valid user name (non-empty, no colon)`)
      if (typeof hash !== 'string' || !isBcryptHash(hash))
        fail(`basic_auth_users.${user} must be a bcrypt hash ($2a$/$2b$/$2y$), not a password`)
      basicUsers[user] = hash as string
    }
  }

  // http_server_config
  const headers: Record<string, string> = {}
  const http = doc.http_server_config
  if (http !== undefined && http !== null) {
    if (!isRecord(http)) fail('http_server_config must be a mapping')
    const h = http as Record<string, unknown>
    unknownKeys(h, HTTP_KEYS, ' in http_server_config')
    if (h.http2 !== undefined && typeof h.http2 !== 'boolean')
      fail('http_server_config.http2 must be true or false')
    if (h.headers !== undefined && h.headers !== null) {
      if (!isRecord(h.headers)) fail('http_server_config.headers must be a mapping')
      for (const [k, v] of Object.entries(h.headers as Record<string, unknown>)) {
        const canonical = ALLOWED_HEADERS.find((a) => a.toLowerCase() === k.toLowerCase())
        if (canonical === undefined)
          fail(
            `http_server_config.headers: "${k}" cannot be set (allowed: ${ALLOWED_HEADERS.join(', ')})`
          )
        if (typeof v !== 'string' || /[\r\n]/.test(v))
          fail(`http_server_config.headers.${k} must be a one-line string`)
        headers[canonical!] = v as string
      }
    }
  }

  // tls_server_config
  let tls: TlsSettings | null = null
  const t = doc.tls_server_config
  if (t !== undefined && t !== null) {
    if (!isRecord(t)) fail('tls_server_config must be a mapping')
    const c = t as Record<string, unknown>
    unknownKeys(c, TLS_KEYS, ' in tls_server_config')
    if (c.cipher_suites !== undefined && c.cipher_suites !== null)
      fail(
        'tls_server_config.cipher_suites is not supported by this agent (Go suite names do not map onto OpenSSL); use min_version: TLS13 to restrict ciphers'
      )
    const cert = await fileOrInline(c, 'cert_file', 'cert')
    const key = await fileOrInline(c, 'key_file', 'key')
    if (cert === undefined && key === undefined && Object.keys(c).length === 0) {
      // An empty tls_server_config means plain HTTP, as in exporter-toolkit.
    } else {
      if (cert === undefined) fail('tls_server_config: cert_file (or cert) is required')
      if (key === undefined) fail('tls_server_config: key_file (or key) is required')
      const version = (k: 'min_version' | 'max_version'): SecureVersion | undefined => {
        const v = str(c, k, 'tls_server_config')
        if (v === undefined) return undefined
        const mapped = TLS_VERSIONS[v]
        if (mapped === undefined)
          fail(
            `tls_server_config.${k} must be one of ${Object.keys(TLS_VERSIONS).join(', ')} (got "${v}")`
          )
        return mapped
      }
      const clientAuthRaw = str(c, 'client_auth_type', 'tls_server_config') ?? 'NoClientCert'
      if (!(CLIENT_AUTH_TYPES as readonly string[]).includes(clientAuthRaw))
        fail(
          `tls_server_config.client_auth_type must be one of ${CLIENT_AUTH_TYPES.join(', ')} (got "${clientAuthRaw}")`
        )
      const clientAuth = clientAuthRaw as ClientAuthType
      const ca = await fileOrInline(c, 'client_ca_file', 'client_ca')
      if (
        (clientAuth === 'VerifyClientCertIfGiven' || clientAuth === 'RequireAndVerifyClientCert') &&
        ca === undefined
      )
        fail(`tls_server_config: client_ca_file is required with client_auth_type ${clientAuth}`)
      const sans = c.client_allowed_sans
      if (
        sans !== undefined &&
        sans !== null &&
        (!Array.isArray(sans) || sans.some((s) => typeof s !== 'string'))
      )
        fail('tls_server_config.client_allowed_sans must be a list of names')
      const curvesRaw = c.curve_preferences
      let ecdhCurve: string | undefined
      if (curvesRaw !== undefined && curvesRaw !== null) {
        if (!Array.isArray(curvesRaw)) fail('tls_server_config.curve_preferences must be a list')
        ecdhCurve = (curvesRaw as unknown[])
          .map((cv) => {
            const m = typeof cv === 'string' ? CURVES[cv] : undefined
            if (m === undefined)
              fail(
                `tls_server_config.curve_preferences: unknown curve "${String(cv)}" (known: ${Object.keys(CURVES).join(', ')})`
              )
            return m
          })
          .join(':')
      }
      const prefer = c.prefer_server_cipher_suites
      if (prefer !== undefined && prefer !== null && typeof prefer !== 'boolean')
        fail('tls_server_config.prefer_server_cipher_suites must be true or false')
      const minVersion = version('min_version') ?? 'TLSv1.2'
      const maxVersion = version('max_version')
      tls = {
        cert: cert!,
        key: key!,
        ...(ca !== undefined ? { ca } : {}),
        minVersion,
        ...(maxVersion !== undefined ? { maxVersion } : {}),
        ...(ecdhCurve !== undefined ? { ecdhCurve } : {}),
        ...(typeof prefer === 'boolean' ? { honorCipherOrder: prefer } : {}),
        clientAuth,
        clientAllowedSans: (sans as string[] | undefined) ?? []
      }
    }
  }
  return { tls, basicUsers, headers }
}

/** Reads and parses a web-config file. */
export async function loadWebConfig(path: string): Promise<WebConfig> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    throw new WebConfigError(
      `${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : String(e)}`
    )
  }
  return parseWebConfig(text, path)
}

/** Node TLS server options for `client_auth_type` (verification beyond these is done per request). */
export function tlsClientOptions(clientAuth: ClientAuthType): {
  requestCert: boolean
  rejectUnauthorized: boolean
} {
  switch (clientAuth) {
    case 'NoClientCert':
      return { requestCert: false, rejectUnauthorized: false }
    case 'RequireAndVerifyClientCert':
      return { requestCert: true, rejectUnauthorized: true }
    default:
      return { requestCert: true, rejectUnauthorized: false }
  }
}

/** Subject alternative names of a peer certificate's `subjectaltname` text (`DNS:a, IP Address:1.2.3.4`). */
export function parseSubjectAltNames(text: string | undefined): string[] {
  if (!text) return []
  return text
    .split(/,\s*/)
    .map((part) => part.slice(part.indexOf(':') + 1).trim())
    .filter((s) => s !== '')
}
