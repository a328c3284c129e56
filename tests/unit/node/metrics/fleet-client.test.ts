import { describe, expect, it } from 'vitest'
import {
  createFleetService,
  normalisePrometheusUrl
} from '../../../../src-main/node/metrics/fleet-client'

type Vec = { metric: Record<string, string>; value: [number, string] }[]
const a = { job: 'rigready', instance: 'rig-a:7878' }
const b = { job: 'rigready', instance: 'rig-b:7878' }

const RESULTS: Record<string, Vec> = {
  'last_over_time(rigready_build_info[24h])': [
    { metric: { ...a, version: '0.1.0' }, value: [0, '1'] },
    { metric: { ...b, version: '0.1.0' }, value: [0, '1'] }
  ],
  'last_over_time(rigready_host_info[24h])': [
    { metric: { ...a, hostname: 'trainbox' }, value: [0, '1'] }
  ],
  up: [
    { metric: a, value: [0, '1'] },
    { metric: b, value: [0, '0'] }
  ],
  'last_over_time(rigready_snapshot_timestamp_seconds[24h])': [
    { metric: a, value: [0, '1700000000.5'] }
  ],
  'last_over_time(rigready_readiness_score[24h])': [
    { metric: { ...a, kind: 'training' }, value: [0, '58'] },
    { metric: { ...a, kind: 'inference' }, value: [0, '83'] }
  ],
  rigready_gpu_temperature_celsius: [{ metric: { ...a, gpu: '0' }, value: [0, '81'] }],
  rigready_gpu_temperature_slowdown_celsius: [{ metric: { ...a, gpu: '0' }, value: [0, '87'] }],
  rigready_disk_temperature_celsius: [{ metric: { ...a, device: 'nvme0n1' }, value: [0, '70'] }],
  rigready_disk_temperature_max_celsius: [
    { metric: { ...a, device: 'nvme0n1' }, value: [0, '84'] }
  ],
  rigready_cpu_package_temperature_celsius: [],
  rigready_throttle_active: [
    { metric: { ...a, device: 'gpu0', cause: 'power' }, value: [0, '1'] },
    { metric: { ...a, device: 'gpu0', cause: 'thermal' }, value: [0, '0'] }
  ],
  'sum by (job, instance, device, cause) (increase(rigready_throttle_seconds_total[24h]))': [
    { metric: { ...a, device: 'gpu0', cause: 'power' }, value: [0, '3600'] },
    { metric: { ...a, device: 'gpu0', cause: 'thermal' }, value: [0, '900'] }
  ],
  'sum by (job, instance, device) (increase(rigready_throttle_observed_seconds_total[24h]))': [
    { metric: { ...a, device: 'gpu0' }, value: [0, '36000'] }
  ]
}

function fakeFetch(calls: { url: URL; auth: string | null }[]): typeof fetch {
  return (async (input: URL | string, init?: RequestInit) => {
    const url = new URL(String(input))
    const auth = new Headers(init?.headers).get('authorization')
    calls.push({ url, auth })
    const json = (body: unknown, status = 200) =>
      new Response(JSON.stringify(body), {
        status,
        headers: { 'Content-Type': 'application/json' }
      })
    if (url.pathname.endsWith('/healthz')) {
      if (url.hostname === 'rig-a') return new Response('ok\n')
      throw new TypeError('fetch failed')
    }
    if (url.pathname.endsWith('/api/v1/targets'))
      return json({
        status: 'success',
        data: {
          activeTargets: [
            { labels: a, scrapeUrl: 'http://rig-a:7878/metrics' },
            { labels: b, scrapeUrl: 'https://rig-b:7878/metrics' }
          ]
        }
      })
    const q = url.searchParams.get('query') ?? ''
    const result = RESULTS[q]
    if (result === undefined) return json({ status: 'error', error: `unexpected query ${q}` }, 400)
    return json({ status: 'success', data: { resultType: 'vector', result } })
  }) as typeof fetch
}

