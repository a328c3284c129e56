/**
 * The fleet view's data: RigReady instances read back from a Prometheus server with PromQL.
 *
 * Why here and not in the renderer: the UI's Content-Security-Policy allows connections to its own origin
 * only (`connect-src 'self'`), and a Prometheus URL the user types at run time cannot be allow-listed in a
 * static policy without opening `connect-src` to every origin. The engine therefore runs a fixed set of
 * instant queries for the UI and answers parsed rows, never raw Prometheus responses: the UI cannot make the
 * engine fetch arbitrary paths, each request has a timeout, each response a size cap, and the listing an
 * instance cap. Credentials (basic or bearer) are held by the engine and never sent back to the UI.
 *
 * Queries (instant, at one evaluation time):
 * - `last_over_time(rigready_build_info[24h])` and `rigready_host_info`: which instances exist (24 h);
 * - `up`, `last_over_time(rigready_snapshot_timestamp_seconds[24h])`: up now, last seen;
 * - `last_over_time(rigready_readiness_score[24h])`: training and inference scores;
 * - GPU and drive temperatures with their own limits (`rigready_gpu_temperature_slowdown_celsius`,
 *   `rigready_disk_temperature_max_celsius`), CPU package temperature;
 * - `rigready_throttle_active`, and `increase(rigready_throttle_seconds_total[24h])` over
 *   `increase(rigready_throttle_observed_seconds_total[24h])` for the 24 h throttled share;
 * - `/api/v1/targets` for each instance's scrape URL (so a click opens its UI), then `/healthz` on it.
 */
import { ok, unavailable, type Reading } from '../../shared/reading'
import type {
  FleetAuth,
  FleetConfig,
  FleetConfigView,
  FleetHottestDevice,
  FleetInstance,
  FleetOverview,
  FleetThrottle24h
} from '../../shared/fleet'

/** Limits of the fleet client. */
export interface FleetClientLimits {
  /** Per-request timeout (ms). */
  requestTimeoutMs: number
  /** Largest Prometheus response read (bytes). */
  maxResponseBytes: number
  /** Most instances listed. */
  maxInstances: number
  /** Timeout of each agent reachability probe (ms). */
  probeTimeoutMs: number
}

const DEFAULT_LIMITS: FleetClientLimits = {
  requestTimeoutMs: 5_000,
  maxResponseBytes: 8 * 1024 * 1024,
  maxInstances: 200,
  probeTimeoutMs: 1_500
}

/** A misconfiguration the user must fix (maps to a 400 / rejected call). */
export class FleetConfigError extends Error {
  override name = 'ArgumentError'
}

/** The fleet service the engine exposes. */
export interface FleetService {
  getConfig(): FleetConfigView
  setConfig(config: FleetConfig, storage?: FleetConfigView['storage']): FleetConfigView
  list(): Promise<FleetOverview>
}

/** Normalises a Prometheus base URL: http(s) only, no credentials in it, no query, no trailing slash. */
export function normalisePrometheusUrl(raw: string): string {
  let u: URL
  try {
    u = new URL(raw)
  } catch {
    throw new FleetConfigError(`fleet: "${raw}" is not a URL (e.g. http://prometheus.lan:9090)`)
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw new FleetConfigError('fleet: the Prometheus URL must start with http:// or https://')
  if (u.username !== '' || u.password !== '')
    throw new FleetConfigError(
      'fleet: put credentials in the authentication fields, not in the URL'
    )
  if (u.search !== '' || u.hash !== '')
    throw new FleetConfigError('fleet: the Prometheus URL must not have a query or fragment')
  return u.toString().replace(/\/+$/, '')
}

interface PromSample {
  metric: Record<string, string>
  value: [number, string]
}

function authHeader(auth: FleetAuth): Record<string, string> {
  switch (auth.kind) {
    case 'none':
      return {}
    case 'basic':
      return {
        Authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`, 'utf8').toString('base64')}`
      }
    case 'bearer':
      return { Authorization: `Bearer ${auth.token}` }
  }
}

async function readCapped(res: Response, maxBytes: number): Promise<string> {
  const reader = res.body?.getReader()
  if (!reader) return ''
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > maxBytes) {
      await reader.cancel()
      throw new Error(`response larger than ${maxBytes} bytes`)
    }
    chunks.push(value)
  }
  return Buffer.concat(chunks).toString('utf8')
}

