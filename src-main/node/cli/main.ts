/**
 * Command dispatch, top-level error handling and the one place where signals become exit codes.
 *
 * Exit codes: 0 ok, 1 failure, 2 usage or bad input, 3 below `--fail-under`, 126 not executable, 127 command
 * not found, 130 Ctrl-C, 128 + n ended by signal n. A command interrupted by SIGINT/SIGTERM/SIGHUP exits
 * 128 + the signal's number after cleaning up, unless it ran a command whose own exit code it passes on
 * (`record -- CMD`), which it claims with `io.claimExitCode()`.
 */
import { constants } from 'node:os'
import { SessionError } from '../recorder/session-error'
import { EXIT, UsageError, type CliIo } from './common'
import { VERSION } from './version'

// Each command's module is loaded when it runs, so a command starts without compiling the others (the
// agent, the probe and the recorder are large).
const telemetry = () => import('./telemetry-commands')
const readiness = () => import('./readiness-commands')

const USAGE = `rigready — is this machine ready to train or serve your model?

Usage:
  rigready check     [--profile ID]... [--sample SECONDS] [--json | --markdown] [--fail-under N]
  rigready estimate  [--gpu NAME] [--gpus N] [--ram GIB] [--storage nvme|sata-ssd|hdd] [--cpu-cores N]
                     [--model ID] [--quant Q] [--context N] [--method inference|full|lora|qlora] [--tokens N] [--json]
  rigready models    [--dir DIR]... [machine flags of estimate] [--json]
  rigready list      gpus|models|profiles|quants [--json]
  rigready snapshot  [--json]
  rigready watch     [--alert-webhook URL] [--alert-config FILE] [--no-alerts]
  rigready record    [--out FILE|DIR] [--interval SECONDS] [--duration SECONDS] [-- COMMAND ARGS...]
  rigready report    SESSION [--json | --csv | --markdown | --html] [--out FILE]
  rigready serve     [--host 127.0.0.1] [--port 7878] [--web-config FILE] [--token-file FILE] [--alert-webhook URL]
  rigready probe     [--duration S | --long] [--cpu] [--memory] [--storage PATH] [--gpu] [--json] [-- CMD...]

Engine flags (check, snapshot, watch, record, serve):
  --sysfs-root DIR    read sysfs from DIR instead of /sys (captured trees)
  --procfs-root DIR   read procfs from DIR instead of /proc
  --tools-dir DIR     with a root: run captured tools (nvidia-smi, smartctl) from DIR only; none without it
  --replay FILE       play a recorded session as if live (--speed N or --speed max; --seek 36h)
  --interval SECONDS  sampling interval (default 1)

Profiles: --profiles-file FILE adds your own workload profiles (JSON array) to the catalogue.
Run "rigready COMMAND --help" for a command's own flags.

Exit codes: 0 ok · 1 failure · 2 usage error or bad input · 3 a score below --fail-under ·
126/127 the wrapped command is not executable / not found · 130 Ctrl-C · 128+n killed by signal n.
Errors are one line; RIGREADY_DEBUG=1 adds the stack trace.
`

/** 128 + the signal's number (SIGINT → 130, SIGTERM → 143, SIGHUP → 129). */
export function signalExitCode(signal: NodeJS.Signals | string | undefined): number {
  const n = signal ? (constants.signals as Record<string, number>)[signal] : undefined
  return 128 + (typeof n === 'number' ? n : 2)
}

/** Runs the CLI; returns the exit code. */
export async function main(argv: string[], io: CliIo): Promise<number> {
  const [cmd, ...rest] = argv
  let signal: NodeJS.Signals | null = null
  let claimed = false
  const wrapped: CliIo = {
    ...io,
    onInterrupt(fn) {
      return io.onInterrupt((sig) => {
        signal ??= sig ?? 'SIGINT'
        fn(sig ?? 'SIGINT')
      })
    },
    claimExitCode() {
      claimed = true
    }
  }
  const finish = (code: number): number =>
    signal !== null && !claimed && code === EXIT.ok ? signalExitCode(signal) : code
  const wantsHelp = rest.includes('--help') || rest.includes('-h')
  try {
    switch (cmd) {
      case 'snapshot':
        return finish(await (await telemetry()).cmdSnapshot(rest, wrapped))
      case 'watch': {
        const { WATCH_USAGE, cmdWatch } = await telemetry()
        if (wantsHelp) return help(io, WATCH_USAGE)
        return finish(await cmdWatch(rest, wrapped))
      }
      case 'record': {
        // Flags after -- belong to the wrapped command (`record -- python train.py --help`).
        const dash = rest.indexOf('--')
        const own = dash >= 0 ? rest.slice(0, dash) : rest
        const { RECORD_USAGE, cmdRecord } = await telemetry()
        if (own.includes('--help') || own.includes('-h')) return help(io, RECORD_USAGE)
        return finish(await cmdRecord(rest, wrapped))
      }
      case 'check':
        return finish(await (await readiness()).cmdCheck(rest, wrapped))
      case 'estimate':
        return finish(await (await readiness()).cmdEstimate(rest, wrapped))
      case 'models': {
        const [{ cmdModels }, { MACHINE_FLAGS, machineFromFlags }] = await Promise.all([
          import('./models-commands'),
          readiness()
        ])
        return finish(
          await cmdModels(rest, wrapped, (v) => machineFromFlags(v, wrapped), MACHINE_FLAGS)
        )
      }
      case 'list':
        return finish(await (await import('./models-commands')).cmdList(rest, wrapped))
      case 'report': {
        const { REPORT_USAGE, cmdReport } = await import('./report-command')
        if (wantsHelp) return help(io, REPORT_USAGE)
        return finish(await cmdReport(rest, wrapped))
      }
      case 'serve':
        return finish(await (await import('./serve-command')).cmdServe(rest, wrapped))
      case 'probe':
        return finish(await (await import('./probe-command')).cmdProbe(rest, wrapped))
      case '--version':
      case '-v':
        io.stdout.write(`rigready ${VERSION}\n`)
        return EXIT.ok
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.stdout.write(USAGE)
        return cmd === undefined ? EXIT.usage : EXIT.ok
      default:
        io.stderr.write(`rigready: unknown command "${cmd}"\n\n${USAGE}`)
        return EXIT.usage
    }
  } catch (err) {
    if (
      err instanceof UsageError ||
      (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')
    ) {
      io.stderr.write(`rigready ${cmd}: ${(err as Error).message}\n`)
      return EXIT.usage
    }
    if (err instanceof SessionError) {
      io.stderr.write(`rigready ${cmd}: ${err.message}\n`)
      return EXIT.usage
    }
    const debug = io.env.RIGREADY_DEBUG === '1'
    io.stderr.write(
      `rigready ${cmd}: ${err instanceof Error ? (debug ? (err.stack ?? err.message) : err.message) : String(err)}\n`
    )
    return signal !== null ? signalExitCode(signal) : EXIT.failure
  }
}

function help(io: CliIo, text: string): number {
  io.stdout.write(text)
  return EXIT.ok
}
