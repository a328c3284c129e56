/**
 * The Sessions API behind the UI's Sessions view: list the recordings in the sessions folder, open one (its
 * review, timeline and the whole run downsampled), and downsampled range queries for zooming.
 *
 * Bounded everywhere: at most 500 files listed (newest first), ids are plain file names inside the folder
 * (no paths, no links out of it), ranges return at most 4000 buckets of at most 64 series, at most four
 * opened sessions are cached, and every read streams the file (a 72 h session never sits in memory).
 * Nothing here writes.
 */
import { readdir, realpath, stat } from 'node:fs/promises'
import { join, sep } from 'node:path'
import { EnvelopeBuilder, SessionReviewer } from '../../core/session-stats'
import type { InvokeChannels } from '../../shared/ipc-contract'
import {
  SESSIONS_LIMITS,
  isSessionId,
  type SessionListEntry,
  type SessionOverview,
  type SessionRange,
  type SessionRangeRequest
} from '../../shared/session-format'
import { ArgumentError } from '../../shared/ipc-validate'
import {
  indexSession,
  lastSampleTime,
  openSession,
  readSessionInto,
  segmentFor,
  type OpenedSession,
  type SegmentIndexEntry
} from '../recorder/reader'
import { reviewOpened } from '../recorder/review'
import { SessionError } from '../recorder/session-error'

/** The invoke handlers this module implements. */
export type SessionsHandlers = {
  [K in 'sessions:list' | 'sessions:open' | 'sessions:range']: (
    ...args: Parameters<InvokeChannels[K]>
  ) => ReturnType<InvokeChannels[K]>
}

/** Options of the Sessions API. */
export interface SessionsApiOptions {
  /** The sessions folder. */
  dir: string
  /** Buckets of the whole-run overview. Default 1000. */
  overviewPoints?: number
  /** Opened sessions kept. Default 4. */
  cacheSize?: number
}

const EXTENSIONS = ['.rrs', '.jsonl']

interface Opened {
  key: string
  opened: OpenedSession
  overview: SessionOverview
  index: SegmentIndexEntry[] | null
}

