/**
 * `npm run bench`: CPU time per sample of our engine against named baselines, printed as ratios.
 *
 * 1. Engine on the node_exporter fixture tree (via --sysfs-root/--procfs-root): cpu, memory, thermal, power and
 *    storage collectors, ≥ 1,000 ticks, CPU time of this process per tick.
 * 2. Engine on a replayed NVIDIA stream: one persistent fake `nvidia-smi -lms` child, ≥ 1,000 samples, CPU time
 *    of this process per sample (the fake tool's own CPU is excluded: it is a Node script, not the real tool).
 * 3. Baseline: polling systeminformation for the same readings (currentLoad, mem, cpuTemperature, graphics,
 *    disksIO, fsSize, cpuCurrentSpeed), CPU time per iteration including the child processes it spawns.
 * 0. Agent: load (100 SSE clients + 20 scrapes/s) and the 24 h history payload, see `agent-load.ts`.
 * 4. Baseline: prometheus-node-exporter (when installed) with --path.sysfs/--path.procfs on the same tree and the
 *    cpu, meminfo, hwmon, thermal_zone, diskstats, cpufreq, nvme, rapl and powersupplyclass collectors,
 *    CPU time per scrape of its process.
 */
import { spawn } from 'node:child_process'
import { access, mkdtemp, readFile, writeFile, chmod, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { delimiter, join, resolve } from 'node:path'
import si from 'systeminformation'
import { createCpuCollector } from '../collectors/cpu'
import { createGpuNvidiaCollector } from '../collectors/gpu-nvidia'
import { createMemoryCollector } from '../collectors/memory'
import { createPowerCollector } from '../collectors/power'
import { createStorageCollector } from '../collectors/storage'
import { createThermalCollector } from '../collectors/thermal'
import { createEngine } from '../engine'
import { createLogger } from '../platform/logger'
import { benchAgentLoad, benchHistoryPayload } from './agent-load'
import { materializeTree } from './peer-tree'
import { runUiBench } from './ui-bench'
import { benchSessions } from './session-bench'

const CLK_TCK = 100

const exists = (p: string): Promise<boolean> =>
  access(p).then(
    () => true,
    () => false
  )

function cpuMs(): number {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1000
}

/** CPU (ms) of waited-for children of this process, from /proc/self/stat cutime+cstime. */
async function childrenCpuMs(): Promise<number> {
  try {
    const stat = await readFile('/proc/self/stat', 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return ((Number(fields[13]) + Number(fields[14])) * 1000) / CLK_TCK
  } catch {
    return 0
  }
}

async function pidCpuMs(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK
}

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer()
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address()
      const port = typeof addr === 'object' && addr ? addr.port : 0
      s.close(() => res(port))
    })
    s.on('error', rej)
  })
}

async function which(cmd: string): Promise<string | null> {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const p = join(dir, cmd)
    if (await exists(p)) return p
  }
  return null
}

const fmt = (ms: number): string =>
  ms >= 1 ? `${ms.toFixed(2)} ms` : `${(ms * 1000).toFixed(0)} µs`

async function benchFixtureEngine(sysRoot: string, procRoot: string, n: number): Promise<number> {
  const engine = await createEngine({
    sysRoot,
    procRoot,
    collectors: [
      createCpuCollector,
      createMemoryCollector,
      createThermalCollector,
      createPowerCollector,
      createStorageCollector
    ],
    log: createLogger('error'),
    historySize: 64
  })
  // Steady state is what a monitor left running pays: warm up (JIT, descriptor cache), then take the median
  // of three runs of n samples so one GC pause or a noisy neighbour does not decide the figure.
  for (let i = 0; i < 300; i++) await engine.source.tick()
  const runs: number[] = []
  for (let r = 0; r < 3; r++) {
    globalThis.gc?.()
    const t0 = cpuMs()
    for (let i = 0; i < n; i++) await engine.source.tick()
    runs.push((cpuMs() - t0) / n)
  }
  await engine.close()
  return runs.sort((a, b) => a - b)[1]
}

async function benchNvidiaStream(repo: string, n: number): Promise<number | null> {
  const script = resolve(repo, 'tests/helpers/fake-nvidia-smi.mjs')
  const scenario = resolve(repo, 'tests/fixtures/nvidia-smi/rtx4090-load-power-capped.json')
  if (!(await exists(script)) || !(await exists(scenario))) return null
  const dir = await mkdtemp(join(tmpdir(), 'rigready-bench-'))
  const bin = join(dir, 'nvidia-smi')
  await writeFile(bin, `#!/bin/sh\nexec "${process.execPath}" "${script}" "$@"\n`)
  await chmod(bin, 0o755)
  const env = {
    ...process.env,
    PATH: `${dir}${delimiter}${process.env.PATH ?? ''}`,
    FAKE_NVSMI_SCENARIO: scenario
  }
  const intervalMs = 10
  const engine = await createEngine({
    platform: 'linux',
    env,
    intervalMs,
    collectors: [createGpuNvidiaCollector],
    log: createLogger('error'),
    useSystemInformation: false,
    historySize: 64
  })
  let samples = 0
  engine.source.subscribe(() => samples++)
  // Let the stream start and settle.
  for (let i = 0; i < 50; i++) {
    await engine.source.tick()
    await new Promise((r) => setTimeout(r, intervalMs))
  }
  samples = 0
  const t0 = cpuMs()
  while (samples < n) {
    await engine.source.tick()
    await new Promise((r) => setTimeout(r, intervalMs))
  }
  const per = (cpuMs() - t0) / samples
  await engine.close()
  await rm(dir, { recursive: true, force: true })
  return per
}

