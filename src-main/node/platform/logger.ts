/**
 * Minimal structured logger. Collectors log state transitions, not every tick.
 */

/** Log levels. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error'

/** A logger; `child` prefixes messages (`[collector:gpu-nvidia]`). */
export interface Logger {
  log(level: LogLevel, message: string): void
  child(prefix: string): Logger
}

/** Writes to stderr at or above `min`; `sink` is injectable for tests. */
export function createLogger(
  min: LogLevel = 'warn',
  sink: (line: string) => void = (l) => process.stderr.write(l + '\n'),
  prefix = ''
): Logger {
  const order: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 }
  return {
    log(level, message) {
      if (order[level] >= order[min]) sink(`${level} ${prefix}${message}`)
    },
    child(p) {
      return createLogger(min, sink, `${prefix}[${p}] `)
    }
  }
}

/** A logger that drops everything. */
export const silentLogger: Logger = { log: () => {}, child: () => silentLogger }
