/**
 * NVIDIA GPU collector: inventory from `nvidia-smi -q -x` and a `--query-gpu` inventory query run side by side,
 * live readings from ONE long-lived `nvidia-smi --query-gpu=… --format=csv,noheader,nounits -lms <interval>`
 * child. Parsers live in `../sources/nvidia-smi*.ts`.
 *
 * Degrade, don't vanish: when `-q -x` fails, hangs past `xmlTimeoutMs` or prints garbage, the GPUs come from the
 * `--query-gpu` inventory (name, UUID, bus id, memory, clocks, limits, link maxima) and stream normally; only
 * what the XML alone has (temperature thresholds, CUDA version) is unavailable, with the XML's reason.
 *
 * The live field list is negotiated against `nvidia-smi --help-query-gpu` (see nvidia-smi-csv.ts), so old
 * drivers (legacy `clocks_throttle_reasons.*`, no µs counters) and new ones (`clocks_event_reasons.*`,
 * `power.draw.instant`, `temperature.gpu.tlimit`) are both read without nvidia-smi rejecting the query.
 * `sample()` never spawns: it returns the latest complete row set (one row per GPU) from the stream.
 *
 * Sleeping dGPUs (policy). On Linux, before any nvidia-smi call, the collector looks at NVIDIA display
 * devices (vendor 0x10de, class 0x03xxxx) in /sys/bus/pci/devices. Any nvidia-smi call wakes a
 * runtime-suspended GPU, so when ALL of them report `power/runtime_status` = `suspended` the collector
 * does not run nvidia-smi at all: it reports them as state `asleep` (readings unavailable('asleep')) and
 * re-reads runtime_status on each tick; once one is awake (woken by someone else) it probes nvidia-smi
 * and starts the stream. When at least one GPU is awake nvidia-smi runs normally (it may wake the others;
 * the running stream then keeps them awake, which is the price of live data).
 */
import { ok, unavailable, type Reading, type ReadingUnavailable } from '../../shared/reading'
import { emptyGpuInfo, emptyGpuSample, type GpuInfo, type GpuSample } from '../../shared/telemetry'
import type { CommandResult } from '../platform/command-runner'
import type { ProcessStream, StreamEvent } from '../platform/process-stream'
import type {
  Collector,
  CollectorDeps,
  GpuCollectorModule,
  ProbeResult,
  SampleContext,
  SnapshotPart
} from './types'
import {
  fillGpuInfo,
  negotiateFields,
  negotiateInventoryFields,
  normalizePciBusId,
  parseHelpQueryGpu,
  parseNvidiaInventoryCsv,
  parseNvidiaSmiCsvRow,
  type NegotiatedFields,
  type NegotiatedInventoryFields,
  type NvidiaLiveRow,
  type NvidiaQueryGpu
} from '../sources/nvidia-smi-csv'
import { parseNvidiaSmiXml } from '../sources/nvidia-smi-xml'
import { createRowSetAssembler } from '../sources/nvidia-smi-stream'
import {
  describeRunFailure,
  listNvidiaPciDevices,
  type NvidiaPciDevice
} from '../sources/nvidia-smi'

/** Identity of this collector and of the GPUs it finds (the registry entry below spreads it). */
const MODULE = { id: 'gpu-nvidia', vendor: 'nvidia', backend: 'cuda' } as const
const MODULE_GPU = { vendor: MODULE.vendor, backend: MODULE.backend }
const NOT_AMD = unavailable('not-applicable', 'gfx target is an AMD concept')

/** Tunables (defaults suit a real machine; tests shorten them). */
export interface GpuNvidiaOptions {
  /** Timeout for `--help-query-gpu` and the one-shot compute_cap query. */
  queryTimeoutMs?: number
  /**
   * Timeout for `-q -x` (10–20× slower than `--query-gpu`, and hangs on some boxes). Past it the inventory
   * comes from `--query-gpu` alone and only the XML-only facts (temperature thresholds, CUDA version) are
   * unavailable.
   */
  xmlTimeoutMs?: number
  /** How long the first sample() waits for the stream's first complete row set. */
  firstSampleWaitMs?: number
  /** Readings go unavailable('timeout') after this many intervals without a fresh row set. */
  staleAfterIntervals?: number
  /** The stream is killed and restarted after this long without output. */
  silenceTimeoutMs?: number
  /** First restart delay (doubles up to maxBackoffMs). */
  backoffMs?: number
  maxBackoffMs?: number
}

