/**
 * `rigready snapshot`, `rigready watch` and `rigready record`.
 */
import { dirname, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import type { AlertTransition } from '../../shared/alerts'
import type { Snapshot } from '../../shared/telemetry'
import {
  ALERT_FLAGS,
  alertFlagsFrom,
  alertLine,
  createAlertMonitor,
  type AlertMonitor
} from '../alerts/monitor'
import { createEngine, type Engine } from '../engine'
import { ensureDir, resolveOut, sessionPathIn } from '../recorder/paths'
import { SessionError } from '../recorder/session-error'
import { createSessionWriter, describeFileError, type SessionWriter } from '../recorder/writer'
import { ENGINE_FLAGS, EXIT, UsageError, engineOptionsFrom, sleep, type CliIo } from './common'
import { ANSI, PLAIN, formatSnapshotText } from './format-snapshot'
import { VERSION } from './version'
import { runWrappedCommand, type CommandOutcome } from './wrapped-command'

/** Usage of `rigready watch`. */
export const WATCH_USAGE = `Usage: rigready watch [ENGINE FLAGS] [--alert-webhook URL] [--alert-config FILE] [--no-alerts] [--once]

A live terminal view, redrawn in place (q or Ctrl-C quits). Alerts (near a device's own slowdown
temperature, throttled, drive hot, memory or disk nearly full, swap storm, GPU gone) show in the view and
go to the webhook when one is given.

  --alert-webhook URL   POST each alert as JSON to URL (timeout, retries, never blocks sampling)
  --alert-config FILE   alert thresholds and timing (JSON; see the README)
  --no-alerts           do not evaluate alerts
  --once                draw two frames and exit (scripts, tests)
`

/** Usage of `rigready record`. */
export const RECORD_USAGE = `Usage: rigready record [--out FILE|DIR] [--interval SECONDS] [--duration SECONDS] [ENGINE FLAGS]
                       [--alert-webhook URL] [--alert-config FILE] [--no-alerts] [--note TEXT] [-- COMMAND ARGS...]

Records a session (compact, append-only, survives kill -9 with at most the last interval lost). With a
command after --, runs it as if run directly: its output is yours, Ctrl-C/SIGTERM/SIGHUP reach its process
group, and rigready exits with its exit code (128 + n when signal n ended it, 127 when it cannot be found).
Recording stops with the command; a full disk stops recording with a message while the command runs on.

  --out FILE|DIR      session file (never overwritten) or folder for a dated name
                      (default: the app-data sessions folder; RIGREADY_SESSIONS_DIR overrides it)
  --interval SECONDS  sampling interval (default 1)
  --duration SECONDS  stop after this long (without a command)
  --note TEXT         free text stored in the session header
  Alert flags as for watch; alerts are printed here and recorded in the session.
`

/** `rigready snapshot [--json]`: inventory plus one sample. */
/** `rigready snapshot --help`. */
export const SNAPSHOT_HELP = `rigready snapshot — what this machine has, its live readings, and why anything is missing

Usage: rigready snapshot [--json] [engine flags]

Prints the inventory (GPUs, CPU, memory, drives, filesystems, with each device's own limits: slowdown and
shutdown temperatures, power limits, PCIe link maxima) and one sample of live readings, two ticks apart so
rates are present. Every value that could not be read says why ("tool not installed", "permission denied").

  --json   inventory and snapshot as JSON (resources/schema/snapshot.v1.schema.json)

Engine flags: --sysfs-root DIR, --procfs-root DIR, --tools-dir DIR (read a captured tree; no tool of this
machine runs), --replay FILE [--seek T], --interval SECONDS. Exit codes: 0 ok, 1 failure, 2 bad input.
`

export async function cmdSnapshot(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { ...ENGINE_FLAGS, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    strict: true
  })
  if (values.help) {
    io.stdout.write(SNAPSHOT_HELP)
    return EXIT.ok
  }
  const engine = await createEngine(engineOptionsFrom(values, io))
  try {
    const snap = await firstUsefulSnapshot(engine)
    if (values.json)
      io.stdout.write(
        JSON.stringify({ inventory: engine.inventory, snapshot: snap }, null, 2) + '\n'
      )
    else io.stdout.write(formatSnapshotText(engine.inventory, snap, io.stdout.isTTY ? ANSI : PLAIN))
    return EXIT.ok
  } finally {
    await engine.close()
  }
}

