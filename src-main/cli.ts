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
    process.on('SIGINT', fn)
    process.on('SIGTERM', fn)
    return () => {
      process.off('SIGINT', fn)
      process.off('SIGTERM', fn)
    }
  }
})
process.exitCode = code