/** Creates the handlers over one sessions folder. */
export function createSessionsHandlers(options: SessionsApiOptions): SessionsHandlers {
  const dir = options.dir
  const overviewPoints = options.overviewPoints ?? 1000
  const cacheSize = Math.max(1, options.cacheSize ?? 4)
  const cache = new Map<string, Opened>()
  const inflight = new Map<string, Promise<Opened>>()
  const listCache = new Map<string, { key: string; entry: SessionListEntry }>()

  /** The file of a session id, checked to stay inside the folder. */
  const fileOf = async (id: unknown): Promise<{ path: string; key: string }> => {
    if (!isSessionId(id))
      throw new ArgumentError('sessions: id must be a file name in the sessions folder')
    const path = join(dir, id)
    let real: string
    let realDir: string
    try {
      ;[real, realDir] = await Promise.all([realpath(path), realpath(dir)])
    } catch {
      throw new ArgumentError(`sessions: no session named ${JSON.stringify(id)}`)
    }
    if (!real.startsWith(realDir + sep))
      throw new ArgumentError(`sessions: ${JSON.stringify(id)} is outside the sessions folder`)
    const st = await stat(real)
    if (!st.isFile()) throw new ArgumentError(`sessions: ${JSON.stringify(id)} is not a file`)
    return { path: real, key: `${id}|${st.size}|${st.mtimeMs}` }
  }

  const load = async (id: string): Promise<Opened> => {
    const { path, key } = await fileOf(id)
    const hit = cache.get(id)
    if (hit && hit.key === key) {
      cache.delete(id)
      cache.set(id, hit)
      return hit
    }
    const pending = inflight.get(key)
    if (pending) return pending
    const p = (async (): Promise<Opened> => {
      const opened = await openSession(path)
      const run = await reviewOpened(opened, { envelopeBuckets: overviewPoints })
      const env = run.envelope as EnvelopeBuilder
      const series = run.reviewer.seriesMeta()
      const whole: SessionRange = {
        startMs: env.startMs,
        endMs: env.endMs,
        bucketMs: env.bucketMs,
        ...env.result(series.map((s) => s.key))
      }
      const overview: SessionOverview = {
        id,
        review: { ...run.review, file: id },
        series,
        episodes: run.episodes,
        alerts: run.alerts,
        marks: run.marks,
        whole
      }
      const o: Opened = { key, opened, overview, index: null }
      cache.set(id, o)
      while (cache.size > cacheSize) cache.delete(cache.keys().next().value as string)
      return o
    })()
    inflight.set(key, p)
    try {
      return await p
    } finally {
      inflight.delete(key)
    }
  }

  const asArgumentError = (err: unknown): never => {
    if (err instanceof SessionError) throw new ArgumentError(err.message.replace(dir + sep, ''))
    throw err
  }

  return {
    async 'sessions:list'() {
      let names: string[]
      try {
        names = await readdir(dir)
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return []
        throw err
      }
      const files = names.filter((n) => isSessionId(n) && EXTENSIONS.some((e) => n.endsWith(e)))
      const stats = await Promise.all(
        files.map(async (name) => {
          const st = await stat(join(dir, name)).catch(() => null)
          return st && st.isFile() ? { name, size: st.size, mtimeMs: st.mtimeMs } : null
        })
      )
      const present = stats
        .filter((x): x is NonNullable<typeof x> => x !== null)
        .sort((a, b) => b.mtimeMs - a.mtimeMs)
        .slice(0, SESSIONS_LIMITS.maxListed)
      const out: SessionListEntry[] = []
      for (const f of present) {
        const key = `${f.size}|${f.mtimeMs}`
        const cached = listCache.get(f.name)
        if (cached && cached.key === key) {
          out.push(cached.entry)
          continue
        }
        let entry: SessionListEntry
        try {
          const opened = await openSession(join(dir, f.name))
          entry = {
            id: f.name,
            sizeBytes: f.size,
            modifiedMs: f.mtimeMs,
            version: opened.version,
            startedAtMs: opened.header.startedAtMs,
            lastSampleMs: await lastSampleTime(opened).catch(() => null),
            host: opened.header.inventory.host.hostname,
            command: opened.header.command ?? null,
            error: null
          }
        } catch (err) {
          entry = {
            id: f.name,
            sizeBytes: f.size,
            modifiedMs: f.mtimeMs,
            version: null,
            startedAtMs: null,
            lastSampleMs: null,
            host: null,
            command: null,
            error: (err instanceof Error ? err.message : String(err)).replace(
              join(dir, f.name),
              f.name
            )
          }
        }
        listCache.set(f.name, { key, entry })
        out.push(entry)
      }
      for (const name of listCache.keys())
        if (!present.some((p) => p.name === name)) listCache.delete(name)
      return out
    },

    async 'sessions:open'(id) {
      return (await load(id).catch(asArgumentError)).overview
    },

    async 'sessions:range'(req: SessionRangeRequest) {
      const o = await load(req.id).catch(asArgumentError)
      const whole = o.overview.whole
      const startMs = Math.max(whole.startMs, Math.min(req.startMs, req.endMs))
      const endMs = Math.min(whole.endMs, Math.max(req.startMs, req.endMs))
      const maxPoints = Math.max(1, Math.min(SESSIONS_LIMITS.maxPoints, Math.floor(req.maxPoints)))
      const known = new Set(o.overview.series.map((s) => s.key))
      const keys = (req.keys ?? o.overview.series.map((s) => s.key))
        .filter((k) => known.has(k))
        .slice(0, SESSIONS_LIMITS.maxKeys)
      if (!(endMs > startMs))
        return {
          startMs,
          endMs: startMs,
          bucketMs: 0,
          t: [],
          series: keys.map((key) => ({ key, min: [], max: [], mean: [] }))
        }
      const env = new EnvelopeBuilder(startMs, endMs, maxPoints)
      o.index ??= await indexSession(o.opened)
      const h = o.opened.header
      const reviewer = new SessionReviewer({
        file: req.id,
        version: o.opened.version,
        startedAtMs: h.startedAtMs,
        intervalMs: h.intervalMs,
        inventory: h.inventory
      })
      const wanted = new Set(keys)
      await readSessionInto(
        o.opened,
        {
          segment: () => reviewer.segment(),
          node: (id, _p, _k, decoder) => reviewer.node(id, decoder),
          tick: (t) => {
            if (t.tMs > endMs) return false
            reviewer.tick(t.tMs, t.decoder)
            const b = env.bucketOf(t.tMs)
            if (b >= 0) reviewer.forEachCurrent((k, v) => wanted.has(k) && env.add(k, b, v))
            return true
          }
        },
        { from: segmentFor(o.index, startMs) }
      )
      return { startMs, endMs, bucketMs: env.bucketMs, ...env.result(keys) }
    }
  }
}
