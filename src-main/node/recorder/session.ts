/**
 * Session files: JSON lines, a versioned header then one Snapshot per line.
 *
 * Writing is append-only (one `write` per snapshot on an `a`-mode handle, periodic `fdatasync`), so a
 * `kill -9` or power loss loses at most the last interval. Reading ignores a torn last line and reports
 * corrupt lines in the middle without giving up on the rest.
 */
import { open, readFile, type FileHandle } from 'node:fs/promises'
import { SNAPSHOT_SCHEMA_VERSION, type Inventory, type Snapshot } from '../../shared/telemetry'

/** Identifies a RigReady session file. */
export const SESSION_FORMAT = 'rigready-session'
/** Current session file version. */
export const SESSION_VERSION = 1

/** The first line of a session file. */
export interface SessionHeader {
  format: typeof SESSION_FORMAT
  version: number
  startedAtMs: number
  intervalMs: number
  inventory: Inventory
  /** The command wrapped by `rigready record -- CMD`, when any. */
  command?: string[]
  note?: string
}

/** A parsed session. */
export interface Session {
  header: SessionHeader
  snapshots: Snapshot[]
  /** Lines that could not be parsed (1-based line numbers), excluding a torn final line. */
  badLines: number[]
  /** True when the final line was incomplete (interrupted write) and was ignored. */
  tornTail: boolean
}

/** A session file that cannot be used at all. */
export class SessionError extends Error {
  override name = 'SessionError'
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x)
}

/** Checks the minimal shape of a Snapshot line. */
export function looksLikeSnapshot(x: unknown): x is Snapshot {
  return (
    isObject(x) &&
    typeof x.timestampMs === 'number' &&
    typeof x.seq === 'number' &&
    Array.isArray(x.gpus) &&
    isObject(x.cpu) &&
    isObject(x.memory)
  )
}

/** Parses session text (pure). Throws SessionError with a precise message when the header is unusable. */
export function parseSession(text: string, name = 'session'): Session {
  const lines = text.split('\n')
  const tornTail = lines.length > 0 && lines[lines.length - 1] !== '' && !text.endsWith('\n')
  if (lines[lines.length - 1] === '') lines.pop()
  if (lines.length === 0 || lines[0].trim() === '')
    throw new SessionError(`${name}: empty file (no session header)`)
  let header: unknown
  try {
    header = JSON.parse(lines[0])
  } catch {
    throw new SessionError(`${name}: line 1 is not JSON; not a RigReady session file`)
  }
  if (!isObject(header) || header.format !== SESSION_FORMAT)
    throw new SessionError(
      `${name}: line 1 has no "format": "${SESSION_FORMAT}"; not a RigReady session file`
    )
  if (typeof header.version !== 'number' || header.version > SESSION_VERSION)
    throw new SessionError(
      `${name}: session version ${String(header.version)} is not supported (this build reads ≤ ${SESSION_VERSION})`
    )
  if (!isObject(header.inventory)) throw new SessionError(`${name}: header has no inventory`)
  if (typeof header.intervalMs !== 'number' || !(header.intervalMs > 0))
    throw new SessionError(`${name}: header.intervalMs must be a positive number`)
  const snapshots: Snapshot[] = []
  const badLines: number[] = []
  for (let i = 1; i < lines.length; i++) {
    const isLast = i === lines.length - 1
    const line = lines[i]
    if (line.trim() === '') continue
    try {
      const v: unknown = JSON.parse(line)
      if (looksLikeSnapshot(v)) snapshots.push(v)
      else badLines.push(i + 1)
    } catch {
      // A torn final line is the expected result of a crash mid-write: ignore it silently.
      if (!(isLast && tornTail)) badLines.push(i + 1)
    }
  }
  return { header: header as unknown as SessionHeader, snapshots, badLines, tornTail }
}

/** Reads a session file. */
export async function readSession(path: string): Promise<Session> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    throw new SessionError(
      code === 'ENOENT'
        ? `${path}: no such file`
        : code === 'EACCES'
          ? `${path}: permission denied`
          : `${path}: ${String(err)}`
    )
  }
  return parseSession(text, path)
}

/** An append-only session writer. */
export interface SessionWriter {
  append(snapshot: Snapshot): Promise<void>
  close(): Promise<void>
}

/** Opens `path` for appending and writes the header (the file must not exist, to never clobber a session). */
export async function createSessionWriter(
  path: string,
  header: Omit<SessionHeader, 'format' | 'version'>,
  options: { syncEveryMs?: number } = {}
): Promise<SessionWriter> {
  let fh: FileHandle
  try {
    fh = await open(path, 'wx')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    throw new SessionError(
      code === 'EEXIST'
        ? `${path}: already exists (refusing to overwrite a session)`
        : `${path}: ${String(err)}`
    )
  }
  const full: SessionHeader = { format: SESSION_FORMAT, version: SESSION_VERSION, ...header }
  await fh.write(JSON.stringify(full) + '\n')
  await fh.datasync()
  const syncEvery = options.syncEveryMs ?? 5000
  let lastSync = Date.now()
  let chain: Promise<void> = Promise.resolve()
  return {
    append(snapshot) {
      // Serialise writes so lines never interleave.
      chain = chain.then(async () => {
        await fh.write(
          JSON.stringify({
            ...snapshot,
            schemaVersion: snapshot.schemaVersion ?? SNAPSHOT_SCHEMA_VERSION
          }) + '\n'
        )
        if (Date.now() - lastSync >= syncEvery) {
          lastSync = Date.now()
          await fh.datasync()
        }
      })
      return chain
    },
    async close() {
      await chain.catch(() => {})
      await fh.datasync().catch(() => {})
      await fh.close()
    }
  }
}
