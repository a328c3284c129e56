/**
 * Command dispatch and top-level error handling for `rigready`.
 */
import { SessionError } from '../recorder/session'
import { EXIT, UsageError, type CliIo } from './common'
import { cmdCheck, cmdEstimate } from './readiness-commands'
import { cmdReport } from './report-command'
import { cmdServe } from './serve-command'
import { cmdRecord, cmdSnapshot, cmdWatch } from './telemetry-commands'
import { VERSION } from './version'

const USAGE = `rigready — is this machine ready to train or serve your model?

Usage:
  rigready check     [--profile ID]... [--sample SECONDS] [--json | --markdown] [--fail-under N]
  rigready estimate  [--gpu NAME] [--gpus N] [--ram GB] [--storage nvme|sata-ssd|hdd] [--cpu-cores N]
                     [--model ID] [--quant Q] [--context N] [--method inference|full|lora|qlora] [--tokens N] [--json]
  rigready snapshot  [--json]
  rigready watch
  rigready record    [--out FILE] [--duration SECONDS] [-- COMMAND ARGS...]
  rigready report    SESSION [--json | --csv]
  rigready serve     [--host 127.0.0.1] [--port 7878] [--token TOKEN]

Engine flags (check, snapshot, watch, record, serve):
  --sysfs-root DIR    read sysfs from DIR instead of /sys (captured trees)
  --procfs-root DIR   read procfs from DIR instead of /proc
  --tools-dir DIR     with a root: run captured tools (nvidia-smi, smartctl) from DIR only; none without it
  --replay FILE       play a recorded session as if live (--speed N to accelerate)
  --interval SECONDS  sampling interval (default 1)

Profiles: --profiles-file FILE adds your own workload profiles (JSON array) to the catalogue.
`

/** Runs the CLI; returns the exit code. */
export async function main(argv: string[], io: CliIo): Promise<number> {
  const [cmd, ...rest] = argv
  try {
    switch (cmd) {
      case 'snapshot':
        return await cmdSnapshot(rest, io)
      case 'watch':
        return await cmdWatch(rest, io)
      case 'record':
        return await cmdRecord(rest, io)
      case 'check':
        return await cmdCheck(rest, io)
      case 'estimate':
        return await cmdEstimate(rest, io)
      case 'report':
        return await cmdReport(rest, io)
      case 'serve':
        return await cmdServe(rest, io)
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
      return EXIT.failure
    }
    io.stderr.write(
      `rigready ${cmd}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`
    )
    return EXIT.failure
  }
}
