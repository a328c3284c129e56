/**
 * `rigready probe`: loads the CPU, memory, a storage path and the GPUs while recording telemetry, and
 * reports what the machine sustains. Results are stored per machine and dated, for readiness to use.
 */
import { mkdir, stat } from 'node:fs/promises'
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import type { ProbeProgress, ProbeResult } from '../../shared/probe'
import { createEngine } from '../engine'
import { formatProbeText, formatProgress } from '../probe/format'
import {
  DEFAULT_PROBE_SECONDS,
  LONG_PROBE_SECONDS,
  startProbe,
  type ProbePhases
} from '../probe/runner'
import { DEFAULT_SAFETY_MARGIN_CELSIUS } from '../probe/safety'
import { openProbeSession, type ProbeSessionRecorder } from '../probe/session-adapter'
import {
  machineKeyFor,
  probeDir,
  probeSessionPath,
  readMachineId,
  resultStem,
  saveProbeResult
} from '../probe/store'
import {
  ENGINE_FLAGS,
  EXIT,
  UsageError,
  engineOptionsFrom,
  positiveNumber,
  type CliIo
} from './common'

/** Exit code after Ctrl-C. */
const EXIT_INTERRUPTED = 130
/** Exit code when the user command was not found. */
const EXIT_NOT_FOUND = 127

/** Usage text of `rigready probe`. */
export const PROBE_USAGE = `Usage: rigready probe [--duration S | --long] [--cpu] [--memory] [--storage PATH] [--gpu] [--json]
                     [--temp-margin C] [--no-save] [-- COMMAND ARGS...]

Loads the machine and measures what it sustains, not what it reaches for a moment: CPU GFLOPS, memory
bandwidth (STREAM-style, arrays far larger than the caches), sequential storage MB/s without the page cache,
GPU matmul TFLOPS and memory bandwidth (PyTorch, else WebGPU); and per device the clock under load, time to
thermal steady state, temperature headroom, throttling by cause, power against its limit and the PCIe link.

  --duration S     seconds of load in all (default ${DEFAULT_PROBE_SECONDS}); --long: ${LONG_PROBE_SECONDS} s
  --cpu --memory --storage PATH --gpu
                   phases to run (default: all, storage in the current directory)
  -- COMMAND ...   run your own command as the load and record it (e.g. -- python train.py --max-steps 200)
  --temp-margin C  stop when a device gets within C °C of its own slowdown threshold (default ${DEFAULT_SAFETY_MARGIN_CELSIUS})
  --json           print the result as JSON (progress goes to stderr)
  --no-save        do not store the result and its session

The probe stops at once on Ctrl-C (exit 130), on reaching a threshold, on battery power or when a tool fails
(exit 1), and always removes its probe file. Results are stored under the data folder (RIGREADY_DATA_DIR).
`

function stderrIsTty(io: CliIo): boolean {
  return Boolean((io.stderr as { isTTY?: boolean }).isTTY)
}

