/**
 * `rigready probe` agrees with established tools on this machine: memory bandwidth with `sysbench memory`
 * and sequential storage throughput with `fio --direct=1 --bs=1M`, within 30 %, figures printed side by side.
 *
 * Method (fair on a shared, loaded machine):
 * - Rounds alternate which tool goes first (probe, tools, probe…), so slow drifts in background load hit
 *   both sides alike.
 * - Other processes can only take bandwidth away, never add it, so the noise is one-sided and the best of
 *   several short runs estimates the unloaded figure; both sides use it: the probe its best STREAM trial
 *   (100–400 ms each, as STREAM itself reports), sysbench the best one-second report of a 7 s run per round
 *   (`--report-interval=1`, the first second dropped), fio and the
 *   probe's storage phase one time-bounded run (about 4 s per direction) per round, plus two storage-only
 *   pairs (a storage-only probe and fio, alternating) because other processes' I/O moves a shared disk's
 *   throughput most; each memory figure is the best over the rounds, each storage figure the second-best
 *   of the five runs on both sides (one-off disk spikes go either way). Medians are printed beside them.
 * - Same conditions: all threads on both sides; sysbench blocks of 4× the last-level cache per thread, rounded
 *   up to a power of two as sysbench requires (the
 *   probe's arrays are capped at 2.8× here by the 4 GiB a wasm memory addresses; both are far beyond
 *   what the cache holds, see the sweep in the module notes); fio writes then reads one file in the same
 *   directory as the probe's file, with `end_fsync` as the probe's final `fdatasync`, into fresh space as
 *   the probe does (the file grows as written), and reads back exactly what it wrote, once: a virtual disk
 *   serves rewritten and re-read blocks from its host's cache, which a 4 GiB wrapping fio file measured.
 * - Same counting: read and write compare bytes read with bytes read and bytes written with bytes written.
 *   sysbench has no copy kernel, so the probe's STREAM copy (read + write bytes counted) is checked against
 *   the band sysbench's read R and write W imply: at least 2·R·W/(R+W), every byte read at R and then
 *   written at W with no overlap, and at most 2·min(R, W), copy's read stream no faster than a pure read
 *   and its write stream no faster than a pure write; each bound with the same 30 % margin.
 * - Judged only where it can be: a figure is asserted when both sides' own rounds repeat within 30 %; a
 *   virtual machine whose host moves memory bandwidth between two levels (seen: reads of 34 and 54 GB/s,
 *   writes of 28 and 50 GB/s in back-to-back probes) or a disk whose host caches and throttles (seen: one
 *   side's writes at 1912 MB/s, then four at 577–730) gets the figures printed with the spread that kept
 *   them from being judged.
 * sysbench's read loop uses scalar 8-byte loads and its single-thread read is lower than a SIMD read's, so
 * on machines with few cores the probe's read may sit above sysbench's by a systematic 10–30 %; the printed
 * table shows it.
 */
import { execFile } from 'node:child_process'
import { constants, existsSync } from 'node:fs'
import { mkdtemp, open, rm, stat, unlink } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ProbeResult } from '../../src-main/shared/probe'

const REPO = resolve(__dirname, '../..')
const CLI = join(REPO, 'out/main/cli.js')
const SYSBENCH = '/usr/bin/sysbench'
const FIO = '/usr/bin/fio'
const ROUNDS = 3
/** Storage-only pairs (probe, fio) after the rounds: a shared disk varies most between runs. */
const STORAGE_EXTRA_ROUNDS = 2
const MiB = 2 ** 20

const missing = [
  existsSync(CLI) ? null : 'out/main/cli.js not built (run `npx electron-vite build`)',
  existsSync(SYSBENCH) ? null : `${SYSBENCH} not installed (apt-get install sysbench)`,
  existsSync(FIO) ? null : `${FIO} not installed (apt-get install fio)`
].filter((m): m is string => m !== null)

