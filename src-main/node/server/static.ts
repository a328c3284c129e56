/**
 * Static file serving for the built UI (`out/renderer`), with path traversal refused.
 *
 * Only files strictly inside the static root are served; `..` segments, encoded separators, NUL bytes
 * and symlinks that resolve outside the root are refused. `/` serves `index.html`. Views use hash routing,
 * so there is no catch-all fallback: a missing file is a 404.
 */
import { readFile, realpath, stat } from 'node:fs/promises'
import { extname, isAbsolute, relative, resolve, sep } from 'node:path'

/** Content types for the files a Vite build emits. */
const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8'
}

/** Result of resolving a URL path against the static root. */
export type StaticLookup =
  | { kind: 'file'; body: Buffer; contentType: string }
  | { kind: 'not-found' }
  | { kind: 'forbidden' }

/**
 * Maps a URL pathname to a path inside `root`, or null when it would escape the root.
 *
 * Pure: no file system access. Rejects NUL bytes, backslashes, encoded slashes and any `..` segment.
 */
export function resolveStaticPath(root: string, pathname: string): string | null {
  let decoded: string
  try {
    decoded = decodeURIComponent(pathname)
  } catch {
    return null
  }
  if (decoded.includes('\0') || decoded.includes('\\') || /%2f|%5c/i.test(pathname)) return null
  const segments = decoded.split('/').filter((s) => s !== '' && s !== '.')
  if (segments.some((s) => s === '..')) return null
  const relPath = segments.length === 0 ? 'index.html' : segments.join('/')
  const full = resolve(root, relPath)
  const rel = relative(resolve(root), full)
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return null
  return full
}

/** Reads a static file for `pathname`, refusing anything outside `root` (symlinks included). */
export async function lookupStatic(root: string, pathname: string): Promise<StaticLookup> {
  const full = resolveStaticPath(root, pathname)
  if (full === null) return { kind: 'forbidden' }
  try {
    const [realRoot, realFull] = await Promise.all([realpath(root), realpath(full)])
    if (!(realFull + sep).startsWith(realRoot + sep) || realFull === realRoot)
      return { kind: 'forbidden' }
    const info = await stat(realFull)
    if (!info.isFile()) return { kind: 'not-found' }
    const body = await readFile(realFull)
    return {
      kind: 'file',
      body,
      contentType: CONTENT_TYPES[extname(realFull).toLowerCase()] ?? 'application/octet-stream'
    }
  } catch {
    return { kind: 'not-found' }
  }
}