/** `rigready probe …` */
export async function cmdProbe(argv: string[], io: CliIo): Promise<number> {
  const dash = argv.indexOf('--')
  const own = dash >= 0 ? argv.slice(0, dash) : argv
  const wrapped = dash >= 0 ? argv.slice(dash + 1) : []
  const { values } = parseArgs({
    args: own,
    options: {
      ...ENGINE_FLAGS,
      duration: { type: 'string' },
      long: { type: 'boolean' },
      cpu: { type: 'boolean' },
      memory: { type: 'boolean' },
      storage: { type: 'string' },
      gpu: { type: 'boolean' },
      json: { type: 'boolean' },
      'temp-margin': { type: 'string' },
      'no-save': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' }
    },
    strict: true
  })
  if (values.help) {
    io.stdout.write(PROBE_USAGE)
    return EXIT.ok
  }
  if (values.replay !== undefined)
    throw new UsageError('--replay cannot be probed: a probe loads this machine')
  if (dash >= 0 && wrapped.length === 0)
    throw new UsageError('nothing after "--": give the command to run')
  if (values.long && values.duration !== undefined)
    throw new UsageError('give either --duration or --long, not both')
  const durationS = values.long
    ? LONG_PROBE_SECONDS
    : positiveNumber('duration', values.duration, DEFAULT_PROBE_SECONDS)
  if (durationS < 2 || durationS > 86_400)
    throw new UsageError(`--duration must be from 2 to 86400 seconds (got "${values.duration}")`)
  const margin =
    values['temp-margin'] === undefined
      ? DEFAULT_SAFETY_MARGIN_CELSIUS
      : Number(values['temp-margin'])
  if (!Number.isFinite(margin) || margin < 0 || margin > 50)
    throw new UsageError(`--temp-margin must be from 0 to 50 °C (got "${values['temp-margin']}")`)
  const anyPhase = values.cpu || values.memory || values.storage !== undefined || values.gpu
  const all = !anyPhase && wrapped.length === 0
  let storageDir: string | null = null
  if (values.storage !== undefined || all) {
    storageDir = resolve(values.storage ?? process.cwd())
    const s = await stat(storageDir).catch(() => null)
    if (s === null || !s.isDirectory())
      throw new UsageError(`--storage ${values.storage}: not a directory`)
  }
  const phases: ProbePhases = {
    cpu: all || Boolean(values.cpu),
    memory: all || Boolean(values.memory),
    storage: storageDir,
    gpu: all || Boolean(values.gpu),
    command: wrapped.length > 0 ? wrapped : null
  }

  const engine = await createEngine(engineOptionsFrom(values, io))
  let recorder: ProbeSessionRecorder | null = null
  try {
    const machineKey = machineKeyFor(engine.inventory, await readMachineId())
    const stem = resultStem(Date.now())
    if (!values['no-save']) {
      const dir = probeDir(machineKey, io.env)
      await mkdir(dir, { recursive: true })
      recorder = await openProbeSession(probeSessionPath(dir, stem), {
        startedAtMs: Date.now(),
        intervalMs: engine.intervalMs,
        inventory: engine.inventory,
        argv: ['rigready', 'probe', ...argv]
      })
    }
    const tty = stderrIsTty(io)
    const cols = (io.stderr as { columns?: number }).columns ?? io.stdout.columns ?? 100
    let lastPlain = 0
    let lastPhase = ''
    const draw = (p: ProbeProgress): void => {
      if (p.result) return
      // The user's command owns the terminal while it runs: one plain line, no redrawn bar.
      if (p.phase === 'command') {
        if (lastPhase !== 'command') io.stderr.write(formatProgress(p) + '\n')
        lastPhase = 'command'
        return
      }
      if (tty) io.stderr.write(`\r\x1b[K${formatProgress(p, cols)}`)
      else if (Date.now() - lastPlain >= 5000 || p.phase !== lastPhase || p.state !== 'running') {
        lastPlain = Date.now()
        lastPhase = p.phase
        io.stderr.write(formatProgress(p) + '\n')
      }
    }
    const label = engine.inventory.gpus.length
      ? `${engine.inventory.host.hostname}: ${engine.inventory.gpus.map((g) => g.name).join(' + ')}`
      : `${engine.inventory.host.hostname}: ${engine.inventory.cpu.model.status === 'ok' ? engine.inventory.cpu.model.value : 'CPU'}`
    const run = startProbe({
      durationS,
      phases,
      engine,
      machineKey,
      machineLabel: label,
      env: io.env,
      recorder,
      marginCelsius: margin,
      onProgress: draw
    })
    const offInt = io.onInterrupt(() => run.stop('interrupted', 'interrupted (Ctrl-C)'))
    let result: ProbeResult
    try {
      result = await run.result
    } finally {
      offInt()
      if (tty) io.stderr.write('\r\x1b[K')
    }
    recorder = null
    let saved: string | null = null
    if (!values['no-save']) saved = await saveProbeResult(result, io.env, stem)
    if (values.json) io.stdout.write(JSON.stringify(result, null, 2) + '\n')
    else {
      io.stdout.write(formatProbeText(result))
      if (saved) io.stdout.write(`saved ${saved}\n`)
    }
    if (result.stop?.reason === 'interrupted') return EXIT_INTERRUPTED
    if (result.command?.status === 'failed' && result.command.exitCode === null)
      return EXIT_NOT_FOUND
    if (result.stop !== null) {
      io.stderr.write(`rigready probe: stopped: ${result.stop.detail}\n`)
      return EXIT.failure
    }
    if (result.command) return result.command.exitCode ?? EXIT.failure
    return result.complete ? EXIT.ok : EXIT.failure
  } finally {
    await recorder?.close().catch(() => {})
    await engine.close()
  }
}
