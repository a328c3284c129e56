/**
 * `rigready snapshot`, `rigready watch` and `rigready record`.
 */
import { parseArgs } from 'node:util'
import type { Snapshot } from '../../shared/telemetry'
import { createEngine, type Engine } from '../engine'
import { createSessionWriter } from '../recorder/session'
import { ENGINE_FLAGS, EXIT, UsageError, engineOptionsFrom, sleep, type CliIo } from './common'
import { ANSI, PLAIN, formatSnapshotText } from './format-snapshot'

/** `rigready snapshot [--json]`: inventory plus one sample. */
export async function cmdSnapshot(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { ...ENGINE_FLAGS, json: { type: 'boolean' } },
    strict: true
  })
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
  if (engine.mode === 'replay') {
    engine.source.start()
    const s = engine.source.latest()
    if (!s) throw new Error('replay produced no snapshot')
    return s
  }
  await engine.source.tick()
  await sleep(Math.min(engine.intervalMs, 500))
  return engine.source.tick()
}

/** `rigready watch`: a live terminal view redrawn in place; `q` quits. */
export async function cmdWatch(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { ...ENGINE_FLAGS, once: { type: 'boolean' } },
    strict: true
  })
  const engine = await createEngine(engineOptionsFrom(values, io))
  const style = io.stdout.isTTY ? ANSI : PLAIN
  const tty = Boolean(io.stdout.isTTY)
  let done: () => void = () => {}
  const finished = new Promise<void>((r) => (done = r))
  let frames = 0
  const draw = (s: Snapshot): void => {
    frames += 1
    const text = formatSnapshotText(engine.inventory, s, style)
    const footer = style.dim(tty ? 'q to quit' : '')
    if (tty) {
      // Home the cursor and clear below instead of clearing the screen: no flicker.
      const rows = io.stdout.rows ?? 50
      const cols = io.stdout.columns ?? 100
      // Never wrap: a wrapped line would push the frame past the screen and scroll it.
      const lines = text
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
    if (k === 'q' || k === 'Q' || k === '\u0003') done()
  }
  if (tty) io.stdout.write('\x1b[?1049h\x1b[?25l')
  if (stdin && stdin.isTTY) {
    stdin.setRawMode(true)
    stdin.resume()
    stdin.on('data', onKey)
  }
  const offInt = io.onInterrupt(done)
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
  return EXIT.ok
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

/** `rigready record --out FILE [--duration S] [-- CMD ARGS…]`: records a session (optionally wrapping a command). */
export async function cmdRecord(argv: string[], io: CliIo): Promise<number> {
  const dash = argv.indexOf('--')
  const own = dash >= 0 ? argv.slice(0, dash) : argv
  const wrapped = dash >= 0 ? argv.slice(dash + 1) : []
  const { values } = parseArgs({
    args: own,
    options: { ...ENGINE_FLAGS, out: { type: 'string', short: 'o' }, duration: { type: 'string' } },
    strict: true
  })
  const out = values.out ?? `rigready-${new Date().toISOString().replace(/[:.]/g, '-')}.jsonl`
  const durationS = values.duration === undefined ? Infinity : Number(values.duration)
  if (!(durationS > 0))
    throw new UsageError(
      `--duration must be a positive number of seconds (got "${values.duration}")`
    )
  const engine = await createEngine(engineOptionsFrom(values, io))
  const writer = await createSessionWriter(out, {
    startedAtMs: Date.now(),
    intervalMs: engine.intervalMs,
    inventory: engine.inventory,
    ...(wrapped.length ? { command: wrapped } : {})
  })
  io.stderr.write(
    `recording to ${out}${wrapped.length ? ` while running: ${wrapped.join(' ')}` : ''} (Ctrl-C to stop)\n`
  )
  let count = 0
  const unsub = engine.source.subscribe((s) => {
    count += 1
    void writer.append(s)
  })
  let stop: () => void = () => {}
  const stopped = new Promise<void>((r) => (stop = r))
  const offInt = io.onInterrupt(stop)
  let exitCode: number = EXIT.ok
  if (wrapped.length) {
    const { spawn } = await import('node:child_process')
    const child = spawn(wrapped[0], wrapped.slice(1), { stdio: 'inherit', shell: false })
    child.on('close', (code) => {
      exitCode = code ?? EXIT.failure
      stop()
    })
    child.on('error', (err) => {
      io.stderr.write(`rigready record: could not start ${wrapped[0]}: ${err.message}\n`)
      exitCode = EXIT.failure
      stop()
    })
  }
  if (Number.isFinite(durationS)) setTimeout(stop, durationS * 1000).unref()
  engine.source.start()
  await stopped
  offInt()
  unsub()
  await engine.close()
  await writer.close()
  io.stderr.write(`recorded ${count} snapshots to ${out}\n`)
  return exitCode
}