function run(file: string, args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolveRun, reject) => {
    execFile(
      file,
      args,
      { timeout: timeoutMs, maxBuffer: 64 * MiB, env: { ...process.env, RIGREADY_LOG: 'error' } },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`${file} ${args.join(' ')}: ${err.message}\n${stderr}`))
        else resolveRun(stdout)
      }
    )
  })
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}
const value = (r: { status: string; value?: number }, what: string): number => {
  if (r.status !== 'ok' || r.value === undefined)
    throw new Error(`${what} is unknown: ${JSON.stringify(r)}`)
  return r.value
}

/** A directory where O_DIRECT works (fio --direct=1 needs it too): the temp dir, else one under out/. */
async function directIoDir(): Promise<string> {
  for (const base of [tmpdir(), join(REPO, 'out')]) {
    const dir = await mkdtemp(join(base, 'rr-probe-agree-'))
    const f = join(dir, 'o_direct_check')
    try {
      const fh = await open(
        f,
        constants.O_RDWR | constants.O_CREAT | (constants as { O_DIRECT?: number }).O_DIRECT!
      )
      await fh.close()
      await unlink(f)
      return dir
    } catch {
      await rm(dir, { recursive: true, force: true })
    }
  }
  throw new Error('no directory with O_DIRECT support (tmpfs?)')
}

/**
 * One 7 s sysbench run with per-second reports; the first second (allocation, first touch) is dropped, the
 * rest are one-second samples (GB/s).
 */
async function sysbenchGBps(
  op: 'read' | 'write',
  blockMiB: number,
  threads: number
): Promise<number[]> {
  const out = await run(
    SYSBENCH,
    [
      'memory',
      `--memory-block-size=${blockMiB}M`,
      '--memory-total-size=1000G',
      `--memory-oper=${op}`,
      '--memory-access-mode=seq',
      '--memory-scope=local',
      `--threads=${threads}`,
      '--time=7',
      '--report-interval=1',
      'run'
    ],
    60_000
  )
  const samples = [...out.matchAll(/^\[ *(\d+)s \] ([\d.]+) MiB\/sec/gm)]
    .filter((m) => Number(m[1]) > 1)
    .map((m) => (Number(m[2]) * MiB) / 1e9)
  if (samples.length === 0) throw new Error(`sysbench output not understood:\n${out}`)
  return samples
}

/**
 * fio as the probe does it: a 4 s sequential write of fresh space (the file grows as written, never wraps:
 * overwriting blocks just written, or re-reading them, is served faster by a virtual disk's host cache),
 * then one sequential read of exactly what was written.
 */
async function fioMBps(dir: string, rw: 'write' | 'read'): Promise<number> {
  const file = join(dir, 'fio.tmp')
  const size =
    rw === 'write'
      ? ['--size=32G', '--fallocate=none', '--runtime=4', '--time_based']
      : [`--size=${(await stat(file)).size}`]
  const out = await run(
    FIO,
    [
      '--name=seq' + rw,
      `--filename=${file}`,
      `--rw=${rw}`,
      '--bs=1M',
      '--direct=1',
      ...size,
      '--ioengine=psync',
      ...(rw === 'write' ? ['--end_fsync=1'] : []),
      '--output-format=json'
    ],
    120_000
  )
  const job = (
    JSON.parse(out.slice(out.indexOf('{'))) as {
      jobs: { read: { bw_bytes: number }; write: { bw_bytes: number } }[]
    }
  ).jobs[0]
  return job[rw].bw_bytes / 1e6
}

const describeTools = missing.length === 0 ? describe : process.env.CI ? describe : describe.skip