type StreamState =
  | { kind: 'idle' }
  | { kind: 'starting' }
  | { kind: 'up' }
  | { kind: 'down'; detail: string }
  | { kind: 'dead'; reason: ReadingUnavailable }

/**
 * Distance to the slowdown limit: the live T.Limit margin minus the driver's slowdown offset (slowdown starts
 * when the margin falls to the offset, e.g. −2 °C), or the margin itself when the driver gives no offset.
 */
function headroomToSlowdown(margin: Reading<number>, info: GpuInfo): Reading<number> {
  const offset = info.tlimitSlowdownOffsetCelsius
  if (margin.status !== 'ok' || offset?.status !== 'ok') return margin
  return ok(margin.value - offset.value)
}

/** Under MIG, nvidia-smi gives no utilisation for the whole GPU: the reading does not apply, it is not missing. */
function underMig(r: Reading<number>, info: GpuInfo): Reading<number> {
  if (r.status === 'ok' || info.migEnabled.status !== 'ok' || !info.migEnabled.value) return r
  return unavailable(
    'not-applicable',
    'MIG mode: utilisation exists per GPU instance, not for the GPU'
  )
}

/** Builds a GpuSample from one live row (pure). */
export function gpuSampleFromRow(info: GpuInfo, row: NvidiaLiveRow): GpuSample {
  return {
    id: info.id,
    index: info.index,
    vendor: info.vendor,
    name: info.name,
    state: 'active',
    utilizationPct: underMig(row.utilizationPct, info),
    memoryUtilizationPct: underMig(row.memoryUtilizationPct, info),
    memoryUsedBytes: row.memoryUsedBytes,
    memoryTotalBytes:
      row.memoryTotalBytes.status === 'ok' ? row.memoryTotalBytes : info.memoryTotalBytes,
    temperatureCelsius: row.temperatureCelsius,
    hotspotTemperatureCelsius: unavailable(
      'unsupported',
      'nvidia-smi does not report a hotspot temperature'
    ),
    memoryTemperatureCelsius: row.memoryTemperatureCelsius,
    temperatureHeadroomCelsius: headroomToSlowdown(row.temperatureHeadroomCelsius, info),
    powerDrawWatts: row.powerDrawWatts,
    powerAverageWatts: row.powerAverageWatts,
    powerInstantWatts: row.powerInstantWatts,
    powerLimitWatts: row.powerLimitWatts,
    clockSmMhz: row.clockSmMhz,
    clockGraphicsMhz: row.clockGraphicsMhz,
    clockMemoryMhz: row.clockMemoryMhz,
    clockMaxSmMhz: row.clockMaxSmMhz.status === 'ok' ? row.clockMaxSmMhz : info.clockMaxSmMhz,
    clockMaxMemoryMhz:
      row.clockMaxMemoryMhz.status === 'ok' ? row.clockMaxMemoryMhz : info.clockMaxMemoryMhz,
    pcieGen: row.pcieGen,
    pcieWidth: row.pcieWidth,
    pcieMaxGen: row.pcieMaxGen.status === 'ok' ? row.pcieMaxGen : info.pcieMaxGen,
    pcieMaxWidth: row.pcieMaxWidth.status === 'ok' ? row.pcieMaxWidth : info.pcieMaxWidth,
    fanPct: row.fanPct,
    fanRpm: unavailable('unsupported', 'nvidia-smi reports fan speed in percent only'),
    pstate: row.pstate,
    throttleFlags: row.throttleFlags,
    throttleMaskHex: row.throttleMaskHex,
    throttleCountersSeconds: row.throttleCountersSeconds
  }
}

