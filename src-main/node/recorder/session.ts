/**
 * Session files, the small entry points: the header types, reading a session's snapshots into memory (for
 * short sessions and tests), and the writer.
 *
 * Long sessions are read with the streaming reader (`reader.ts`); `readSession` keeps only the most recent
 * `maxSnapshots` snapshots so even a 72 h file cannot exhaust memory.
 */
import { SESSION_FORMAT, SESSION_VERSION, type SessionHeader } from '../../shared/session-format'
import type { Snapshot } from '../../shared/telemetry'
import { openSession, parseHeaderLine, readSessionInto, type ReadProblem } from './reader'
import { SessionError } from './session-error'
import { snapshotProblem } from './validate'

export { SESSION_FORMAT, SESSION_VERSION, SessionError }
export type { SessionHeader }
export { createSessionWriter, type SessionWriter, type SessionWriterOptions } from './writer'

/** A session read into memory. */
export interface Session {
  header: SessionHeader
  snapshots: Snapshot[]
  /** Version-1 lines that could not be used (1-based line numbers), excluding a torn final line. */
  badLines: number[]
  /** True when the final line or record was incomplete (interrupted write) and was ignored. */
  tornTail: boolean
  /** Everything that was skipped, with where and why. */
  problems: ReadProblem[]
  /** Snapshots older than the kept ones (over `maxSnapshots`). */
  skippedSnapshots: number
}

/** Checks the minimal shape of a Snapshot. */
export function looksLikeSnapshot(x: unknown): x is Snapshot {
  return snapshotProblem(x) === null
}

/** Parses version-1 session text (pure). Throws SessionError with a precise message when the header is unusable. */
export function parseSession(text: string, name = 'session'): Session {
  const lines = text.split('\n')
  const tornTail = lines.length > 0 && lines[lines.length - 1] !== '' && !text.endsWith('\n')
  if (lines[lines.length - 1] === '') lines.pop()
  if (lines.length === 0 || lines[0].trim() === '')
    throw new SessionError(`${name}: empty file (no session header)`)
  const header = parseHeaderLine(lines[0], name)
  if (header.version !== 1)
    throw new SessionError(
      `${name}:1: version ${header.version} sessions are binary; use readSession`
    )
  const snapshots: Snapshot[] = []
  const badLines: number[] = []
  const problems: ReadProblem[] = []
  let torn = false
  for (let i = 1; i < lines.length; i++) {
    const isLast = i === lines.length - 1
    const line = lines[i]
    if (line.trim() === '') continue
    let v: unknown
    try {
      v = JSON.parse(line)
    } catch {
      // A torn final line is the expected result of a crash mid-write: ignore it.
      if (isLast && tornTail) {
        torn = true
        problems.push({ where: `line ${i + 1}`, message: 'cut short', kind: 'torn' })
      } else {
        badLines.push(i + 1)
        problems.push({ where: `line ${i + 1}`, message: 'not JSON', kind: 'corrupt' })
      }
      continue
    }
    const why = snapshotProblem(v)
    if (why === null) snapshots.push(v as Snapshot)
    else {
      badLines.push(i + 1)
      problems.push({ where: `line ${i + 1}`, message: why, kind: 'invalid' })
    }
  }
  return { header, snapshots, badLines, tornTail: torn, problems, skippedSnapshots: 0 }
}

/**
 * Reads a session file (either version) into memory, keeping the most recent `maxSnapshots` (default 3600: an hour at 1 Hz, about 100 MB of objects).
 *
 * @throws SessionError when the file is missing or its header is unusable.
 */
export async function readSession(
  path: string,
  options: { maxSnapshots?: number } = {}
): Promise<Session> {
  const max = Math.max(1, options.maxSnapshots ?? 3600)
  const opened = await openSession(path)
  const ring: Snapshot[] = []
  let head = 0
  let total = 0
  const badLines: number[] = []
  const problems: ReadProblem[] = []
  const result = await readSessionInto(opened, {
    tick(t) {
      const s = t.snapshot()
      // Version-2 snapshots are built fresh; version-1 ones come from the parsed line.
      if (ring.length < max) ring.push(s)
      else {
        ring[head] = s
        head = (head + 1) % max
      }
      total++
    },
    problem(p) {
      if (problems.length < 1000) problems.push(p)
      const m = /^line (\d+)$/.exec(p.where)
      if (m && p.kind !== 'torn' && badLines.length < 1000) badLines.push(Number(m[1]))
    }
  })
  const snapshots = head === 0 ? ring : [...ring.slice(head), ...ring.slice(0, head)]
  return {
    header: opened.header,
    snapshots,
    badLines,
    tornTail: result.tornTail,
    problems,
    skippedSnapshots: total - snapshots.length
  }
}
