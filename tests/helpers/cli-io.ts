/**
 * In-process CLI harness: captures stdout/stderr of `main(argv, io)`.
 */
import { main } from '../../src-main/node/cli/main'
import type { CliIo } from '../../src-main/node/cli/common'

/** Result of one CLI run. */
export interface CliRun {
  code: number
  stdout: string
  stderr: string
  wallMs: number
}

/** Runs the CLI in-process. `interruptAfterMs` fires the interrupt handler (for serve/watch/record). */
export async function runCli(
  argv: string[],
  opts: { env?: NodeJS.ProcessEnv; interruptAfterMs?: number } = {}
): Promise<CliRun> {
  let stdout = ''
  let stderr = ''
  const io: CliIo = {
    stdout: { write: (s: string) => (stdout += s), isTTY: false, columns: 120 },
    stderr: { write: (s: string) => (stderr += s) },
    stdin: null,
    env: opts.env ?? process.env,
    onInterrupt(fn) {
      const t =
        opts.interruptAfterMs === undefined ? undefined : setTimeout(fn, opts.interruptAfterMs)
      return () => t && clearTimeout(t)
    }
  }
  const t0 = performance.now()
  const code = await main(argv, io)
  return { code, stdout, stderr, wallMs: performance.now() - t0 }
}