async function benchSystemInformation(n: number): Promise<number> {
  const once = async (): Promise<void> => {
    await Promise.all([
      si.currentLoad(),
      si.mem(),
      si.cpuTemperature(),
      si.graphics(),
      si.disksIO(),
      si.fsSize(),
      si.cpuCurrentSpeed()
    ])
  }
  await once()
  const c0 = cpuMs()
  const k0 = await childrenCpuMs()
  for (let i = 0; i < n; i++) await once()
  await new Promise((r) => setTimeout(r, 200))
  return (cpuMs() - c0 + ((await childrenCpuMs()) - k0)) / n
}

async function benchNodeExporter(
  sysRoot: string,
  procRoot: string,
  n: number
): Promise<number | null> {
  const bin = (await which('prometheus-node-exporter')) ?? (await which('node_exporter'))
  if (!bin) return null
  const port = await freePort()
  const collectors = [
    'cpu',
    'meminfo',
    'hwmon',
    'thermal_zone',
    'diskstats',
    'cpufreq',
    'nvme',
    'rapl',
    'powersupplyclass'
  ]
  const child = spawn(
    bin,
    [
      `--web.listen-address=127.0.0.1:${port}`,
      `--path.sysfs=${sysRoot}`,
      `--path.procfs=${procRoot}`,
      '--collector.disable-defaults',
      ...collectors.map((c) => `--collector.${c}`)
    ],
    { stdio: 'ignore' }
  )
  try {
    const url = `http://127.0.0.1:${port}/metrics`
    for (let i = 0; i < 100; i++) {
      try {
        if ((await fetch(url)).ok) break
      } catch {
        /* not up yet */
      }
      await new Promise((r) => setTimeout(r, 50))
    }
    for (let i = 0; i < 10; i++) await (await fetch(url)).text()
    const c0 = await pidCpuMs(child.pid as number)
    for (let i = 0; i < n; i++) await (await fetch(url)).text()
    return ((await pidCpuMs(child.pid as number)) - c0) / n
  } finally {
    child.kill('SIGKILL')
  }
}

async function main(): Promise<void> {
  const repo = process.cwd()
  // UI and agent figures first: they need only the built renderer/CLI and the session fixture.
  await runUiBench(repo)
  await benchHistoryPayload(repo)
  if (process.env.BENCH_AGENT !== '0') await benchAgentLoad(repo)
  const peer = process.env.RIGREADY_PEER_FIXTURES ?? resolve(repo, '../shared/peer-fixtures')
  if (!(await exists(resolve(peer, 'prometheus__node_exporter/sys')))) {
    console.error(
      `bench: node_exporter fixture tree not found under ${peer} (set RIGREADY_PEER_FIXTURES)`
    )
    process.exitCode = 1
    return
  }
  // The shared checkout stores symlinks as text files: rebuild the real tree once (both engines read the copy).
  const tree = await materializeTree(peer, 'prometheus__node_exporter')
  const sysRoot = join(tree.root, 'sys')
  const procRoot = join(tree.root, 'proc')
  const N = Number(process.env.BENCH_SAMPLES ?? 1000)
  console.log(`RigReady bench — ${N} samples per engine run; CPU time = user + system`)
  const eng = await benchFixtureEngine(sysRoot, procRoot, N)
  console.log(
    `engine, node_exporter fixture tree (cpu+memory+thermal+power+storage): ${fmt(eng)} CPU per sample (median of 3 runs of ${N} after 300 warm-up)`
  )
  const nv = await benchNvidiaStream(repo, N)
  console.log(
    nv === null
      ? 'engine, replayed NVIDIA stream: skipped (fake nvidia-smi fixtures missing)'
      : `engine, replayed NVIDIA stream (one persistent nvidia-smi -lms child): ${fmt(nv)} CPU per sample (our process)`
  )
  const siN = Number(process.env.BENCH_SI_SAMPLES ?? 30)
  const siCpu = await benchSystemInformation(siN)
  console.log(
    `baseline, systeminformation polling (currentLoad, mem, cpuTemperature, graphics, disksIO, fsSize, cpuCurrentSpeed), ${siN} iterations: ${fmt(siCpu)} CPU per sample incl. spawned processes`
  )
  const neN = Number(process.env.BENCH_NE_SCRAPES ?? 300)
  const ne = await benchNodeExporter(sysRoot, procRoot, neN)
  console.log(
    ne === null
      ? 'baseline, prometheus-node-exporter: not installed (apt-get install prometheus-node-exporter)'
      : `baseline, prometheus-node-exporter same tree and collectors, ${neN} scrapes: ${fmt(ne)} CPU per scrape`
  )
  const siRatio = siCpu / eng
  const neRatio = ne === null ? null : eng / ne
  console.log(
    `RATIOS: systeminformation / engine = ${siRatio.toFixed(1)}× (target ≥ 50×, ${siRatio >= 50 ? 'met' : 'NOT met'}); ` +
      (neRatio === null
        ? 'engine / node_exporter = n/a (node_exporter not installed)'
        : `engine / node_exporter = ${neRatio.toFixed(3)} (target ≤ 0.25, ${neRatio <= 0.25 ? 'met' : 'NOT met'})`)
  )
  await tree.cleanup()
}

// BENCH_ONLY=sessions runs only the session figures, BENCH_ONLY=agent only the agent's.
if (process.env.BENCH_ONLY === 'agent') {
  await benchHistoryPayload(process.cwd())
  await benchAgentLoad(process.cwd())
} else {
  if (process.env.BENCH_ONLY !== 'sessions') await main()
  await benchSessions()
}