function asleepInfo(dev: NvidiaPciDevice, index: number): GpuInfo {
  const why = unavailable('asleep', `runtime-suspended (${dev.busId}); not woken to read it`)
  return {
    ...emptyGpuInfo(
      {
        ...MODULE_GPU,
        id: `nvidia:${dev.busId}`,
        index,
        name: dev.deviceId ? `NVIDIA GPU [10de:${dev.deviceId}]` : 'NVIDIA GPU'
      },
      why
    ),
    pciBusId: ok(dev.busId),
    gfxTarget: NOT_AMD
  }
}

/** The `-q -x` inventory, or why there is none. */
type XmlInventory = { ok: true; gpus: GpuInfo[] } | { ok: false; reason: ReadingUnavailable }

function readXmlInventory(r: CommandResult): XmlInventory {
  const fail = describeRunFailure(r, 'nvidia-smi -q -x')
  if (fail) return { ok: false, reason: fail }
  const parsed = parseNvidiaSmiXml(r.kind === 'ok' ? r.stdout : '')
  if (!parsed.ok) return { ok: false, reason: parsed.reason }
  if (parsed.gpus.length === 0)
    return { ok: false, reason: unavailable('no-device', 'nvidia-smi -q -x lists no GPU') }
  return { ok: true, gpus: parsed.gpus.map((g) => g.info) }
}

/** The `--query-gpu` inventory rows, and why the call failed if it did. */
function readQueryInventory(
  r: CommandResult,
  fields: NegotiatedInventoryFields,
  xml: XmlInventory
): { gpus: NvidiaQueryGpu[]; fail?: ReadingUnavailable } {
  const fail = describeRunFailure(r, 'nvidia-smi --query-gpu')
  if (fail || r.kind !== 'ok') return { gpus: [], fail: fail ?? unavailable('failed') }
  // What the XML alone has: pending the merge when the XML answered, else the XML's own failure.
  const xmlOnly = xml.ok
    ? unavailable('unsupported', 'only in nvidia-smi -q -x output')
    : unavailable(
        xml.reason.reason,
        `${xml.reason.detail ?? xml.reason.reason}; only nvidia-smi -q -x reports this`
      )
  const gpus = parseNvidiaInventoryCsv(r.stdout, fields, xmlOnly)
  if (gpus.length === 0)
    return {
      gpus,
      fail: unavailable(
        'parse-error',
        `no GPU row in --query-gpu output: ${r.stdout.trim().slice(0, 200)}`
      )
    }
  return { gpus }
}

/** The query row of an XML GPU: by PCI bus id, else by index when neither has a bus id. */
function matchGpu(rows: NvidiaQueryGpu[], g: GpuInfo): NvidiaQueryGpu | undefined {
  const bus = g.pciBusId.status === 'ok' ? g.pciBusId.value : undefined
  return bus !== undefined
    ? rows.find((q) => q.busId === bus)
    : rows.find((q) => q.busId === undefined && q.index === g.index)
}