/** Two ticks apart so rates and utilisation (which need deltas) are present; replay just takes the first. */
export async function firstUsefulSnapshot(engine: Engine): Promise<Snapshot> {
  if (engine.mode === 'replay') return engine.source.tick()
  await engine.source.tick()
  await sleep(Math.min(engine.intervalMs, 500))
  return engine.source.tick()
}

/** The part of a replay source that says when playback ended. */
function replayDone(engine: Engine): Promise<void> | null {
  const s = engine.source as { done?: () => Promise<void> }
  return engine.mode === 'replay' && typeof s.done === 'function' ? s.done() : null
}

/** `rigready watch`: a live terminal view redrawn in place; `q` quits. */
export async function cmdWatch(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { ...ENGINE_FLAGS, ...ALERT_FLAGS, once: { type: 'boolean' } },
    strict: true
  })
  const alertFlags = await alertFlagsFrom(values)
  if (typeof alertFlags === 'string') throw new UsageError(alertFlags)
  const engine = await createEngine(engineOptionsFrom(values, io))
  const style = io.stdout.isTTY ? ANSI : PLAIN
  const tty = Boolean(io.stdout.isTTY)
  let done: () => void = () => {}
  const finished = new Promise<void>((r) => (done = r))
  let frames = 0
  const monitor: AlertMonitor | null = alertFlags.enabled
    ? createAlertMonitor({
        inventory: engine.inventory,
        config: {
          ...alertFlags.config,
          diskFull: {
            ...alertFlags.config.diskFull,
            dataPath: alertFlags.config.diskFull.dataPath ?? resolve('.')
          }
        },
        webhookUrl: alertFlags.webhookUrl,
        warn: (m) => io.stderr.write(`rigready watch: ${m}\n`),
        // Without a terminal to redraw, alerts are lines of their own.
        onAlert: tty ? undefined : (a) => io.stderr.write(alertLine(a))
      })
    : null
  const alertFooter = (): string => {
    const active = monitor?.active() ?? []
    if (active.length === 0) return ''
    return (
      active
        .slice(0, 3)
        .map((a) =>
          a.severity === 'critical' ? style.bad(`! ${a.message}`) : style.warn(`! ${a.message}`)
        )
        .join('\n') + '\n'
    )
  }
  const draw = (s: Snapshot): void => {
    frames += 1
    monitor?.push(s)
    const text = formatSnapshotText(engine.inventory, s, style)
    const footer = style.dim(tty ? 'q to quit' : '')
    if (tty) {
      // Home the cursor and clear below instead of clearing the screen: no flicker.
      const rows = io.stdout.rows ?? 50
      const cols = io.stdout.columns ?? 100
      const alerts = alertFooter()
      // Never wrap: a wrapped line would push the frame past the screen and scroll it.
      const lines = (alerts + text)
        .split('\n')
        .slice(0, Math.max(5, rows - 2))
        .map((l) => truncateVisible(l, cols - 1))
      io.stdout.write(
        '\x1b[H' + lines.map((l) => l + '\x1b[K').join('\n') + '\n' + footer + '\x1b[K\x1b[J'
      )
    } else io.stdout.write(text + '\n')
    if (values.once && frames >= 2) done()
  }
  const unsub = engine.source.subscribe(draw)
  const stdin = io.stdin
  const onKey = (buf: Buffer): void => {
    const k = buf.toString()
    if (k === 'q' || k === 'Q') done()
    // Raw mode turns Ctrl-C into a byte: treat it as the signal it would have been.
    if (k === '\u0003') {
      interrupted = true
      done()
    }
  }
  let interrupted = false
  if (tty) io.stdout.write('\x1b[?1049h\x1b[?25l')
  if (stdin && stdin.isTTY) {
    stdin.setRawMode(true)
    stdin.resume()
    stdin.on('data', onKey)
  }
  const offInt = io.onInterrupt(() => done())
  const ended = replayDone(engine)
  if (ended && !tty) void ended.then(() => done())
  engine.source.start()
  await finished
  offInt()
  unsub()
  if (stdin && stdin.isTTY) {
    stdin.off('data', onKey)
    stdin.setRawMode(false)
    stdin.pause()
  }
  if (tty) io.stdout.write('\x1b[?25h\x1b[?1049l')
  await engine.close()
  await monitor?.close()
  if (frames === 0 && engine.mode === 'replay') {
    io.stderr.write('rigready watch: the session holds no samples\n')
    return EXIT.usage
  }
  return interrupted ? EXIT.interrupted : EXIT.ok
}

