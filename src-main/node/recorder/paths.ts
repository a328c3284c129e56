/**
 * Where sessions live: the platform's application-data folder, dated file names, never overwriting.
 *
 * - Linux: `$XDG_DATA_HOME/rigready/sessions`, else `~/.local/share/rigready/sessions`
 * - macOS: `~/Library/Application Support/RigReady/sessions`
 * - Windows: `%LOCALAPPDATA%\RigReady\sessions` (else `%APPDATA%`)
 *
 * `RIGREADY_SESSIONS_DIR` overrides all of them (tests, portable installs).
 */
import { mkdir, stat } from 'node:fs/promises'
import { homedir } from 'node:os'
import { basename, join, posix, win32 } from 'node:path'
import { SESSION_EXTENSION } from '../../shared/session-format'

/** The default sessions folder for a platform and environment. */
export function defaultSessionsDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = homedir()
): string {
  if (env.RIGREADY_SESSIONS_DIR) return env.RIGREADY_SESSIONS_DIR
  if (platform === 'win32') {
    const base = env.LOCALAPPDATA || env.APPDATA || win32.join(home, 'AppData', 'Local')
    return win32.join(base, 'RigReady', 'sessions')
  }
  if (platform === 'darwin')
    return posix.join(home, 'Library', 'Application Support', 'RigReady', 'sessions')
  const data =
    env.XDG_DATA_HOME && env.XDG_DATA_HOME.startsWith('/')
      ? env.XDG_DATA_HOME
      : posix.join(home, '.local', 'share')
  return posix.join(data, 'rigready', 'sessions')
}

/** A dated session file name: `2026-01-05T20-00-00Z-train.rrs` (UTC, sortable, safe on every file system). */
export function datedSessionName(nowMs: number, command?: readonly string[], attempt = 0): string {
  const stamp = new Date(nowMs).toISOString().slice(0, 19).replace(/:/g, '-') + 'Z'
  const cmd = command?.[0]
    ? basename(command[0])
        .replace(/[^A-Za-z0-9._-]+/g, '_')
        .slice(0, 40)
    : ''
  return `${stamp}${cmd ? `-${cmd}` : ''}${attempt > 0 ? `-${attempt + 1}` : ''}${SESSION_EXTENSION}`
}

/** What `--out` resolved to. */
export type OutTarget = { kind: 'file'; path: string } | { kind: 'dir'; dir: string }

/**
 * Resolves `--out`: nothing → the default folder; an existing folder or a path ending in a separator → that
 * folder (created if missing); anything else → that file (it must not exist; checked when created).
 */
export async function resolveOut(
  out: string | undefined,
  env: NodeJS.ProcessEnv
): Promise<OutTarget> {
  if (out === undefined || out === '') return { kind: 'dir', dir: defaultSessionsDir(env) }
  if (/[\\/]$/.test(out)) return { kind: 'dir', dir: out }
  const st = await stat(out).catch(() => null)
  if (st?.isDirectory()) return { kind: 'dir', dir: out }
  return { kind: 'file', path: out }
}

/** Creates a folder (and its parents) for sessions. */
export async function ensureDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true })
}

/** Joins a folder and a dated name. */
export function sessionPathIn(
  dir: string,
  nowMs: number,
  command?: readonly string[],
  attempt = 0
): string {
  return join(dir, datedSessionName(nowMs, command, attempt))
}
