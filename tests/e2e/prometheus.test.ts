/**
 * A real Prometheus (Debian's `prometheus`) scrapes two `rigready serve --replay` agents, with the fleet
 * alert rules loaded:
 * - PromQL through its HTTP API returns each agent's GPU temperature, throttle seconds per cause equal to
 *   the recording integrated snapshot by snapshot (checked at every scrape in a window, by sequence
 *   number), `rate()` of them by cause, and the readiness scores the agents report;
 * - `promtool check metrics` on both expositions, `check rules`, `test rules`, `check config` pass;
 * - every query of the Grafana dashboard and of the alert rules runs on this Prometheus and names metrics
 *   the agents export;
 * - the fleet view in Chromium, pointed at this Prometheus, lists both agents with their numbers.
 * Runs where `prometheus` is installed; required in CI.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseSession, type Session } from '../../src-main/node/recorder/session'
import { buildExposition } from '../../src-main/node/metrics/exporter'
import {
  createThrottleAccounting,
  THROTTLING_CAUSES
} from '../../src-main/node/metrics/throttle-accounting'
import { cpuSample, gpuSample, snapshot, storageDevice } from '../helpers/snapshot-builder'
import type { Snapshot } from '../../src-main/shared/telemetry'
import { CHROMIUM_PATH, RENDERER_DIR, collectErrors, launchChromium } from '../helpers/chromium'
import { CLI_PATH, startServeProcess, type ServeProcess } from '../helpers/serve-process'

const run = promisify(execFile)
const SESSION = resolve(import.meta.dirname, '../fixtures/sessions/rtx4090-training-run.jsonl')
const FLEET = resolve(import.meta.dirname, '../../resources/fleet')
const PROMETHEUS = '/usr/bin/prometheus'
const PROMTOOL = '/usr/bin/promtool'
const SPEED = 4
const available = existsSync(PROMETHEUS) && existsSync(PROMTOOL) && existsSync(CLI_PATH)

function freePort(): Promise<number> {
  return new Promise((res) => {
    const s = createServer()
    s.listen(0, '127.0.0.1', () => {
      const a = s.address()
      s.close(() => res(typeof a === 'object' && a ? a.port : 0))
    })
  })
}

interface PromResult {
  metric: Record<string, string>
  value: [number, string]
}
interface PromMatrix {
  metric: Record<string, string>
  values: [number, string][]
}

/** Expected gpu0 counters after the replay emitted snapshot `seq` (the exporter's rules, from the file). */
function integrate(
  session: Session,
  seq: number
): { observed: number; byCause: Record<string, number> } {
  const snaps = session.snapshots
  const n = snaps.length
  const byCause: Record<string, number> = {}
  let observed = 0
  for (let j = 1; j <= seq; j++) {
    const cur = snaps[j % n]!
    const prev = snaps[(j - 1) % n]!
    const dtMs = j % n === 0 ? session.header.intervalMs : cur.timestampMs - prev.timestampMs
    if (!(dtMs > 0 && dtMs <= 5000)) continue
    const flags = cur.gpus[0]!.throttleFlags
    if (flags.status !== 'ok') continue
    observed += dtMs / 1000
    for (const c of new Set(flags.value.map((f) => f.cause)))
      if ((THROTTLING_CAUSES as readonly string[]).includes(c))
        byCause[c] = (byCause[c] ?? 0) + dtMs / 1000
  }
  return { observed, byCause }
}

