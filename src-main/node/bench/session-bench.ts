/**
 * Session figures for `npm run bench`: bytes per sample of the encodings considered (on one synthetic hour of
 * the fixture machine), a 72 h × 1 Hz session written through the real writer (size, bytes per sample,
 * write cost), and `rigready report` on it as a child process (wall time and peak RSS, against the 2 s and
 * 200 MB budgets), the review in process from segment summaries and with every tick decoded, plus replay
 * start and seek latency. Figures, never assertions.
 *
 * `BENCH_SESSION_HOURS` shortens the long session (default 72); `BENCH_SESSION_DIR` keeps the files.
 */
import { spawn } from 'node:child_process'
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Snapshot } from '../../shared/telemetry'
import { SegmentEncoder } from '../recorder/codec'
import { FRAME_HEADER_BYTES } from '../recorder/frames'
import { openSession } from '../recorder/reader'
import { reviewOpened } from '../recorder/review'
import { createSessionWriter } from '../recorder/writer'
import { FlushingDeflater } from '../recorder/zstream'
import { syntheticInventory, syntheticRun } from './synth-session'

const MB = 1e6
const SAMPLES_72H = 72 * 3600

/** JSON lines of changed leaves only (`{"t":…,"c":{"gpus.0.temperatureCelsius.value":77}}`): a text candidate. */
class JsonDeltaEncoder {
  private prev = new Map<string, unknown>()
  encode(s: Snapshot): string {
    const cur = new Map<string, unknown>()
    const walk = (v: unknown, p: string): void => {
      if (v === null || typeof v !== 'object') cur.set(p, v)
      else if (Array.isArray(v)) {
        if (v.length === 0) cur.set(p, [])
        v.forEach((x, i) => walk(x, `${p}.${i}`))
      } else {
        const keys = Object.keys(v)
        if (keys.length === 0) cur.set(p, {})
        for (const k of keys)
          if (k !== 'timestampMs' && k !== 'seq')
            walk((v as Record<string, unknown>)[k], p ? `${p}.${k}` : k)
      }
    }
    walk(s, '')
    const c: Record<string, unknown> = {}
    for (const [k, v] of cur) if (this.prev.get(k) !== v || !this.prev.has(k)) c[k] = v
    const gone = [...this.prev.keys()].filter((k) => !cur.has(k))
    this.prev = cur
    return JSON.stringify({ t: s.timestampMs, c, ...(gone.length ? { d: gone } : {}) }) + '\n'
  }
}

interface Candidate {
  name: string
  bytesPerSample: number
}

async function candidates(hourSamples: Snapshot[]): Promise<Candidate[]> {
  const n = hourSamples.length
  const v1 = hourSamples.reduce((a, s) => a + Buffer.byteLength(JSON.stringify(s) + '\n'), 0)
  const jd = new JsonDeltaEncoder()
  const jdDeflate = new FlushingDeflater(6)
  let jdBytes = 0
  let jdZ = 0
  for (const s of hourSamples) {
    const line = Buffer.from(jd.encode(s))
    jdBytes += line.length
    jdZ += (await jdDeflate.push(line)).length + FRAME_HEADER_BYTES
  }
  jdDeflate.close()
  const enc = new SegmentEncoder(hourSamples[0].timestampMs)
  enc.reset()
  let rows = 0
  const rowDeflate = new FlushingDeflater(6)
  let rowsZ = 0
  for (const s of hourSamples) {
    enc.encodeTick(s)
    const b = enc.takeBytes()
    rows += b.length + FRAME_HEADER_BYTES
    rowsZ += (await rowDeflate.push(b)).length + FRAME_HEADER_BYTES
  }
  rowDeflate.close()
  return [
    { name: 'v1: whole snapshot per JSON line', bytesPerSample: v1 / n },
    { name: 'JSON lines of changed leaves', bytesPerSample: jdBytes / n },
    {
      name: 'JSON lines of changed leaves, deflate sync-flushed per sample',
      bytesPerSample: jdZ / n
    },
    {
      name: 'binary rows of changed leaves (path table, delta varints), framed',
      bytesPerSample: rows / n
    },
    {
      name: 'binary rows, deflate sync-flushed per sample, framed (chosen)',
      bytesPerSample: rowsZ / n
    }
  ]
}

/** Runs the built CLI with a peak-RSS probe; resolves with wall time (ms), peak RSS (MB) and exit code. */
function runCli(
  cli: string,
  args: string[]
): Promise<{ wallMs: number; rssMb: number; code: number | null }> {
  const probe = [
    `process.on('exit', () => process.stderr.write('\\nMAXRSS=' + process.resourceUsage().maxRSS + '\\n'))`,
    `process.argv.splice(1, 0, ${JSON.stringify(cli)})`,
    `await import(${JSON.stringify(cli)})`
  ].join(';')
  return new Promise((done) => {
    const t0 = performance.now()
    const p = spawn(process.execPath, ['--input-type=module', '-e', probe, '--', ...args], {
      stdio: ['ignore', 'ignore', 'pipe']
    })
    let err = ''
    p.stderr.on('data', (c: Buffer) => (err += c.toString()))
    p.once('exit', (code) => {
      const m = /MAXRSS=(\d+)/.exec(err)
      done({ wallMs: performance.now() - t0, rssMb: m ? (Number(m[1]) * 1024) / MB : NaN, code })
    })
  })
}