/** Builds the NVIDIA collector (id `gpu-nvidia`). */
export function createGpuNvidiaCollector(
  deps: CollectorDeps,
  options: GpuNvidiaOptions = {}
): Collector {
  const log = deps.log.child('collector:gpu-nvidia')
  const bin = deps.platform === 'win32' ? 'nvidia-smi.exe' : 'nvidia-smi'
  const intervalMs = Math.max(50, deps.intervalMs)
  const queryTimeoutMs = options.queryTimeoutMs ?? 5_000
  const xmlTimeoutMs = options.xmlTimeoutMs ?? 8_000
  const firstSampleWaitMs = options.firstSampleWaitMs ?? Math.max(3_000, 2 * intervalMs)
  const staleAfterMs = (options.staleAfterIntervals ?? 3) * intervalMs
  const silenceTimeoutMs = options.silenceTimeoutMs ?? Math.max(5 * intervalMs, 5_000)

  let inventory: GpuInfo[] = []
  let fields: NegotiatedFields | undefined
  let asleepDevices: NvidiaPciDevice[] | undefined
  let stream: ProcessStream | undefined
  let state: StreamState = { kind: 'idle' }
  let silentNote: string | undefined
  const rowSets = createRowSetAssembler()
  let latest: { rows: Map<number, NvidiaLiveRow>; atMs: number } | undefined
  let waiters: (() => void)[] = []
  let lastBadLine: string | undefined
  let lastLogged = ''
  let closed = false

  const logTransition = (key: string, level: 'info' | 'warn', message: string): void => {
    if (key === lastLogged) return
    lastLogged = key
    log.log(level, message)
  }

  const wake = (): void => {
    const ws = waiters
    waiters = []
    for (const w of ws) w()
  }

  const run = (args: string[], timeoutMs: number, signal?: AbortSignal): Promise<CommandResult> =>
    deps.run(bin, args, { timeoutMs, signal, env: deps.env })

  /**
   * The nvidia-smi part of probing: the field catalogue, then `-q -x` and the `--query-gpu` inventory at once.
   * Both answer: the XML inventory, with what only the query has (compute_cap, gpumax) filled in. The XML fails
   * or times out: the query's inventory, with only the XML-only facts unavailable and why. Neither: absent.
   */
  async function probeNvidiaSmi(signal?: AbortSignal): Promise<ProbeResult> {
    const help = await run(['--help-query-gpu'], queryTimeoutMs, signal)
    const helpFail = describeRunFailure(help, 'nvidia-smi --help-query-gpu')
    if (helpFail) return absent(helpFail)
    const catalogue = parseHelpQueryGpu(help.kind === 'ok' ? help.stdout : '')
    if (!catalogue.known.has('index')) {
      const text = help.kind === 'ok' ? help.stdout.trim().slice(0, 200) : ''
      return absent(
        unavailable('parse-error', `no field list in nvidia-smi --help-query-gpu output: ${text}`)
      )
    }

    const invFields = negotiateInventoryFields(catalogue)
    const [xmlRun, queryRun] = await Promise.all([
      run(['-q', '-x'], xmlTimeoutMs, signal),
      run(
        [`--query-gpu=${invFields.query.join(',')}`, '--format=csv,noheader,nounits'],
        queryTimeoutMs,
        signal
      )
    ])
    const xml = readXmlInventory(xmlRun)
    const query = readQueryInventory(queryRun, invFields, xml)

    let gpus: GpuInfo[]
    if (xml.ok) {
      gpus = xml.gpus.map((g) => {
        const q = matchGpu(query.gpus, g)
        const filled = q ? fillGpuInfo(g, q.info) : g
        // compute_cap is not in any -q -x schema: say why the query could not add it.
        if (filled.computeCapability.status === 'ok') return filled
        const why = q?.info.computeCapability ?? query.fail
        return why ? { ...filled, computeCapability: why } : filled
      })
    } else if (query.gpus.length > 0) {
      gpus = query.gpus.map((q) => q.info)
      logTransition(
        `degraded:${xml.reason.reason}`,
        'warn',
        `nvidia-smi -q -x unusable (${xml.reason.detail ?? xml.reason.reason}); inventory from --query-gpu, thresholds unavailable`
      )
    } else {
      // Prefer "no GPU" from either call; then the XML's reason (the query's is usually the same failure).
      const reasons = [xml.reason, query.fail].filter((r): r is ReadingUnavailable => !!r)
      return absent(reasons.find((r) => r.reason === 'no-device') ?? reasons[0])
    }
    gpus = gpus.map((g) => ({ ...g, vendor: MODULE.vendor, backend: MODULE.backend }))

    const negotiated = negotiateFields(catalogue)
    if (stream && fields && negotiated.query.join(',') !== fields.query.join(',')) {
      // Re-probed after a driver change: the running stream asks for the old field list.
      const old = stream
      stream = undefined
      latest = undefined
      rowSets.reset()
      state = { kind: 'idle' }
      await old.stop()
    }
    fields = negotiated
    if (fields.missing.length > 0)
      log.log('info', `driver lacks fields: ${fields.missing.join(', ')}`)
    inventory = gpus
    rowSets.expect(gpus.length)
    return { status: 'present', inventory: { gpus } }
  }

  function absent(reason: ReadingUnavailable): ProbeResult {
    logTransition(
      `absent:${reason.reason}`,
      reason.reason === 'tool-missing' ? 'info' : 'warn',
      `no NVIDIA GPU data: ${reason.reason}${reason.detail ? ` (${reason.detail})` : ''}`
    )
    return {
      status: 'absent',
      reason,
      inventory: { absent: [{ deviceClass: 'gpu-nvidia', reason }] }
    }
  }

  function onLine(line: string): void {
    if (!fields) return
    const row = parseNvidiaSmiCsvRow(line, fields)
    if (!row) {
      lastBadLine = line.slice(0, 300)
      return
    }
    if (state.kind !== 'up') {
      state = { kind: 'up' }
      silentNote = undefined
      logTransition('up', 'info', 'nvidia-smi stream delivering')
    }
    const set = rowSets.push(row)
    if (set) {
      latest = { rows: set, atMs: deps.clock.monotonic() }
      wake()
    }
  }

  function onEvent(e: StreamEvent): void {
    switch (e.kind) {
      case 'started':
        if (state.kind !== 'up') state = { kind: 'starting' }
        return
      case 'exited': {
        const how = e.signal ? `killed by ${e.signal}` : `exit code ${e.code}`
        const detail =
          silentNote ?? (e.stderr ? `${e.stderr} (${how})` : `nvidia-smi stream ended (${how})`)
        state = { kind: 'down', detail: `${detail}; restarting` }
        rowSets.reset()
        logTransition(`down:${detail}`, 'warn', `stream down: ${detail}`)
        wake()
        return
      }
      case 'silent':
        silentNote = `nvidia-smi produced no output for ${e.silentMs} ms`
        return
      case 'not-found':
        state = {
          kind: 'dead',
          reason: unavailable('tool-missing', e.notRun ?? 'nvidia-smi not found')
        }
        break
      case 'permission-denied':
        state = { kind: 'dead', reason: unavailable('permission-denied', e.message) }
        break
      case 'gave-up':
        state = {
          kind: 'dead',
          reason: unavailable('failed', `nvidia-smi stream failed ${e.restarts + 1} times; gave up`)
        }
        break
    }
    if (state.kind === 'dead')
      logTransition(
        `dead:${state.reason.reason}`,
        'warn',
        `stream stopped: ${state.reason.detail ?? state.reason.reason}`
      )
    wake()
  }

  function ensureStream(): void {
    if (stream || closed || !fields) return
    state = { kind: 'starting' }
    stream = deps.spawnStream({
      file: bin,
      args: [
        `--query-gpu=${fields.query.join(',')}`,
        '--format=csv,noheader,nounits',
        '-lms',
        String(intervalMs)
      ],
      onLine,
      onEvent,
      silenceTimeoutMs,
      backoffMs: options.backoffMs ?? 1_000,
      maxBackoffMs: options.maxBackoffMs ?? 30_000,
      env: deps.env
    })
  }

  function waitForData(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      let done = false
      const finish = (): void => {
        if (done) return
        done = true
        deps.clock.clearTimeout(timer)
        signal.removeEventListener('abort', finish)
        resolve()
      }
      const timer = deps.clock.setTimeout(finish, ms)
      signal.addEventListener('abort', finish, { once: true })
      waiters.push(finish)
    })
  }

  /** Why the live data is unusable right now, or undefined when it is fresh. */
  function liveProblem(): ReadingUnavailable | undefined {
    if (state.kind === 'dead') return state.reason
    if (state.kind === 'down') return unavailable('failed', state.detail)
    if (!latest)
      return unavailable(
        'timeout',
        lastBadLine
          ? `no readable row from nvidia-smi yet; last line: ${lastBadLine}`
          : 'no data from nvidia-smi yet'
      )
    const age = deps.clock.monotonic() - latest.atMs
    if (age > staleAfterMs)
      return unavailable('timeout', `no fresh data from nvidia-smi for ${Math.round(age)} ms`)
    return undefined
  }

  function buildSamples(): GpuSample[] {
    const problem = liveProblem()
    if (problem || !latest)
      return inventory.map((g) => emptyGpuSample(g, problem ?? unavailable('timeout')))
    const rows = [...latest.rows.values()]
    return inventory.map((g) => {
      const byBus =
        g.pciBusId.status === 'ok'
          ? rows.find(
              (r) =>
                r.busId.status === 'ok' &&
                normalizePciBusId(r.busId.value) === (g.pciBusId as { value: string }).value
            )
          : undefined
      const row = byBus ?? rows.find((r) => r.busId.status !== 'ok' && r.index === g.index)
      return row
        ? gpuSampleFromRow(g, row)
        : emptyGpuSample(g, unavailable('no-device', 'GPU missing from nvidia-smi output'))
    })
  }

  async function checkAsleep(): Promise<boolean> {
    if (!asleepDevices) return false
    const now = await Promise.all(
      asleepDevices.map(async (d) => {
        const s = await deps.fs.readText(`/sys/bus/pci/devices/${d.busId}/power/runtime_status`)
        return { ...d, runtimeStatus: s.ok ? s.value.trim() : 'unknown' }
      })
    )
    if (now.every((d) => d.runtimeStatus === 'suspended')) return true
    return false
  }

  return {
    id: MODULE.id,
    // help, then -q -x and the inventory query side by side; a little over that for the sysfs reads.
    probeTimeoutMs: queryTimeoutMs + Math.max(queryTimeoutMs, xmlTimeoutMs) + 1_000,

    async probe(signal) {
      asleepDevices = undefined
      if (deps.platform === 'linux') {
        const devices = await listNvidiaPciDevices(deps.fs)
        if (devices.length > 0 && devices.every((d) => d.runtimeStatus === 'suspended')) {
          asleepDevices = devices
          inventory = devices.map(asleepInfo)
          logTransition(
            'asleep',
            'info',
            `${devices.length} NVIDIA GPU(s) runtime-suspended; not waking them`
          )
          return { status: 'present', inventory: { gpus: inventory } }
        }
      }
      return probeNvidiaSmi(signal)
    },

    async sample(ctx: SampleContext): Promise<SnapshotPart> {
      if (closed) return { gpus: [] }
      if (asleepDevices) {
        if (await checkAsleep()) {
          return {
            gpus: inventory.map((g) =>
              emptyGpuSample(
                g,
                unavailable('asleep', 'runtime-suspended; not woken to read it'),
                'asleep'
              )
            )
          }
        }
        // Someone else woke a GPU: now nvidia-smi costs no wake-up.
        asleepDevices = undefined
        const r = await probeNvidiaSmi(ctx.signal)
        if (r.status === 'absent')
          return { gpus: inventory.map((g) => emptyGpuSample(g, r.reason)) }
      }
      if (!fields || inventory.length === 0) return { gpus: [] }
      ensureStream()
      if (!latest && state.kind !== 'dead') await waitForData(firstSampleWaitMs, ctx.signal)
      return { gpus: buildSamples() }
    },

    async close() {
      closed = true
      const s = stream
      stream = undefined
      wake()
      await s?.stop()
    }
  }
}

/** Registry entry: NVIDIA GPUs through nvidia-smi (Linux, Windows). */
export const gpuNvidiaCollector: GpuCollectorModule<typeof MODULE.id> = {
  ...MODULE,
  kind: 'gpu',
  runsOn: (p) => p === 'linux' || p === 'win32',
  absentClass: 'gpu-nvidia',
  create: createGpuNvidiaCollector
}
