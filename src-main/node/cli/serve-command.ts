/**
 * `rigready serve`: the headless agent — the Svelte UI for a browser, the JSON + SSE API and `/metrics`.
 *
 * Binds 127.0.0.1 by default; any other address requires credentials: a bearer token from the
 * `RIGREADY_TOKEN` environment variable or `--token-file`, or bcrypt basic-auth users in a `--web-config`
 * file (Prometheus exporter-toolkit's format, which also configures TLS). A token on the command line would
 * be readable by every local user in `ps`, so `--token` is refused with a pointer to the alternatives.
 */
import { readFile, stat } from 'node:fs/promises'
import { hostname } from 'node:os'
import { basename, dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { ALERT_FLAGS, alertFlagsFrom } from '../alerts/monitor'
import { createEngineService } from '../engine-service'
import { createFleetService } from '../metrics/fleet-client'
import { createHttpServer, isLoopbackHost, type HttpServerHandle } from '../server/http-server'
import type { ServerLimits } from '../server/limits'
import { loadWebConfig, WebConfigError, type WebConfig } from '../server/web-config'
import {
  ENGINE_FLAGS,
  EXIT,
  UsageError,
  engineOptionsFrom,
  positiveNumber,
  type CliIo
} from './common'
import { VERSION } from './version'

/** Help text of `rigready serve`. */
export const SERVE_USAGE = `rigready serve — the agent: browser UI, JSON + SSE API and Prometheus /metrics

Usage:
  rigready serve [--host 127.0.0.1] [--port 7878] [--web-config FILE] [--token-file FILE]
                 [--replay SESSION [--speed N] [--loop]] [engine flags]

Access:
  Loopback (127.0.0.1, ::1) needs no credentials; requests must then be addressed to localhost.
  Any other --host needs credentials:
    RIGREADY_TOKEN=…        bearer token (at least 16 characters), from the environment
    --token-file FILE       bearer token read from FILE (keep it mode 0600)
    --web-config FILE       Prometheus exporter-toolkit web config: tls_server_config (TLS, client
                            certificates), basic_auth_users (bcrypt), http_server_config.headers
  IPv6 literals go in brackets: --host "[::1]", --host "[::]".

Limits (503 beyond, as node_exporter's --web.max-requests):
  --max-connections N     connections served normally (default 256; 16 more are kept for scrapes)
  --max-requests N        requests handled at once (default 40)
  --max-streams N         concurrent event streams (default 128)

Fleet:
  --fleet-prometheus URL  Prometheus server the fleet view reads (also settable from the UI)

Other:
  --profiles-file FILE    add your own workload profiles (JSON array)
  --static-dir DIR        serve the UI from DIR instead of the built one
`

/**
 * Where the built renderer lives relative to the built CLI (`out/main/cli.js` → `out/renderer`); the
 * command's own code may sit in a chunk one folder down (`out/main/chunks/`).
 */
export function defaultStaticDir(): string {
  const here = dirname(fileURLToPath(import.meta.url))
  return resolve(basename(here) === 'chunks' ? dirname(here) : here, '../renderer')
}

/** Reads a token file: the first line, trimmed; warns when others may read the file. */
async function readTokenFile(path: string, io: CliIo): Promise<string> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    throw new UsageError(
      `--token-file ${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : String(e)}`
    )
  }
  const token = (text.split(/\r?\n/)[0] ?? '').trim()
  if (token === '') throw new UsageError(`--token-file ${path}: the file is empty`)
  try {
    const mode = (await stat(path)).mode
    if (process.platform !== 'win32' && (mode & 0o077) !== 0)
      io.stderr.write(
        `rigready serve: warning: ${path} is readable by other users (chmod 600 ${path})\n`
      )
  } catch {
    /* the file was just read; a failing stat only skips the warning */
  }
  return token
}

function intFlag(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined
  const n = Number(v)
  if (!Number.isInteger(n) || n < 1 || n > 1_000_000)
    throw new UsageError(`--${name} must be a whole number from 1 to 1000000 (got "${v}")`)
  return n
}

