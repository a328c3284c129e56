/**
 * CLI entry: composition root for node/ + core/. Never imports electron.
 */
import { main } from './node/cli/main'

const code = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin.isTTY ? process.stdin : null,
  env: process.env,
  onInterrupt(fn) {
    // Node passes the signal's name to the listener; main turns it into 128 + n.
    const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const
    for (const s of signals) process.on(s, fn)
    return () => {
      for (const s of signals) process.off(s, fn)
    }
  }
})
process.exitCode = code
