/**
 * A scripted CommandRunner: maps `file args…` to canned results, records calls.
 */
import type {
  CommandResult,
  CommandRunner,
  RunOptions
} from '../../src-main/node/platform/command-runner'

/** A canned response, or a function computing one. */
export type FakeResponse =
  | CommandResult
  | ((args: readonly string[], options: RunOptions) => CommandResult | Promise<CommandResult>)

/** A fake runner with a call log. */
export interface FakeRunner extends CommandRunner {
  calls: { file: string; args: readonly string[] }[]
}

/** Builds a fake runner; `routes` keys are the file name, or `file arg0 arg1…` prefixes (longest wins). */
export function createFakeRunner(routes: Record<string, FakeResponse>): FakeRunner {
  const calls: { file: string; args: readonly string[] }[] = []
  const runner = (async (file: string, args: readonly string[], options: RunOptions) => {
    calls.push({ file, args })
    const full = [file, ...args].join(' ')
    const key = Object.keys(routes)
      .filter((k) => full === k || full.startsWith(k + ' ') || k === file)
      .sort((a, b) => b.length - a.length)[0]
    if (key === undefined)
      return { kind: 'not-found', message: `${file}: not found` } satisfies CommandResult
    const r = routes[key]
    return typeof r === 'function' ? r(args, options) : r
  }) as FakeRunner
  runner.calls = calls
  return runner
}

/** An ok result with the given stdout. */
export function okResult(stdout: string): CommandResult {
  return { kind: 'ok', stdout, stderr: '', durationMs: 1 }
}