/** The lines printed at start: the URL and how to authenticate. */
export function accessLines(server: HttpServerHandle, host: string): string[] {
  const lines = [`RigReady serving on ${server.url}`]
  const listensEverywhere = host === '0.0.0.0' || host === '::' || host === '[::]'
  const reachable = listensEverywhere
    ? server.url.replace(/\/\/[^/]+\//, `//${hostname()}:${server.port}/`)
    : server.url
  if (listensEverywhere) lines.push(`  on this network: ${reachable}`)
  if (server.auth.length === 0) {
    lines.push(
      '  access: no credentials (loopback only; requests must be addressed to localhost or 127.0.0.1)'
    )
  }
  if (server.auth.includes('bearer')) {
    lines.push(
      '  access: bearer token — the browser UI asks for it once; scripts send it as a header:',
      `    curl -H "Authorization: Bearer $RIGREADY_TOKEN" ${reachable}metrics`,
      '    Prometheus: authorization: { type: Bearer, credentials_file: /path/to/token }'
    )
  }
  if (server.auth.includes('basic'))
    lines.push(
      '  access: basic auth (users from the web config) — the browser asks; Prometheus: basic_auth: { username, password_file }'
    )
  if (server.scheme === 'https') lines.push('  TLS: on (plain HTTP to this port is answered 400)')
  return lines
}

/** Runs the agent until interrupted. */
export async function cmdServe(argv: string[], io: CliIo): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.stdout.write(SERVE_USAGE)
    return EXIT.ok
  }
  const { values } = parseArgs({
    args: argv,
    options: {
      ...ENGINE_FLAGS,
      ...ALERT_FLAGS,
      'sessions-dir': { type: 'string' },
      host: { type: 'string' },
      port: { type: 'string' },
      token: { type: 'string' },
      'token-file': { type: 'string' },
      'web-config': { type: 'string' },
      'max-connections': { type: 'string' },
      'max-requests': { type: 'string' },
      'max-streams': { type: 'string' },
      'fleet-prometheus': { type: 'string' },
      loop: { type: 'boolean' },
      'profiles-file': { type: 'string' },
      'static-dir': { type: 'string' }
    },
    strict: true
  })
  if (values.token !== undefined)
    throw new UsageError(
      '--token is refused: a token on the command line is readable by every user in `ps`. Set RIGREADY_TOKEN in the environment or use --token-file FILE'
    )
  const host = values.host ?? '127.0.0.1'
  const port = values.port === undefined ? 7878 : Number(values.port)
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`--port must be 0–65535 (got "${values.port}")`)
  if (values.speed) positiveNumber('speed', values.speed, 1)
  const envToken = io.env.RIGREADY_TOKEN
  if (values['token-file'] !== undefined && envToken !== undefined && envToken !== '')
    throw new UsageError('give the token either in RIGREADY_TOKEN or with --token-file, not both')
  const token =
    values['token-file'] !== undefined
      ? await readTokenFile(values['token-file'], io)
      : envToken === undefined || envToken === ''
        ? undefined
        : envToken
  let webConfig: WebConfig | undefined
  if (values['web-config'] !== undefined) {
    try {
      webConfig = await loadWebConfig(values['web-config'])
    } catch (e) {
      if (e instanceof WebConfigError) throw new UsageError(`--web-config ${e.message}`)
      throw e
    }
  }
  const limits: Partial<ServerLimits> = {}
  const maxConnections = intFlag('max-connections', values['max-connections'])
  if (maxConnections !== undefined) limits.maxConnections = maxConnections
  const maxRequests = intFlag('max-requests', values['max-requests'])
  if (maxRequests !== undefined) limits.maxConcurrentRequests = maxRequests
  const maxStreams = intFlag('max-streams', values['max-streams'])
  if (maxStreams !== undefined) limits.maxStreams = maxStreams
  if (!isLoopbackHost(host.replace(/^\[|\]$/g, '')) && token === undefined) {
    const users = Object.keys(webConfig?.basicUsers ?? {}).length
    if (users === 0)
      throw new UsageError(
        `refusing to bind ${host}: serving beyond this machine requires credentials (RIGREADY_TOKEN, --token-file, or basic_auth_users in --web-config)`
      )
  }
  const fleet = createFleetService()
  if (values['fleet-prometheus'] !== undefined) {
    try {
      fleet.setConfig({ prometheusUrl: values['fleet-prometheus'], auth: { kind: 'none' } })
    } catch (e) {
      throw new UsageError(`--fleet-prometheus: ${(e as Error).message}`)
    }
  }
  const userProfilesText = values['profiles-file']
    ? await readFile(values['profiles-file'], 'utf8')
    : undefined
  const alertFlags = await alertFlagsFrom(values)
  if (typeof alertFlags === 'string') throw new UsageError(alertFlags)
  const service = await createEngineService({
    ...engineOptionsFrom(values, io),
    alerts: alertFlags.enabled ? alertFlags.config : false,
    alertWebhook: alertFlags.webhookUrl,
    sessionsDir: values['sessions-dir'],
    loop: values.loop,
    userProfilesText,
    face: 'serve',
    version: VERSION,
    fleet
  })
  let server: HttpServerHandle
  try {
    server = await createHttpServer({
      service,
      staticDir: values['static-dir'] ?? defaultStaticDir(),
      host,
      port,
      token,
      webConfig,
      limits,
      version: VERSION
    })
  } catch (err) {
    await service.close()
    throw new UsageError((err as Error).message)
  }
  io.stdout.write(accessLines(server, host).join('\n') + '\n')
  await new Promise<void>((r) => io.onInterrupt(() => r()))
  await server.close()
  await service.close()
  return EXIT.ok
}
