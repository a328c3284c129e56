/**
 * Stored probe results: one JSON file per probe (schema `resources/schema/probe.v1.schema.json`) in a
 * folder per machine, named by date, plus the session recorded during it.
 *
 * Layout: `<data dir>/probes/<machine key>/<ISO time>.json` and the session `<ISO time>.rrs`. The data dir is
 * `RIGREADY_DATA_DIR`, else the platform's per-user data folder (`$XDG_DATA_HOME/rigready`, i.e.
 * `~/.local/share/rigready` on Linux; `~/Library/Application Support/rigready` on macOS;
 * `%LOCALAPPDATA%\rigready` on Windows), the same for the CLI and the desktop app. At most
 * `MAX_RESULTS_PER_MACHINE` results are kept per machine (oldest removed first).
 *
 * The machine key hashes what identifies this hardware: the OS machine id (else the hostname), CPU model and
 * thread count, RAM size and each GPU's UUID (else name and VRAM). A new GPU is a new machine for the probe:
 * its measurements do not carry over.
 */
import { createHash } from 'node:crypto'
import { mkdir, readFile, readdir, rename, unlink, writeFile } from 'node:fs/promises'
import { homedir, hostname } from 'node:os'
import { join } from 'node:path'
import { z } from 'zod'
import { unavailable, type Reading } from '../../shared/reading'
import {
  PROBE_FORMAT,
  PROBE_SCHEMA_VERSION,
  type MeasuredProbe,
  type ProbeResult
} from '../../shared/probe'
import type { Inventory } from '../../shared/telemetry'
import { SESSION_EXTENSION } from '../../shared/session-format'

/** Results kept per machine. */
export const MAX_RESULTS_PER_MACHINE = 50

/** Largest result file read back (bytes). */
export const MAX_RESULT_FILE_BYTES = 16 * 2 ** 20

/** The per-user data folder. */
export function dataDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform
): string {
  if (env.RIGREADY_DATA_DIR) return env.RIGREADY_DATA_DIR
  const home = env.HOME ?? env.USERPROFILE ?? homedir()
  if (platform === 'win32')
    return join(env.LOCALAPPDATA ?? join(home, 'AppData', 'Local'), 'rigready')
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'rigready')
  return join(env.XDG_DATA_HOME ?? join(home, '.local', 'share'), 'rigready')
}

/** Folder of one machine's probe results. */
export function probeDir(machineKey: string, env?: NodeJS.ProcessEnv): string {
  return join(dataDir(env), 'probes', machineKey)
}

/** Reads the OS machine id (`/etc/machine-id`, `/var/lib/dbus/machine-id`), or null. */
export async function readMachineId(): Promise<string | null> {
  for (const p of ['/etc/machine-id', '/var/lib/dbus/machine-id']) {
    try {
      const t = (await readFile(p, 'utf8')).trim()
      if (/^[0-9a-f]{16,}$/i.test(t)) return t
    } catch {
      // next
    }
  }
  return null
}

/** The machine key (16 hex digits) of an inventory (pure). */
export function machineKeyFor(inventory: Inventory, machineId: string | null): string {
  const val = <T>(r: Reading<T>): T | null => (r.status === 'ok' ? r.value : null)
  const ram = val(inventory.memory.totalBytes)
  const identity = {
    host: machineId ?? inventory.host.hostname ?? hostname(),
    cpu: val(inventory.cpu.model),
    threads: val(inventory.cpu.logicalCores),
    ramGiB: ram === null ? null : Math.round(ram / 2 ** 30),
    gpus: inventory.gpus
      .map(
        (g) => val(g.uuid) ?? `${g.name}/${Math.round((val(g.memoryTotalBytes) ?? 0) / 2 ** 30)}`
      )
      .sort()
  }
  return createHash('sha256').update(JSON.stringify(identity)).digest('hex').slice(0, 16)
}

/** File stem for a result started at `ms` (sortable, filesystem-safe). */
export function resultStem(ms: number): string {
  return new Date(ms).toISOString().replace(/:/g, '-').replace('.', '-')
}

/** Saves a result atomically (write, then rename); prunes old results. Returns the file path. */
export async function saveProbeResult(
  result: ProbeResult,
  env?: NodeJS.ProcessEnv,
  stem: string = resultStem(result.startedAtMs)
): Promise<string> {
  const dir = probeDir(result.machineKey, env)
  await mkdir(dir, { recursive: true })
  const file = join(dir, `${stem}.json`)
  const tmp = `${file}.${process.pid}.tmp`
  await writeFile(tmp, JSON.stringify(result, null, 2) + '\n', { mode: 0o600 })
  await rename(tmp, file)
  const names = (await readdir(dir)).filter((n) => /\.json$/.test(n)).sort()
  for (const old of names.slice(0, Math.max(0, names.length - MAX_RESULTS_PER_MACHINE))) {
    await unlink(join(dir, old)).catch(() => {})
    await unlink(probeSessionPath(dir, old.replace(/\.json$/, ''))).catch(() => {})
    // Sessions of earlier versions.
    await unlink(join(dir, old.replace(/\.json$/, '.session.jsonl'))).catch(() => {})
  }
  return file
}