/** Cuts a line to `width` visible characters, keeping ANSI styling sequences intact. */
export function truncateVisible(line: string, width: number): string {
  let visible = 0
  let out = ''
  for (let i = 0; i < line.length; i++) {
    if (line[i] === '\x1b') {
      const end = line.indexOf('m', i)
      if (end < 0) break
      out += line.slice(i, end + 1)
      i = end
      continue
    }
    if (visible >= width) continue
    out += line[i]
    visible += 1
  }
  return out
}

/** Creates the session file for `--out`, trying `-2`, `-3`… names in a folder so nothing is overwritten. */
async function openSessionFile(
  out: string | undefined,
  io: CliIo,
  header: Parameters<typeof createSessionWriter>[1],
  alertsRecorded: boolean
): Promise<SessionWriter> {
  const target = await resolveOut(out, io.env)
  const options = { alertsRecorded }
  if (target.kind === 'file') return createSessionWriter(target.path, header, options)
  try {
    await ensureDir(target.dir)
  } catch (err) {
    throw new SessionError(
      `cannot create the sessions folder ${describeFileError(err, target.dir).text}`
    )
  }
  for (let attempt = 0; attempt < 1000; attempt++) {
    const path = sessionPathIn(target.dir, header.startedAtMs, header.command, attempt)
    try {
      return await createSessionWriter(path, header, options)
    } catch (err) {
      if (err instanceof SessionError && /\(EEXIST\)/.test(err.message)) continue
      throw err
    }
  }
  throw new SessionError(`${target.dir}: no free session name for this second`)
}

/**
 * `rigready record [--out FILE|DIR] [--interval S] [--duration S] [-- CMD ARGS…]`: records a session,
 * optionally wrapping a command that behaves as if run directly.
 */