describe('fleet-client', () => {
  it('lists every instance with its numbers from PromQL, and probes the agents', async () => {
    const calls: { url: URL; auth: string | null }[] = []
    const fleet = createFleetService({ fetchImpl: fakeFetch(calls), now: () => 1_700_000_100_000 })
    fleet.setConfig({
      prometheusUrl: 'http://prom.lan:9090/prefix/',
      auth: { kind: 'basic', username: 'grafana', password: 'pw' }
    })
    const o = await fleet.list()
    expect(o.errors).toEqual([])
    expect(o.prometheusUrl).toBe('http://prom.lan:9090/prefix')
    expect(o.instances.map((i) => i.instance)).toEqual(['rig-a:7878', 'rig-b:7878'])
    const [ra, rb] = o.instances
    expect(ra).toMatchObject({
      hostname: { status: 'ok', value: 'trainbox' },
      up: { status: 'ok', value: true },
      agentUrl: { status: 'ok', value: 'http://rig-a:7878/' },
      reachable: { status: 'ok', value: true },
      trainingScore: { status: 'ok', value: 58 },
      inferenceScore: { status: 'ok', value: 83 },
      throttlingNow: { status: 'ok', value: ['power'] },
      lastSeenMs: { status: 'ok', value: 1_700_000_000_500 }
    })
    // 81/87 is closer to its limit than 70/84.
    expect(ra!.hottest).toEqual({
      status: 'ok',
      value: { device: 'gpu0', temperatureCelsius: 81, limitCelsius: { status: 'ok', value: 87 } }
    })
    expect(ra!.throttled24h).toEqual({
      status: 'ok',
      value: {
        throttledFraction: 0.125,
        byCause: { power: 0.1, thermal: 0.025 },
        observedSeconds: 36000
      }
    })
    // The second instance exports nothing but build info: unknown, never 0.
    expect(rb!.up).toEqual({ status: 'ok', value: false })
    expect(rb!.trainingScore.status).toBe('unavailable')
    expect(rb!.hottest.status).toBe('unavailable')
    expect(rb!.throttlingNow.status).toBe('unavailable')
    expect(rb!.reachable).toEqual({ status: 'ok', value: false })
    expect(
      calls
        .filter((c) => c.url.pathname.startsWith('/prefix/api/'))
        .every((c) => c.auth === 'Basic Z3JhZmFuYTpwdw==')
    ).toBe(true)
    // Credentials never go to the agents and never come back to the UI.
    expect(
      calls.filter((c) => c.url.pathname.endsWith('/healthz')).every((c) => c.auth === null)
    ).toBe(true)
    expect(JSON.stringify(fleet.getConfig())).not.toContain('pw')
    expect(fleet.getConfig()).toEqual({
      prometheusUrl: 'http://prom.lan:9090/prefix',
      authKind: 'basic',
      username: 'grafana',
      storage: 'memory'
    })
  })

  it('fails clearly when Prometheus is unreachable or not configured', async () => {
    const fleet = createFleetService({
      fetchImpl: (async () => {
        throw new TypeError('fetch failed', {
          cause: new Error('connect ECONNREFUSED 127.0.0.1:9')
        })
      }) as typeof fetch
    })
    await expect(fleet.list()).rejects.toThrow(/no Prometheus server is configured/)
    fleet.setConfig({ prometheusUrl: 'http://127.0.0.1:9', auth: { kind: 'none' } })
    await expect(fleet.list()).rejects.toThrow(
      /Prometheus unreachable at http:\/\/127\.0\.0\.1:9 \(connect ECONNREFUSED/
    )
  })

  it('refuses URLs it should not fetch', () => {
    expect(() => normalisePrometheusUrl('file:///etc/passwd')).toThrow(/http/)
    expect(() => normalisePrometheusUrl('http://u:p@prom:9090')).toThrow(/credentials/)
    expect(() => normalisePrometheusUrl('http://prom:9090/?x=1')).toThrow(/query/)
    expect(() => normalisePrometheusUrl('not a url')).toThrow(/not a URL/)
    expect(normalisePrometheusUrl('https://prom.lan:9090/')).toBe('https://prom.lan:9090')
  })

  it('caps the response size it reads', async () => {
    const fleet = createFleetService({
      limits: { maxResponseBytes: 100 },
      fetchImpl: (async () => new Response('x'.repeat(1000))) as typeof fetch
    })
    fleet.setConfig({ prometheusUrl: 'http://prom:9090', auth: { kind: 'none' } })
    await expect(fleet.list()).rejects.toThrow(/larger than 100 bytes/)
  })
})
