/**
 * User command phase (`rigready probe -- python train.py --max-steps 200`): runs the command as the load,
 * with the terminal attached (as `rigready record -- CMD` does), while the engine records telemetry. The
 * child is registered with the load controller, so a stop ends it like any other load.
 */
import { spawn } from 'node:child_process'
import type { CommandPhaseResult } from '../../shared/probe'
import type { PhaseContext } from './phase-context'

/** Runs `argv` until it exits or the probe stops. */
export async function runCommandPhase(
  ctx: PhaseContext,
  argv: string[],
  options: { env?: NodeJS.ProcessEnv; stdio?: 'inherit' | 'ignore' } = {}
): Promise<CommandPhaseResult> {
  const startedAtMs = ctx.now()
  const child = spawn(argv[0], argv.slice(1), {
    shell: false,
    stdio: options.stdio ?? 'inherit',
    env: options.env ?? process.env
  })
  ctx.controller.addChild(child)
  const ex = await new Promise<{
    code: number | null
    signal: string | null
    error: string | null
  }>((resolve) => {
    child.once('error', (e) => resolve({ code: null, signal: null, error: e.message }))
    child.once('exit', (code, signal) => resolve({ code, signal, error: null }))
  })
  const stopped = ctx.signal.aborted
  if (ex.error !== null && !stopped) ctx.toolFailed(`could not start ${argv[0]}: ${ex.error}`)
  return {
    status: stopped ? 'stopped' : ex.error !== null ? 'failed' : 'completed',
    detail:
      ex.error !== null
        ? `could not start ${argv[0]}: ${ex.error}`
        : ex.code !== null
          ? `exited with code ${ex.code}`
          : `ended by ${ex.signal}`,
    startedAtMs,
    endedAtMs: ctx.now(),
    argv,
    exitCode: ex.code,
    signal: ex.signal
  }
}