describeTools(
  `probe agrees with sysbench and fio${missing.length && !process.env.CI ? ` (skipped: ${missing.join('; ')})` : ''}`,
  () => {
    let dir: string
    beforeAll(async () => {
      if (missing.length > 0) throw new Error(missing.join('; '))
      dir = await directIoDir()
    })
    afterAll(async () => {
      if (dir) await rm(dir, { recursive: true, force: true })
    })

    it('memory read/write/copy and sequential storage read/write within 30 %', async () => {
      const probe: ProbeResult[] = []
      const sb: { read: number[]; write: number[] }[] = []
      const fio: { write: number; read: number }[] = []
      const runProbe = async () => {
        const out = await run(
          process.execPath,
          [
            CLI,
            'probe',
            '--duration',
            '20',
            '--cpu',
            '--memory',
            '--storage',
            dir,
            '--json',
            '--no-save'
          ],
          240_000
        )
        const r = JSON.parse(out) as ProbeResult
        expect(r.complete, `probe did not complete: ${JSON.stringify(r.stop)}`).toBe(true)
        probe.push(r)
      }
      const runTools = async () => {
        const llc = probe[0]?.memory?.llcBytes
        // sysbench takes power-of-two block sizes only.
        const blockMiB = Math.max(
          1024,
          2 ** Math.ceil(Math.log2(llc && llc.status === 'ok' ? (4 * llc.value) / MiB : 1024))
        )
        const threads = probe[0]?.memory?.threads ?? 2
        sb.push({
          read: await sysbenchGBps('read', blockMiB, threads),
          write: await sysbenchGBps('write', blockMiB, threads)
        })
        const w = await fioMBps(dir, 'write')
        const r = await fioMBps(dir, 'read')
        await rm(join(dir, 'fio.tmp'), { force: true })
        fio.push({ write: w, read: r })
      }
      for (let round = 0; round < ROUNDS; round++) {
        if (round % 2 === 0) {
          await runProbe()
          await runTools()
        } else {
          await runTools()
          await runProbe()
        }
      }
      const extra: {
        probe: { write: number; read: number }
        fio: { write: number; read: number }
      }[] = []
      const storageProbe = async () => {
        const out = await run(
          process.execPath,
          [CLI, 'probe', '--duration', '8', '--storage', dir, '--json', '--no-save'],
          120_000
        )
        const r = JSON.parse(out) as ProbeResult
        expect(r.complete, `probe did not complete: ${JSON.stringify(r.stop)}`).toBe(true)
        expect(r.storage!.method).toBe('direct-io')
        return {
          write: value(r.storage!.write.meanMBps, 'probe storage write'),
          read: value(r.storage!.read.meanMBps, 'probe storage read')
        }
      }
      const storageFio = async () => {
        const w = await fioMBps(dir, 'write')
        const r = await fioMBps(dir, 'read')
        await rm(join(dir, 'fio.tmp'), { force: true })
        return { write: w, read: r }
      }
      for (let k = 0; k < STORAGE_EXTRA_ROUNDS; k++) {
        // Continues the alternation of the rounds before.
        if ((ROUNDS + k) % 2 === 1) {
          const f = await storageFio()
          extra.push({ fio: f, probe: await storageProbe() })
        } else {
          const pr = await storageProbe()
          extra.push({ probe: pr, fio: await storageFio() })
        }
      }
      const best = (xs: number[]) => Math.max(...xs)
      // Storage: the second-best of the five runs on each side. A shared disk gives one-off spikes either
      // way (a host cache hit, another guest's burst), and the same order statistic on both sides keeps one
      // spike from deciding the comparison.
      const secondBest = (xs: number[]) =>
        [...xs].sort((a, b) => b - a)[Math.min(1, xs.length - 1)]!
      const probeFig = (
        pick: (r: ProbeResult) => { status: string; value?: number },
        what: string
      ) => probe.map((r) => value(pick(r), what))
      const fig = {
        read: probeFig((r) => r.memory!.kernels.read.bestGBps, 'probe read'),
        write: probeFig((r) => r.memory!.kernels.write.bestGBps, 'probe write'),
        copy: probeFig((r) => r.memory!.kernels.copy.bestGBps, 'probe copy'),
        triad: probeFig((r) => r.memory!.kernels.triad.bestGBps, 'probe triad'),
        storageWrite: [
          ...probeFig((r) => r.storage!.write.meanMBps, 'probe storage write'),
          ...extra.map((x) => x.probe.write)
        ],
        storageRead: [
          ...probeFig((r) => r.storage!.read.meanMBps, 'probe storage read'),
          ...extra.map((x) => x.probe.read)
        ],
        gflops: probeFig((r) => r.cpu!.gflopsSustained, 'probe GFLOPS')
      }
      const p = {
        read: best(fig.read),
        write: best(fig.write),
        copy: best(fig.copy),
        triad: best(fig.triad),
        storageWrite: secondBest(fig.storageWrite),
        storageRead: secondBest(fig.storageRead),
        gflops: best(fig.gflops)
      }
      const s = { read: best(sb.flatMap((x) => x.read)), write: best(sb.flatMap((x) => x.write)) }
      const fioAll = [...fio, ...extra.map((x) => x.fio)]
      const f = {
        write: secondBest(fioAll.map((x) => x.write)),
        read: secondBest(fioAll.map((x) => x.read))
      }
      const serialCopy = (2 * s.read * s.write) / (s.read + s.write)
      const rows: [string, string, string, string][] = [
        ['memory read (GB/s)', p.read.toFixed(1), s.read.toFixed(1), (p.read / s.read).toFixed(2)],
        [
          'memory write (GB/s)',
          p.write.toFixed(1),
          s.write.toFixed(1),
          (p.write / s.write).toFixed(2)
        ],
        [
          'memory copy (GB/s)',
          p.copy.toFixed(1),
          `${serialCopy.toFixed(1)}–${(2 * Math.min(s.read, s.write)).toFixed(1)} (band)`,
          `${(p.copy / serialCopy).toFixed(2)} / ${(p.copy / (2 * Math.min(s.read, s.write))).toFixed(2)}`
        ],
        ['memory triad (GB/s)', p.triad.toFixed(1), '—', '—'],
        [
          'storage write (MB/s)',
          p.storageWrite.toFixed(0),
          f.write.toFixed(0),
          (p.storageWrite / f.write).toFixed(2)
        ],
        [
          'storage read (MB/s)',
          p.storageRead.toFixed(0),
          f.read.toFixed(0),
          (p.storageRead / f.read).toFixed(2)
        ],
        ['CPU fp64 (GFLOPS)', p.gflops.toFixed(1), '—', '—']
      ]
      const perRound = probe.map(
        (r, i) =>
          `  round ${i + 1}: probe best read ${fig.read[i].toFixed(1)} write ${fig.write[i].toFixed(1)} copy ${fig.copy[i].toFixed(1)} GB/s (median trial ${value(r.memory!.kernels.read.medianGBps, '').toFixed(1)}/${value(r.memory!.kernels.write.medianGBps, '').toFixed(1)}/${value(r.memory!.kernels.copy.medianGBps, '').toFixed(1)}), storage ${value(r.storage!.write.meanMBps, '').toFixed(0)}/${value(r.storage!.read.meanMBps, '').toFixed(0)} MB/s | sysbench best read ${best(sb[i].read).toFixed(1)} write ${best(sb[i].write).toFixed(1)} GB/s | fio ${fio[i].write.toFixed(0)}/${fio[i].read.toFixed(0)} MB/s`
      )
      console.log(
        [
          `probe vs reference tools, memory best of ${ROUNDS} alternating rounds, storage second-best of ${ROUNDS + STORAGE_EXTRA_ROUNDS} runs (${STORAGE_EXTRA_ROUNDS} of them storage-only pairs) (${probe[0].memory!.sizing}; storage ${probe[0].storage!.method} in ${dir})`,
          `  ${'figure'.padEnd(22)}${'rigready probe'.padStart(16)}${'sysbench / fio'.padStart(24)}${'ratio'.padStart(14)}`,
          ...rows.map(
            ([a, b, c, d]) => `  ${a.padEnd(22)}${b.padStart(16)}${c.padStart(24)}${d.padStart(14)}`
          ),
          `  medians over rounds: probe read ${median(fig.read).toFixed(1)} write ${median(fig.write).toFixed(1)} copy ${median(fig.copy).toFixed(1)} GB/s, storage ${median(fig.storageWrite).toFixed(0)}/${median(fig.storageRead).toFixed(0)} MB/s | sysbench read ${median(sb.flatMap((x) => x.read)).toFixed(1)} write ${median(sb.flatMap((x) => x.write)).toFixed(1)} GB/s | fio ${median(fioAll.map((x) => x.write)).toFixed(0)}/${median(fioAll.map((x) => x.read)).toFixed(0)} MB/s`,
          ...perRound,
          ...extra.map(
            (x, k) =>
              `  storage pair ${k + 1}: probe ${x.probe.write.toFixed(0)}/${x.probe.read.toFixed(0)} MB/s | fio ${x.fio.write.toFixed(0)}/${x.fio.read.toFixed(0)} MB/s`
          )
        ].join('\n')
      )
      for (const r of probe) expect(r.storage!.method).toBe('direct-io')
      const within = (a: number, b: number) => Math.abs(a / b - 1) <= 0.3
      // A 30 % agreement can only be judged where both sides repeat themselves within 30 %: when a side's
      // own rounds spread wider (a virtual machine whose host moves memory bandwidth between two levels, a
      // virtual disk whose host caches and throttles), the comparison is printed and not asserted, and the
      // test says so.
      const spread = (xs: number[]) => Math.max(...xs) / Math.min(...xs)
      const sbRound = {
        read: sb.map((x) => best(x.read)),
        write: sb.map((x) => best(x.write))
      }
      const steady = (what: string, sides: [string, number[]][]): boolean => {
        const wide = sides.filter(([, xs]) => spread(xs) > 1.3)
        if (wide.length === 0) return true
        console.log(
          `${what}: ${wide.map(([who, xs]) => `${who}'s own rounds spread ${spread(xs).toFixed(2)}× (${xs.map((x) => x.toFixed(1)).join(', ')} GB/s)`).join('; ')} on this machine, more than the 30 % being judged: compared above, not asserted`
        )
        return false
      }
      if (
        steady('memory read', [
          ['the probe', fig.read],
          ['sysbench', sbRound.read]
        ])
      )
        expect(within(p.read, s.read), `memory read ${p.read} vs sysbench ${s.read}`).toBe(true)
      if (
        steady('memory write', [
          ['the probe', fig.write],
          ['sysbench', sbRound.write]
        ])
      )
        expect(within(p.write, s.write), `memory write ${p.write} vs sysbench ${s.write}`).toBe(
          true
        )
      if (
        steady('memory copy', [
          ['the probe', fig.copy],
          ['sysbench read', sbRound.read],
          ['sysbench write', sbRound.write]
        ])
      ) {
        expect(p.copy, 'copy below the serial read-then-write model').toBeGreaterThanOrEqual(
          0.7 * serialCopy
        )
        expect(
          p.copy,
          'copy above twice the slower of pure read and pure write'
        ).toBeLessThanOrEqual(1.3 * 2 * Math.min(s.read, s.write))
      }
      for (const [what, probeV, fioV, fioRuns, probeRuns] of [
        ['storage write', p.storageWrite, f.write, fioAll.map((x) => x.write), fig.storageWrite],
        ['storage read', p.storageRead, f.read, fioAll.map((x) => x.read), fig.storageRead]
      ] as const) {
        const wide = (
          [
            ["fio's", fioRuns],
            ["the probe's", probeRuns]
          ] as const
        ).filter(([, xs]) => spread([...xs]) > 1.3)
        if (wide.length > 0) {
          console.log(
            `${what}: ${wide.map(([who, xs]) => `${who} own runs spread ${spread([...xs]).toFixed(2)}× (${xs.map((x) => x.toFixed(0)).join(', ')} MB/s)`).join('; ')} on this disk, more than the 30 % being judged: compared above, not asserted`
          )
          continue
        }
        expect(within(probeV, fioV), `${what} ${probeV} vs fio ${fioV}`).toBe(true)
      }
    }, 900_000)
  }
)