const suite = available ? describe : process.env.CI ? describe : describe.skip
suite(
  `Prometheus scraping two rigready agents${available ? '' : ' (skipped: needs /usr/bin/prometheus, promtool and a built out/main/cli.js)'}`,
  () => {
    let agents: { url: string; instance: string; session: Session; proc: ServeProcess }[] = []
    let prom: ChildProcess
    let dir: string
    let promUrl: string

    const api = async <T>(path: string, params: Record<string, string>): Promise<T> => {
      const u = new URL(`${promUrl}${path}`)
      for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v)
      const r = await fetch(u)
      const body = (await r.json()) as { status: string; data: T; error?: string }
      if (body.status !== 'success') throw new Error(`${params.query ?? path}: ${body.error}`)
      return body.data
    }
    const query = async (q: string, time?: number): Promise<PromResult[]> =>
      (
        await api<{ result: PromResult[] }>('/api/v1/query', {
          query: q,
          ...(time !== undefined ? { time: String(time) } : {})
        })
      ).result
    const matrix = async (q: string, time: number): Promise<PromMatrix[]> =>
      (await api<{ result: PromMatrix[] }>('/api/v1/query', { query: q, time: String(time) }))
        .result

    beforeAll(async () => {
      expect(available, 'prometheus, promtool and the built CLI are required in CI').toBe(true)
      dir = await mkdtemp(join(tmpdir(), 'rr-prom-'))
      const text = await readFile(SESSION, 'utf8')
      // A second machine: same recording, another host name, GPU 3 °C warmer.
      const lines = text.trimEnd().split('\n')
      const header = JSON.parse(lines[0]!) as { inventory: { host: { hostname: string } } }
      header.inventory.host.hostname = 'inference-rig'
      const warmer = lines.slice(1).map((l) => {
        const s = JSON.parse(l) as Snapshot
        const t = s.gpus[0]!.temperatureCelsius
        if (t.status === 'ok') t.value += 3
        return JSON.stringify(s)
      })
      const second = join(dir, 'inference-rig.jsonl')
      await writeFile(second, [JSON.stringify(header), ...warmer].join('\n') + '\n')
      const promPort = await freePort()
      promUrl = `http://127.0.0.1:${promPort}`
      const started = await Promise.all([
        startServeProcess(SESSION, {
          speed: SPEED,
          extraArgs: ['--loop', '--fleet-prometheus', promUrl]
        }),
        startServeProcess(second, { speed: SPEED, extraArgs: ['--loop'] })
      ])
      agents = [
        { proc: started[0], session: parseSession(text) },
        { proc: started[1], session: parseSession(await readFile(second, 'utf8')) }
      ].map((a) => ({ ...a, url: a.proc.url, instance: new URL(a.proc.url).host }))
      await copyFile(join(FLEET, 'rigready-alerts.yml'), join(dir, 'rigready-alerts.yml'))
      await writeFile(
        join(dir, 'prometheus.yml'),
        [
          'global:',
          '  scrape_interval: 1s',
          '  evaluation_interval: 1s',
          'rule_files:',
          '  - rigready-alerts.yml',
          'scrape_configs:',
          '  - job_name: rigready',
          '    static_configs:',
          `      - targets: [${agents.map((a) => `'${a.instance}'`).join(', ')}]`,
          ''
        ].join('\n')
      )
      prom = spawn(
        PROMETHEUS,
        [
          `--config.file=${join(dir, 'prometheus.yml')}`,
          `--storage.tsdb.path=${join(dir, 'data')}`,
          `--web.listen-address=127.0.0.1:${promPort}`
        ],
        { stdio: 'ignore' }
      )
      const deadline = Date.now() + 45_000
      let lastState = ''
      for (;;) {
        try {
          const up = await query('up{job="rigready"} == 1')
          const scores = await query('rigready_readiness_score{kind="training"}')
          const seq = await query('count_over_time(rigready_snapshot_sequence[1m]) >= 14')
          lastState = `up ${up.length}, scores ${scores.length}, sequences ${seq.length}`
          if (up.length === 2 && scores.length === 2 && seq.length === 2) break
        } catch (e) {
          lastState = String(e)
        }
        if (Date.now() > deadline)
          throw new Error(`Prometheus did not scrape both agents within 45 s (${lastState})`)
        await new Promise((r) => setTimeout(r, 500))
      }
    }, 90_000)

    afterAll(async () => {
      prom?.kill('SIGKILL')
      await Promise.all(agents.map((a) => a.proc.kill()))
      if (dir) await rm(dir, { recursive: true, force: true })
    })

    it('returns each agent’s GPU temperature, in base units with its labels', async () => {
      const t = await query('rigready_gpu_temperature_celsius')
      expect(t).toHaveLength(2)
      for (const a of agents) {
        const temps = new Set(
          a.session.snapshots.flatMap((s) =>
            s.gpus[0]?.temperatureCelsius.status === 'ok'
              ? [s.gpus[0].temperatureCelsius.value]
              : []
          )
        )
        const mine = t.find((r) => r.metric.instance === a.instance)!
        expect(mine.metric).toMatchObject({
          gpu: '0',
          vendor: 'nvidia',
          name: 'NVIDIA GeForce RTX 4090'
        })
        expect(temps.has(Number(mine.value[1]))).toBe(true)
      }
      const clock = await query('rigready_gpu_sm_clock_max_hertz')
      expect(Number(clock[0]!.value[1])).toBe(3120e6)
      const limit = await query('rigready_gpu_temperature_slowdown_celsius')
      expect(limit.length).toBe(2)
      const u = await query('rigready_reading_unavailable{series="gpu_memory_temperature_celsius"}')
      expect(u[0]!.metric.reason).toBe('unsupported')
      expect(await query('rigready_gpu_memory_temperature_celsius')).toEqual([])
    })

    it('stores throttle seconds per cause equal to the recording, scrape by scrape, and rates them', async () => {
      for (const a of agents) {
        const [latest] = await query(
          `timestamp(rigready_snapshot_sequence{instance="${a.instance}"})`
        )
        const t = Number(latest!.value[1])
        const W = 10
        const sel = `{instance="${a.instance}",device="gpu0"}`
        const seqs = (
          await matrix(`rigready_snapshot_sequence{instance="${a.instance}"}[${W}s]`, t)
        )[0]!.values
        const counters = await matrix(`rigready_throttle_seconds_total${sel}[${W}s]`, t)
        const observed = (
          await matrix(`rigready_throttle_observed_seconds_total${sel}[${W}s]`, t)
        )[0]!.values
        // The window is full of samples (rate() of a series younger than its window under-reads).
        expect(seqs.length).toBeGreaterThanOrEqual(8)
        expect(seqs[0]![0] - (t - W)).toBeLessThan(1.5)
        expect(counters.map((c) => c.metric.cause).sort()).toEqual(
          ['current', 'hw-slowdown', 'other', 'power', 'psu', 'thermal'].sort()
        )
        // Every scrape in the window: each counter equals the recording integrated up to that snapshot.
        for (const [ts, seqText] of seqs) {
          const expected = integrate(a.session, Number(seqText))
          const obs = observed.find(([x]) => x === ts)
          expect(Number(obs![1])).toBeCloseTo(expected.observed, 6)
          for (const c of counters) {
            const v = c.values.find(([x]) => x === ts)
            expect(Number(v![1]), `${c.metric.cause} at seq ${seqText}`).toBeCloseTo(
              expected.byCause[c.metric.cause!] ?? 0,
              6
            )
          }
        }
        // rate() by cause over the same window: the recording's throttled seconds per wall second.
        const rates = await query(
          `sum by (cause) (rate(rigready_throttle_seconds_total${sel}[${W}s]))`,
          t
        )
        const first = integrate(a.session, Number(seqs[0]![1]))
        const last = integrate(a.session, Number(seqs.at(-1)![1]))
        const span = seqs.at(-1)![0] - seqs[0]![0]
        for (const r of rates) {
          const cause = r.metric.cause!
          const expectedRate = ((last.byCause[cause] ?? 0) - (first.byCause[cause] ?? 0)) / span
          const got = Number(r.value[1])
          expect(got).toBeGreaterThanOrEqual(0)
          expect(got).toBeLessThanOrEqual(SPEED * 1.5)
          // Prometheus extrapolates to the window's edges: within a sample interval's share of it.
          expect(Math.abs(got - expectedRate), cause).toBeLessThanOrEqual(
            Math.max(0.05, expectedRate * 0.35)
          )
        }
        expect(rates.some((r) => Number(r.value[1]) > 0)).toBe(true)
      }
    })

    it('returns the readiness scores each agent reports', async () => {
      for (const a of agents) {
        let match = false
        for (let attempt = 0; attempt < 10 && !match; attempt++) {
          const report = (await (await fetch(new URL('api/report', a.url))).json()) as {
            training: { score: { status: string; value: number } }
            inference: { score: { status: string; value: number } }
            profiles: { profileId: string; score: number }[]
          }
          const got = await query(`rigready_readiness_score{instance="${a.instance}"}`)
          const by = Object.fromEntries(got.map((r) => [r.metric.kind, Number(r.value[1])]))
          match =
            by.training === report.training.score.value &&
            by.inference === report.inference.score.value
          if (match) {
            const profiles = await query(
              `rigready_profile_readiness_score{instance="${a.instance}"}`
            )
            expect(profiles.length).toBe(report.profiles.length)
          } else await new Promise((r) => setTimeout(r, 1000))
        }
        expect(match, `${a.instance}: Prometheus and /api/report agree`).toBe(true)
      }
    })

    it('loads every alert rule and recording rule and evaluates them without error', async () => {
      const data = await api<{
        groups: { rules: { name: string; health: string; lastError?: string }[] }[]
      }>('/api/v1/rules', {})
      const rules = data.groups.flatMap((g) => g.rules)
      expect(rules.map((r) => r.name)).toContain('RigReadyThermalThrottling')
      expect(rules).toHaveLength(9)
      for (const r of rules) expect(r.health, `${r.name}: ${r.lastError ?? ''}`).not.toBe('err')
      const frac = await query('rigready:throttle_fraction:rate10m{device="gpu0"}')
      expect(frac.length).toBeGreaterThan(0)
      for (const f of frac) expect(Number(f.value[1])).toBeLessThanOrEqual(1)
    })

    it('passes promtool on the expositions, the rules, their unit tests and the scrape example', async () => {
      for (const a of agents) {
        const text = await (await fetch(new URL('metrics', a.url))).text()
        const file = join(dir, `${a.instance.replace(':', '_')}.prom`)
        await writeFile(file, text)
        const r = await run('sh', ['-c', `${PROMTOOL} check metrics < "${file}"`]).catch(
          (e: { stdout: string; stderr: string }) => ({ stdout: e.stdout, stderr: e.stderr })
        )
        expect(`${r.stdout}${r.stderr}`).toBe('')
      }
      await run(PROMTOOL, ['check', 'rules', join(FLEET, 'rigready-alerts.yml')])
      const tests = await run(PROMTOOL, ['test', 'rules', join(FLEET, 'rigready-alerts.test.yml')])
      expect(tests.stdout).toMatch(/SUCCESS/)
      await run(PROMTOOL, [
        'check',
        'config',
        '--syntax-only',
        join(FLEET, 'prometheus-scrape.yml')
      ])
    })

    it('runs every dashboard and alert query on Prometheus, naming only metrics the agents export', async () => {
      const known = new Set<string>()
      for (const a of agents) {
        const text = await (await fetch(new URL('metrics', a.url))).text()
        for (const m of text.matchAll(/^# TYPE (rigready_[a-z0-9_]+) /gm)) known.add(m[1]!)
        // Families omitted because their reading is unknown here still exist: they say so.
        for (const m of text.matchAll(/^rigready_reading_unavailable\{series="([a-z0-9_]+)"/gm))
          known.add(`rigready_${m[1]}`)
      }
      // Families this recording cannot produce (it has no drives): the exporter's own output for a
      // machine that has them.
      const full = await buildExposition({
        ns: 'rigready',
        version: 'test',
        inventory: null,
        snapshot: snapshot({
          gpus: [
            gpuSample({ index: 0, hotspotTemperatureCelsius: 80, throttle: ['sw_power_cap'] })
          ],
          cpu: cpuSample({ packageTemperatureCelsius: 70, packagePowerWatts: 90 }),
          overrides: {
            storage: {
              status: 'ok',
              value: {
                devices: [
                  storageDevice({ name: 'nvme0n1', temperatureCelsius: 45, tempMaxCelsius: 84 })
                ],
                filesystems: [
                  {
                    mount: '/',
                    sizeBytes: { status: 'ok', value: 1e12 },
                    freeBytes: { status: 'ok', value: 5e11 }
                  }
                ]
              }
            }
          }
        }),
        report: { status: 'unavailable', reason: 'warming-up' },
        throttle: createThrottleAccounting()
      })
      for (const m of full.text.matchAll(/^# TYPE (rigready_[a-z0-9_]+) /gm)) known.add(m[1]!)
      const dash = JSON.parse(await readFile(join(FLEET, 'grafana-dashboard.json'), 'utf8')) as {
        uid: string
        templating: { list: { name: string; query?: { query: string } | string }[] }
        annotations: { list: { expr: string }[] }
        panels: {
          type: string
          title: string
          targets?: { expr: string }[]
          datasource?: { uid: string }
        }[]
      }
      expect(dash.uid).toBe('rigready-fleet')
      expect(dash.templating.list.map((v) => v.name)).toEqual(['datasource', 'instance'])
      const exprs: { where: string; expr: string }[] = []
      for (const p of dash.panels.filter((x) => x.type !== 'row')) {
        expect(p.targets?.length, p.title).toBeGreaterThan(0)
        expect(p.datasource?.uid, p.title).toBe('${datasource}')
        for (const t of p.targets ?? []) exprs.push({ where: p.title, expr: t.expr })
      }
      for (const a of dash.annotations.list) exprs.push({ where: 'annotation', expr: a.expr })
      const rulesText = await readFile(join(FLEET, 'rigready-alerts.yml'), 'utf8')
      for (const m of rulesText.matchAll(
        /expr: \|?\s*\n?([\s\S]*?)(?=\n\s+(?:for|labels|- record|- alert):|\n\s*$)/g
      ))
        exprs.push({ where: 'rules', expr: m[1]!.trim() })
      const instance = dash.templating.list.find((v) => v.name === 'instance')!
      const varQuery = typeof instance.query === 'string' ? instance.query : instance.query!.query
      expect(varQuery).toBe('label_values(rigready_build_info, instance)')
      const values = await api<string[]>('/api/v1/label/instance/values', {
        'match[]': 'rigready_build_info'
      })
      expect(values.sort()).toEqual(agents.map((a) => a.instance).sort())
      for (const { where, expr } of exprs) {
        const q = expr
          .replaceAll('$__rate_interval', '1m')
          .replaceAll('$__range', '1h')
          .replaceAll('$instance', '.*')
        await expect(query(q), `${where}: ${q}`).resolves.toBeDefined()
        for (const m of q.matchAll(/\b(rigready_[a-z0-9_]+)\b/g))
          expect(
            known.has(m[1]!) || m[1]!.startsWith('rigready_:'),
            `${where}: ${m[1]} is not exported`
          ).toBe(true)
      }
      expect(exprs.length).toBeGreaterThan(30)
    })

    const browserReady =
      existsSync(CHROMIUM_PATH) && existsSync(resolve(RENDERER_DIR, 'index.html'))
    it.runIf(browserReady || process.env.CI)(
      'shows both agents with their numbers in the fleet view, in Chromium',
      async () => {
        const fleet = (await (await fetch(new URL('api/fleet', agents[0]!.url))).json()) as {
          instances: {
            instance: string
            trainingScore: { value: number }
            hottest: { value: { temperatureCelsius: number } }
          }[]
        }
        expect(fleet.instances.map((i) => i.instance).sort()).toEqual(
          agents.map((a) => a.instance).sort()
        )
        const browser = await launchChromium()
        try {
          const page = await browser.newPage()
          const errors = collectErrors(page)
          await page.goto(new URL('#/fleet', agents[0]!.url).toString())
          for (const a of agents)
            await page.locator(`tr[data-instance="${a.instance}"]`).waitFor({ timeout: 20_000 })
          for (const a of agents) {
            const row = page.locator(`tr[data-instance="${a.instance}"]`)
            const [training] = await query(
              `rigready_readiness_score{instance="${a.instance}",kind="training"}`
            )
            await expect
              .poll(async () => row.locator('[data-col="training"]').innerText(), {
                timeout: 20_000
              })
              .toBe(String(Math.round(Number(training!.value[1]))))
            expect(await row.locator('[data-col="status"]').innerText()).toBe('up')
            expect(await row.locator('[data-col="hottest"]').innerText()).toMatch(
              /^gpu0 \d+(\.\d)? °C of 8\d(\.\d)? °C$/
            )
            expect(await row.locator('[data-col="throttled-24h"]').innerText()).toMatch(/%/)
            expect(await row.locator('[data-col="last-seen"]').innerText()).toMatch(/now|ago/)
          }
          await expect(
            page.locator(`tr[data-instance="${agents[0]!.instance}"] th a`).innerText()
          ).resolves.toBe('training-rig')
          expect(
            await page.locator(`tr[data-instance="${agents[1]!.instance}"] th`).innerText()
          ).toContain('inference-rig')
          expect(errors).toEqual([])
        } finally {
          await browser.close()
        }
      },
      60_000
    )
  }
)
