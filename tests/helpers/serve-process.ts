/**
 * Spawns `node out/main/cli.js serve --replay <file> --port 0 [--speed N]` and waits for its
 * `RigReady serving on http://127.0.0.1:<port>/` line.
 */
import { spawn } from 'node:child_process'
import { resolve } from 'node:path'

/** A running agent. */
export interface ServeProcess {
  url: string
  kill(): Promise<void>
}

/** Path of the built CLI. */
export const CLI_PATH = resolve(__dirname, '../../out/main/cli.js')

/**
 * Starts the agent on a replayed session (or, with `replayFile` null, on this machine as plain
 * `serve`); rejects with its output if it exits or stays silent.
 */
export function startServeProcess(
  replayFile: string | null,
  options: { speed?: number; timeoutMs?: number; extraArgs?: string[] } = {}
): Promise<ServeProcess> {
  const args = [CLI_PATH, 'serve', ...(replayFile ? ['--replay', replayFile] : []), '--port', '0']
  if (options.speed !== undefined) args.push('--speed', String(options.speed))
  args.push(...(options.extraArgs ?? []))
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  const kill = (): Promise<void> =>
    new Promise((done) => {
      if (child.exitCode !== null || child.signalCode !== null) return done()
      child.once('exit', () => done())
      child.kill('SIGTERM')
      setTimeout(() => child.kill('SIGKILL'), 3000).unref()
    })
  return new Promise((resolveStart, rejectStart) => {
    const timer = setTimeout(() => {
      void kill()
      rejectStart(
        new Error(
          `serve did not announce its URL within ${options.timeoutMs ?? 15000} ms:\n${output}`
        )
      )
    }, options.timeoutMs ?? 15_000)
    const onData = (chunk: Buffer): void => {
      output += chunk.toString('utf8')
      const m = /RigReady serving on (http:\/\/127\.0\.0\.1:\d+\/)/.exec(output)
      if (m) {
        clearTimeout(timer)
        resolveStart({ url: m[1]!, kill })
      }
    }
    child.stdout.on('data', onData)
    child.stderr.on('data', (c: Buffer) => (output += c.toString('utf8')))
    child.once('exit', (code) => {
      clearTimeout(timer)
      rejectStart(new Error(`serve exited with ${code}:\n${output}`))
    })
  })
}