/** Prints the session figures. */
export async function benchSessions(): Promise<void> {
  const hours = Number(process.env.BENCH_SESSION_HOURS ?? 72)
  const samples = Math.round(hours * 3600)
  const keep = process.env.BENCH_SESSION_DIR
  const dir = keep ?? (await mkdtemp(join(tmpdir(), 'rigready-session-bench-')))
  await mkdir(dir, { recursive: true })
  const cli = resolve(dirname(fileURLToPath(import.meta.url)), 'cli.js')
  console.log('')
  console.log(
    'Sessions — the fixture machine (RTX 4090, Ryzen 9 7950X, 64 GB, NVMe + SATA SSD), synthetic, 1 Hz'
  )
  const start = Date.UTC(2026, 0, 5, 20)
  const hour: Snapshot[] = []
  const run1 = syntheticRun({ startMs: start })
  for (let i = 0; i < 3600; i++) hour.push(run1.next().value)
  for (const c of await candidates(hour))
    console.log(
      `  encoding: ${c.name.padEnd(66)} ${c.bytesPerSample.toFixed(1).padStart(8)} B/sample → ${((c.bytesPerSample * SAMPLES_72H) / MB).toFixed(1).padStart(7)} MB per 72 h`
    )
  const run32 = syntheticRun({ startMs: start, logicalCores: 32 })
  const hour32: Snapshot[] = []
  for (let i = 0; i < 3600; i++) hour32.push(run32.next().value)
  const c32 = (await candidates(hour32)).at(-1)
  if (c32)
    console.log(
      `  encoding: ${'chosen, with 32 logical CPUs (per-core clocks and load)'.padEnd(66)} ${c32.bytesPerSample.toFixed(1).padStart(8)} B/sample → ${((c32.bytesPerSample * SAMPLES_72H) / MB).toFixed(1).padStart(7)} MB per 72 h`
    )

  const path = join(dir, `bench-${hours}h.rrs`)
  await rm(path, { force: true })
  const run = syntheticRun({ startMs: start })
  const first = run.next().value
  const writer = await createSessionWriter(path, {
    startedAtMs: first.timestampMs,
    intervalMs: 1000,
    inventory: syntheticInventory(first.timestampMs)
  })
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  await writer.append(first)
  for (let i = 1; i < samples; i++) {
    await writer.append(run.next().value)
    if (i % 36_000 === 0)
      process.stdout.write(`  writing: ${(i / 3600).toFixed(0)} h of ${hours} h\r`)
  }
  await writer.close()
  const wallS = (performance.now() - t0) / 1000
  const cpu = process.cpuUsage(cpu0)
  const size = (await stat(path)).size
  console.log(
    `  ${hours} h × 1 Hz through the real writer: ${(size / MB).toFixed(1)} MB (${(size / samples).toFixed(1)} B/sample; budget 100 MB for 72 h), ` +
      `${((cpu.user + cpu.system) / 1000 / samples).toFixed(3)} ms CPU per sample to encode and write (${wallS.toFixed(0)} s wall)`
  )
  for (const [what, args] of [
    ['report', ['report', path]],
    ['report --json', ['report', path, '--json']],
    ['report --csv', ['report', path, '--csv']],
    ['report --html', ['report', path, '--html']]
  ] as const) {
    const r = await runCli(cli, [...args])
    console.log(
      `  ${what.padEnd(14)} on it: ${(r.wallMs / 1000).toFixed(2)} s wall, peak RSS ${r.rssMb.toFixed(0)} MB${what === 'report' ? ' (budget 2 s and 200 MB)' : ''}${r.code === 0 ? '' : ` (exit ${r.code})`}`
    )
  }
  // The same review in this process, merged from the segment summaries and with every tick decoded.
  const opened = await openSession(path)
  for (const summaries of [true, false]) {
    const t = performance.now()
    const r = await reviewOpened(opened, { summaries, envelopeBuckets: 1000 })
    console.log(
      `  review + 1000-point chart in process, ${summaries ? `from ${r.summarized} segment summaries` : 'every tick decoded'}: ${((performance.now() - t) / 1000).toFixed(2)} s`
    )
  }
  const first1 = await runCli(cli, ['snapshot', '--replay', path, '--json'])
  const seek = await runCli(cli, [
    'snapshot',
    '--replay',
    path,
    '--seek',
    `${Math.floor(hours / 2)}h`,
    '--json'
  ])
  console.log(
    `  replay: first snapshot after ${(first1.wallMs / 1000).toFixed(2)} s; --seek ${Math.floor(hours / 2)}h first snapshot after ${(seek.wallMs / 1000).toFixed(2)} s (process start included)`
  )
  if (!keep) await rm(dir, { recursive: true, force: true })
  else console.log(`  kept ${path}`)
}