export async function cmdRecord(argv: string[], io: CliIo): Promise<number> {
  const dash = argv.indexOf('--')
  const own = dash >= 0 ? argv.slice(0, dash) : argv
  const wrapped = dash >= 0 ? argv.slice(dash + 1) : []
  const { values, positionals } = parseArgs({
    args: own,
    options: {
      ...ENGINE_FLAGS,
      ...ALERT_FLAGS,
      out: { type: 'string', short: 'o' },
      duration: { type: 'string' },
      note: { type: 'string' }
    },
    allowPositionals: true,
    strict: true
  })
  if (positionals.length)
    throw new UsageError(
      `unexpected "${positionals[0]}": put the command after -- (rigready record -- ${positionals.join(' ')})`
    )
  if (dash >= 0 && wrapped.length === 0)
    throw new UsageError('nothing after --: give the command to run')
  const durationS = values.duration === undefined ? Infinity : Number(values.duration)
  if (!(durationS > 0))
    throw new UsageError(
      `--duration must be a positive number of seconds (got "${values.duration}")`
    )
  if (wrapped.length && Number.isFinite(durationS))
    throw new UsageError(
      '--duration cannot be combined with a command: recording ends when the command does'
    )
  const alertFlags = await alertFlagsFrom(values)
  if (typeof alertFlags === 'string') throw new UsageError(alertFlags)
  const engine = await createEngine(engineOptionsFrom(values, io))
  let writer: SessionWriter
  try {
    writer = await openSessionFile(
      values.out,
      io,
      {
        startedAtMs: Date.now(),
        intervalMs: engine.intervalMs,
        inventory: engine.inventory,
        ...(wrapped.length ? { command: wrapped } : {}),
        ...(values.note !== undefined ? { note: values.note } : {}),
        writer: `rigready ${VERSION}`
      },
      alertFlags.enabled
    )
  } catch (err) {
    await engine.close()
    throw err
  }
  const path = writer.path
  writer.onFailure((f) =>
    io.stderr.write(
      `rigready record: ${f.message}${wrapped.length ? `; ${wrapped[0]} keeps running` : ''}\n`
    )
  )
  const monitor: AlertMonitor | null = alertFlags.enabled
    ? createAlertMonitor({
        inventory: engine.inventory,
        config: {
          ...alertFlags.config,
          diskFull: {
            ...alertFlags.config.diskFull,
            dataPath: alertFlags.config.diskFull.dataPath ?? dirname(resolve(path))
          }
        },
        webhookUrl: alertFlags.webhookUrl,
        warn: (m) => io.stderr.write(`rigready record: ${m}\n`),
        onAlert: (a: AlertTransition) => {
          io.stderr.write(alertLine(a))
          void writer.record({ type: 'alert', atMs: a.atMs, alert: a })
        }
      })
    : null
  io.stderr.write(
    `rigready record: recording to ${path}${wrapped.length ? ` while running: ${wrapped.join(' ')}` : ' (Ctrl-C to stop)'}\n`
  )
  const unsub = engine.source.subscribe((s) => {
    void writer.append(s)
    monitor?.push(s)
  })
  let stop: (reason: string) => void = () => {}
  const stopped = new Promise<string>((r) => (stop = r))
  let outcome: CommandOutcome | null = null
  let interrupts = 0
  let offInt: () => void = () => {}

  if (wrapped.length) {
    io.claimExitCode?.()
    const child = runWrappedCommand(wrapped, {
      stdin: io.stdin && io.stdin.isTTY ? io.stdin : null,
      env: io.env,
      onSpawn: (pid) =>
        void writer.record({ type: 'command-start', atMs: Date.now(), argv: wrapped, pid })
    })
    offInt = io.onInterrupt((sig) => {
      interrupts++
      const signal = sig ?? 'SIGINT'
      if (interrupts >= 3 && signal === 'SIGINT') {
        io.stderr.write(`rigready record: third Ctrl-C: killing ${wrapped[0]} (SIGKILL)\n`)
        child.signal('SIGKILL')
      } else child.signal(signal)
    })
    void child.done.then((o) => {
      outcome = o
      stop('command-ended')
    })
  } else {
    offInt = io.onInterrupt(() => stop('stopped'))
    if (Number.isFinite(durationS)) setTimeout(() => stop('stopped'), durationS * 1000).unref()
    const ended = replayDone(engine)
    if (ended) void ended.then(() => stop('replay-ended'))
  }
  engine.source.start()
  const reason = await stopped
  offInt()
  unsub()
  await engine.close()
  let code: number = EXIT.ok
  const o = outcome as CommandOutcome | null
  if (o) {
    code = o.exitStatus
    const end = Date.now()
    if (o.error) io.stderr.write(`rigready record: ${o.error}\n`)
    await writer.record({
      type: 'command-end',
      atMs: end,
      argv: wrapped,
      exitCode: o.exitCode,
      signal: o.signal,
      exitStatus: o.exitStatus,
      durationMs: o.durationMs,
      ...(o.error ? { error: o.error } : {})
    })
    monitor?.commandEnded(o.exitStatus, end, wrapped, o.durationMs)
  }
  await writer.close(writer.failure ? 'write-error' : reason)
  await monitor?.close()
  const kept = writer.failure ? ' (recording had stopped early: see above)' : ''
  io.stderr.write(`rigready record: recorded ${writer.samples} samples to ${path}${kept}\n`)
  return code
}
