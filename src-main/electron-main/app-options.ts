/**
 * Command-line options of the desktop app (the engine's replay and fixture roots).
 *
 * `rigready-app --replay SESSION`, `--sysfs-root DIR`, `--procfs-root DIR`, `--interval-ms N`, each also as
 * `--flag=value`. Chromium's own switches and anything unknown are ignored.
 */
import type { EngineHostOptions } from '../shared/engine-protocol'

const FLAGS: Record<string, 'replayFile' | 'sysRoot' | 'procRoot' | 'intervalMs'> = {
  '--replay': 'replayFile',
  '--sysfs-root': 'sysRoot',
  '--procfs-root': 'procRoot',
  '--interval-ms': 'intervalMs'
}

/** Parses argv into engine options; malformed values are reported in `errors`, never thrown. */
export function parseAppArgs(argv: readonly string[]): {
  options: EngineHostOptions
  errors: string[]
} {
  const options: EngineHostOptions = {}
  const errors: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    const eq = arg.indexOf('=')
    const name = eq === -1 ? arg : arg.slice(0, eq)
    const key = FLAGS[name]
    if (key === undefined) continue
    let value: string | undefined
    if (eq !== -1) value = arg.slice(eq + 1)
    else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) value = argv[++i]
    if (value === undefined || value === '') {
      errors.push(`${name} needs a value`)
      continue
    }
    if (key === 'intervalMs') {
      const n = Number(value)
      if (!Number.isInteger(n) || n < 100 || n > 60_000)
        errors.push(`${name} must be an integer from 100 to 60000`)
      else options.intervalMs = n
    } else {
      options[key] = value
    }
  }
  return { options, errors }
}