const readingNumber = z.union([
  z.object({ status: z.literal('ok'), value: z.number() }),
  z.object({ status: z.literal('unavailable'), reason: z.string(), detail: z.string().optional() })
])

// What the loader relies on; everything else in the file is carried along untouched.
const storedResult = z.looseObject({
  format: z.literal(PROBE_FORMAT),
  schemaVersion: z.number().int().min(1).max(PROBE_SCHEMA_VERSION),
  machineKey: z.string(),
  startedAtMs: z.number(),
  endedAtMs: z.number(),
  memory: z
    .looseObject({ kernels: z.record(z.string(), z.looseObject({ bestGBps: readingNumber })) })
    .nullable(),
  cpu: z.looseObject({ gflopsSustained: readingNumber }).nullable(),
  storage: z.looseObject({ method: z.string() }).nullable(),
  gpu: z.looseObject({ devices: z.array(z.looseObject({ index: z.number() })) }).nullable(),
  devices: z.array(z.looseObject({ device: z.string() }))
})

/** Checks a parsed result file; returns why it is unusable, or null. */
export function resultProblem(json: unknown): string | null {
  const r = storedResult.safeParse(json)
  if (r.success) return null
  const i = r.error.issues[0]
  return `${i?.path.join('.') || 'file'}: ${i?.message ?? 'invalid'}`
}

/** The figures readiness uses, from one result (pure). */
export function measuredFromResult(result: ProbeResult, source: string): MeasuredProbe {
  const notRun = (what: string): Reading<number> =>
    unavailable('not-applicable', `${what} was not probed`)
  const mem = result.memory
  const memOk = mem !== null && (mem.status === 'completed' || mem.status === 'stopped')
  const cpuDev = result.devices.find((d) => d.device === 'cpu' && d.phase === 'cpu')
  const st = result.storage
  const storage = (dir: 'read' | 'write'): Reading<number> => {
    if (st === null) return notRun('storage')
    if (st.method === 'cache-affected')
      return unavailable('not-applicable', `cache-affected measurement (${st.methodDetail})`)
    return st[dir].meanMBps
  }
  return {
    machineKey: result.machineKey,
    measuredAtMs: result.startedAtMs,
    source,
    ramReadGBps: memOk ? mem.kernels.read.bestGBps : notRun('memory'),
    ramCopyGBps: memOk ? mem.kernels.copy.bestGBps : notRun('memory'),
    ramTriadGBps: memOk ? mem.kernels.triad.bestGBps : notRun('memory'),
    cpuGflops: result.cpu !== null ? result.cpu.gflopsSustained : notRun('CPU'),
    cpuSustainedClockRatio: cpuDev ? cpuDev.clock.sustainedRatio : notRun('CPU'),
    storageReadMBps: storage('read'),
    storageWriteMBps: storage('write'),
    gpus: (result.gpu?.devices ?? []).map((g) => {
      const dev = result.devices.find(
        (d) => d.phase === 'gpu' && d.label.startsWith(`GPU${g.index} `)
      )
      return {
        index: g.index,
        name: g.name,
        matmulTflops: g.matmul.tflopsSustained,
        matmulDtype: g.matmul.dtype,
        copyGBps: g.copy.medianGBps,
        sustainedClockRatio: dev
          ? dev.clock.sustainedRatio
          : unavailable('unsupported', `GPU${g.index} clock not sampled during the probe`)
      }
    }),
    sustained: result.sustained
  }
}

/** The latest stored result of a machine and its figures, with what was skipped (bad files) and why. */
export interface LatestProbe {
  file: string
  result: ProbeResult
  measured: MeasuredProbe
  skipped: { file: string; problem: string }[]
}

/**
 * Loads the newest usable probe result of `machineKey`, or null when there is none. Unreadable or invalid
 * files are skipped (listed in `skipped`), never fatal.
 */
export async function loadLatestProbe(
  machineKey: string,
  options: { env?: NodeJS.ProcessEnv; dir?: string } = {}
): Promise<LatestProbe | null> {
  const dir = options.dir ?? probeDir(machineKey, options.env)
  let names: string[]
  try {
    names = (await readdir(dir))
      .filter((n) => /^\d{4}-.*\.json$/.test(n))
      .sort()
      .reverse()
  } catch {
    return null
  }
  const skipped: { file: string; problem: string }[] = []
  for (const n of names) {
    const file = join(dir, n)
    let json: unknown
    try {
      const text = await readFile(file, 'utf8')
      if (text.length > MAX_RESULT_FILE_BYTES)
        throw new Error(`larger than ${MAX_RESULT_FILE_BYTES} bytes`)
      json = JSON.parse(text)
    } catch (err) {
      skipped.push({ file, problem: (err as Error).message })
      continue
    }
    const problem = resultProblem(json)
    if (problem !== null) {
      skipped.push({ file, problem })
      continue
    }
    const result = json as ProbeResult
    if (result.machineKey !== machineKey) {
      skipped.push({ file, problem: `belongs to machine ${result.machineKey}` })
      continue
    }
    return { file, result, measured: measuredFromResult(result, file), skipped }
  }
  return null
}

/** The session recorded during the probe whose result is `<dir>/<stem>.json`. */
export function probeSessionPath(dir: string, stem: string): string {
  return join(dir, `${stem}${SESSION_EXTENSION}`)
}