const key = (m: Record<string, string>): string => `${m.job ?? ''}\u0000${m.instance ?? ''}`

/** Options for the fleet service. */
export interface FleetServiceOptions {
  fetchImpl?: typeof fetch
  now?: () => number
  limits?: Partial<FleetClientLimits>
  initial?: FleetConfig
}

/** Creates the fleet service (configuration in memory, queries on demand). */
export function createFleetService(options: FleetServiceOptions = {}): FleetService {
  const doFetch = options.fetchImpl ?? fetch
  const now = options.now ?? Date.now
  const limits = { ...DEFAULT_LIMITS, ...options.limits }
  let config: FleetConfig = { prometheusUrl: null, auth: { kind: 'none' } }
  let storage: FleetConfigView['storage'] = 'none'

  const view = (): FleetConfigView => ({
    prometheusUrl: config.prometheusUrl,
    authKind: config.auth.kind,
    username: config.auth.kind === 'basic' ? config.auth.username : null,
    storage: config.auth.kind === 'none' ? 'none' : storage
  })

  const setConfig = (
    c: FleetConfig,
    where: FleetConfigView['storage'] = 'memory'
  ): FleetConfigView => {
    const url = c.prometheusUrl === null ? null : normalisePrometheusUrl(c.prometheusUrl)
    config = { prometheusUrl: url, auth: c.auth }
    storage = where
    return view()
  }
  if (options.initial) setConfig(options.initial)

  const get = async (
    base: string,
    path: string,
    params: Record<string, string>
  ): Promise<unknown> => {
    const url = new URL(`${base}${path}`)
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v)
    let res: Response
    try {
      res = await doFetch(url, {
        headers: { Accept: 'application/json', ...authHeader(config.auth) },
        signal: AbortSignal.timeout(limits.requestTimeoutMs),
        redirect: 'error'
      })
    } catch (e) {
      const reason =
        e instanceof Error && e.name === 'TimeoutError'
          ? 'timed out'
          : e instanceof Error
            ? e.cause instanceof Error
              ? e.cause.message
              : e.message
            : String(e)
      throw new Error(`Prometheus unreachable at ${base} (${reason})`)
    }
    if (res.status === 401 || res.status === 403)
      throw new Error(`Prometheus at ${base} refused the credentials (HTTP ${res.status})`)
    const text = await readCapped(res, limits.maxResponseBytes)
    let body: { status?: string; data?: unknown; error?: string }
    try {
      body = JSON.parse(text) as typeof body
    } catch {
      throw new Error(`Prometheus at ${base} answered HTTP ${res.status} without JSON`)
    }
    if (body.status !== 'success')
      throw new Error(`Prometheus: ${body.error ?? `HTTP ${res.status}`}`)
    return body.data
  }

  const query = async (base: string, q: string, time: number): Promise<PromSample[]> => {
    const data = (await get(base, '/api/v1/query', { query: q, time: String(time / 1000) })) as {
      resultType?: string
      result?: unknown
    }
    if (data?.resultType !== 'vector' || !Array.isArray(data.result)) return []
    return data.result.filter(
      (r): r is PromSample =>
        typeof r === 'object' &&
        r !== null &&
        typeof (r as PromSample).metric === 'object' &&
        Array.isArray((r as PromSample).value)
    )
  }

  const probe = async (url: string): Promise<Reading<boolean>> => {
    try {
      const res = await doFetch(new URL('healthz', url), {
        signal: AbortSignal.timeout(limits.probeTimeoutMs),
        redirect: 'error'
      })
      await res.body?.cancel()
      return ok(res.ok)
    } catch {
      // Refused, timed out or not HTTP: not reachable from this engine.
      return ok(false)
    }
  }

  return {
    getConfig: view,
    setConfig,
    async list() {
      const base = config.prometheusUrl
      if (base === null)
        throw new FleetConfigError('fleet: no Prometheus server is configured (fleet:set-config)')
      const t = now()
      const errors: string[] = []
      const run = (q: string): Promise<PromSample[] | null> =>
        query(base, q, t).catch((e: unknown) => {
          errors.push(`${q}: ${e instanceof Error ? e.message : String(e)}`)
          return null
        })
      const [
        builds,
        hosts,
        ups,
        lastSeen,
        scores,
        gpuTemps,
        gpuLimits,
        diskTemps,
        diskLimits,
        cpuTemps,
        active,
        throttled,
        observed
      ] = await Promise.all([
        run('last_over_time(rigready_build_info[24h])'),
        run('last_over_time(rigready_host_info[24h])'),
        run('up'),
        run('last_over_time(rigready_snapshot_timestamp_seconds[24h])'),
        run('last_over_time(rigready_readiness_score[24h])'),
        run('rigready_gpu_temperature_celsius'),
        run('rigready_gpu_temperature_slowdown_celsius'),
        run('rigready_disk_temperature_celsius'),
        run('rigready_disk_temperature_max_celsius'),
        run('rigready_cpu_package_temperature_celsius'),
        run('rigready_throttle_active'),
        run(
          'sum by (job, instance, device, cause) (increase(rigready_throttle_seconds_total[24h]))'
        ),
        run(
          'sum by (job, instance, device) (increase(rigready_throttle_observed_seconds_total[24h]))'
        )
      ])
      if (builds === null) throw new Error(errors[0] ?? 'Prometheus query failed')
      const targets = await get(base, '/api/v1/targets', { state: 'active' }).catch(
        (e: unknown) => {
          errors.push(`targets: ${e instanceof Error ? e.message : String(e)}`)
          return null
        }
      )
      const scrapeUrls = new Map<string, string>()
      const active_ = (targets as { activeTargets?: unknown } | null)?.activeTargets
      if (Array.isArray(active_))
        for (const tg of active_ as { labels?: Record<string, string>; scrapeUrl?: string }[])
          if (tg.labels && typeof tg.scrapeUrl === 'string')
            scrapeUrls.set(key(tg.labels), tg.scrapeUrl)

      const by = (samples: PromSample[] | null): Map<string, PromSample[]> => {
        const m = new Map<string, PromSample[]>()
        for (const s of samples ?? []) {
          const k = key(s.metric)
          const list = m.get(k) ?? []
          list.push(s)
          m.set(k, list)
        }
        return m
      }
      const num = (s: PromSample): number => Number(s.value[1])
      const missing = (samples: PromSample[] | null, detail: string): Reading<never> =>
        samples === null ? unavailable('failed', 'query failed') : unavailable('no-device', detail)

      const hostBy = by(hosts)
      const upBy = by(ups)
      const seenBy = by(lastSeen)
      const scoreBy = by(scores)
      const gpuTempBy = by(gpuTemps)
      const gpuLimitBy = by(gpuLimits)
      const diskTempBy = by(diskTemps)
      const diskLimitBy = by(diskLimits)
      const cpuTempBy = by(cpuTemps)
      const activeBy = by(active)
      const throttledBy = by(throttled)
      const observedBy = by(observed)

      const sorted = [...builds].sort((a, b) =>
        (a.metric.instance ?? '').localeCompare(b.metric.instance ?? '')
      )
      const truncated = sorted.length > limits.maxInstances
      const rows: FleetInstance[] = sorted.slice(0, limits.maxInstances).map((b) => {
        const k = key(b.metric)
        const instance = b.metric.instance ?? ''
        const job = b.metric.job ?? ''
        const host = hostBy.get(k)?.[0]?.metric.hostname
        const up = upBy.get(k)?.[0]
        const seen = seenBy.get(k)?.[0]
        const score = (kind: string): Reading<number> => {
          const s = scoreBy.get(k)?.find((x) => x.metric.kind === kind)
          return s ? ok(num(s)) : missing(scores, 'no readiness score exported')
        }
        // Hottest device relative to its own limit; devices without a limit rank by temperature alone.
        const candidates: FleetHottestDevice[] = []
        for (const g of gpuTempBy.get(k) ?? []) {
          const lim = gpuLimitBy.get(k)?.find((x) => x.metric.gpu === g.metric.gpu)
          candidates.push({
            device: `gpu${g.metric.gpu ?? ''}`,
            temperatureCelsius: num(g),
            limitCelsius: lim
              ? ok(num(lim))
              : unavailable('unsupported', 'no slowdown limit exported')
          })
        }
        for (const d of diskTempBy.get(k) ?? []) {
          const lim = diskLimitBy.get(k)?.find((x) => x.metric.device === d.metric.device)
          candidates.push({
            device: d.metric.device ?? 'disk',
            temperatureCelsius: num(d),
            limitCelsius: lim
              ? ok(num(lim))
              : unavailable('unsupported', 'no warning limit exported')
          })
        }
        for (const c of cpuTempBy.get(k) ?? [])
          candidates.push({
            device: 'cpu',
            temperatureCelsius: num(c),
            limitCelsius: unavailable('unsupported', 'no CPU limit exported')
          })
        // Devices with a known limit rank by temperature ÷ limit; one without a limit is shown only when
        // no device has one (a CPU at 88 °C with an unknown limit says less than a GPU 3 °C from its own).
        const withLimit = candidates.filter(
          (d) => d.limitCelsius.status === 'ok' && d.limitCelsius.value > 0
        )
        const ratio = (d: FleetHottestDevice): number =>
          d.limitCelsius.status === 'ok' ? d.temperatureCelsius / d.limitCelsius.value : 0
        const pool = withLimit.length > 0 ? withLimit : candidates
        const rank = (d: FleetHottestDevice): number =>
          withLimit.length > 0 ? ratio(d) : d.temperatureCelsius
        const hottest = [...pool].sort((a, z) => rank(z) - rank(a))[0]
        const act = activeBy.get(k)
        const throttlingNow: Reading<string[]> =
          act && act.length > 0
            ? ok(
                [
                  ...new Set(act.filter((s) => num(s) === 1).map((s) => s.metric.cause ?? 'other'))
                ].sort()
              )
            : missing(active, 'no device reports its throttle state')
        let throttled24h: Reading<FleetThrottle24h> = missing(
          observed,
          'no throttle counters in the last 24 h'
        )
        const obs = observedBy.get(k)
        if (obs && obs.length > 0) {
          const observedByDevice = new Map(obs.map((s) => [s.metric.device ?? '', num(s)]))
          const perDevice = new Map<string, number>()
          const byCause: Record<string, number> = {}
          for (const s of throttledBy.get(k) ?? []) {
            const dev = s.metric.device ?? ''
            const o = observedByDevice.get(dev)
            if (!o || !(o > 0)) continue
            const f = Math.min(1, num(s) / o)
            const cause = s.metric.cause ?? 'other'
            byCause[cause] = Math.max(byCause[cause] ?? 0, f)
            perDevice.set(dev, Math.min(1, (perDevice.get(dev) ?? 0) + f))
          }
          const maxObserved = Math.max(...observedByDevice.values())
          if (maxObserved > 0)
            throttled24h = ok({
              throttledFraction: Math.max(0, ...perDevice.values()),
              byCause,
              observedSeconds: maxObserved
            })
        }
        const scrapeUrl = scrapeUrls.get(k)
        let agentUrl: Reading<string> = unavailable(
          'unsupported',
          'Prometheus lists no scrape URL for it'
        )
        if (scrapeUrl) {
          try {
            agentUrl = ok(new URL('/', scrapeUrl).toString())
          } catch {
            agentUrl = unavailable('parse-error', scrapeUrl)
          }
        }
        return {
          instance,
          job,
          hostname: host ? ok(host) : unavailable('unsupported', 'no rigready_host_info'),
          version: b.metric.version ? ok(b.metric.version) : unavailable('unsupported'),
          up: up ? ok(num(up) === 1) : missing(ups, 'not an active target'),
          agentUrl,
          reachable: unavailable('timeout', 'not probed yet'),
          trainingScore: score('training'),
          inferenceScore: score('inference'),
          hottest: hottest ? ok(hottest) : missing(gpuTemps, 'no temperature exported'),
          throttlingNow,
          throttled24h,
          lastSeenMs: seen
            ? ok(Math.round(num(seen) * 1000))
            : missing(lastSeen, 'no snapshot seen in 24 h')
        }
      })
      // Probe agents a few at a time.
      const queue = rows.filter((r) => r.agentUrl.status === 'ok')
      const workers = Array.from({ length: Math.min(8, queue.length) }, async () => {
        for (let r = queue.shift(); r !== undefined; r = queue.shift())
          if (r.agentUrl.status === 'ok') r.reachable = await probe(r.agentUrl.value)
      })
      await Promise.all(workers)
      for (const r of rows)
        if (r.agentUrl.status !== 'ok') r.reachable = unavailable('unsupported', 'no agent URL')
      return { prometheusUrl: base, queriedAtMs: t, instances: rows, errors, truncated }
    }
  }
}
