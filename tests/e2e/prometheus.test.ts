/**
 * A real Prometheus scrapes `rigready serve --replay … /metrics`: the exposition parses, the target is up,
 * GPU series carry the recording's values, and unknown readings appear as `rigready_reading_unavailable`
 * with a reason instead of zeros. Runs where `prometheus` is installed; required in CI.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseSession } from '../../src-main/node/recorder/session'
import { CLI_PATH, startServeProcess, type ServeProcess } from '../helpers/serve-process'

const SESSION = resolve(import.meta.dirname, '../fixtures/sessions/rtx4090-training-run.jsonl')
const PROMETHEUS = '/usr/bin/prometheus'
const available = existsSync(PROMETHEUS) && existsSync(CLI_PATH)

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

const suite = available ? describe : process.env.CI ? describe : describe.skip
suite(
  `Prometheus scraping rigready serve${available ? '' : ' (skipped: needs /usr/bin/prometheus and a built out/main/cli.js)'}`,
  () => {
    let agent: ServeProcess
    let prom: ChildProcess
    let dir: string
    let promUrl: string
    let temps: number[]

    const query = async (q: string): Promise<PromResult[]> => {
      const r = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(q)}`)
      const body = (await r.json()) as { status: string; data: { result: PromResult[] } }
      return body.status === 'success' ? body.data.result : []
    }

    beforeAll(async () => {
      expect(available, 'prometheus and the built CLI are required in CI').toBe(true)
      const session = parseSession(await readFile(SESSION, 'utf8'))
      temps = session.snapshots.flatMap((s) =>
        s.gpus[0]?.temperatureCelsius.status === 'ok' ? [s.gpus[0].temperatureCelsius.value] : []
      )
      agent = await startServeProcess(SESSION, { speed: 1, extraArgs: ['--loop'] })
      dir = await mkdtemp(join(tmpdir(), 'rr-prom-'))
      const target = new URL(agent.url).host
      await writeFile(
        join(dir, 'prometheus.yml'),
        `global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: rigready\n    static_configs:\n      - targets: ['${target}']\n`
      )
      const port = await freePort()
      promUrl = `http://127.0.0.1:${port}`
      prom = spawn(
        PROMETHEUS,
        [
          `--config.file=${join(dir, 'prometheus.yml')}`,
          `--storage.tsdb.path=${join(dir, 'data')}`,
          `--web.listen-address=127.0.0.1:${port}`
        ],
        { stdio: 'ignore' }
      )
      const deadline = Date.now() + 30_000
      for (;;) {
        try {
          if (
            (await query('up{job="rigready"} == 1')).length > 0 &&
            (await query('rigready_gpu_temperature_celsius')).length > 0
          )
            break
        } catch {
          /* not up yet */
        }
        if (Date.now() > deadline)
          throw new Error('Prometheus did not scrape the agent within 30 s')
        await new Promise((r) => setTimeout(r, 500))
      }
    }, 60_000)

    afterAll(async () => {
      prom?.kill('SIGKILL')
      await agent?.kill()
      if (dir) await rm(dir, { recursive: true, force: true })
    })

    it('scrapes the agent: target up, GPU series with the recording values and base units', async () => {
      const t = await query('rigready_gpu_temperature_celsius')
      expect(t[0].metric).toMatchObject({
        gpu: '0',
        vendor: 'nvidia',
        name: 'NVIDIA GeForce RTX 4090',
        job: 'rigready'
      })
      expect(temps).toContain(Number(t[0].value[1]))
      const clock = await query('rigready_gpu_sm_clock_max_hertz')
      expect(Number(clock[0].value[1])).toBe(3120e6)
      const success = await query('rigready_collector_success{collector="gpu-nvidia"}')
      expect(success.length).toBeGreaterThan(0)
    })

    it('exports unknown readings as rigready_reading_unavailable with a reason, never as 0', async () => {
      const u = await query('rigready_reading_unavailable{series="gpu_memory_temperature_celsius"}')
      expect(u[0].metric.reason).toBe('unsupported')
      expect(await query('rigready_gpu_memory_temperature_celsius')).toEqual([])
    })
  }
)
