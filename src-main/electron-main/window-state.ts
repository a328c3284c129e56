/**
 * Remembers the main window's bounds in `<userData>/window-state.json`.
 *
 * The file is validated on load (a hand-edited or stale file, or a monitor that is gone, falls back to a
 * centred default window) and written atomically (temp file + rename), debounced while the user drags.
 */
import type { BrowserWindow, Rectangle } from 'electron'
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'

/** Saved window geometry (screen pixels). `x`/`y` absent means "centre on the primary display". */
export interface WindowState {
  x?: number
  y?: number
  width: number
  height: number
  maximized: boolean
}

/** Default and minimum sizes. */
export const DEFAULT_WINDOW_STATE: WindowState = { width: 1280, height: 820, maximized: false }
export const MIN_WINDOW_WIDTH = 720
export const MIN_WINDOW_HEIGHT = 480
/** How much of the window must lie on some display for saved coordinates to be used. */
const MIN_VISIBLE_PX = 100

function intersection(a: Rectangle, b: Rectangle): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x)
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y)
  return w > 0 && h > 0 ? Math.min(w, h) : 0
}

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v)

/**
 * Parses saved state against the current displays' work areas; never throws.
 *
 * Sizes are clamped to [minimum, largest work area]; coordinates are kept only when at least 100 px of the
 * window would be visible on some display.
 */
export function parseWindowState(text: string, workAreas: readonly Rectangle[]): WindowState {
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch {
    return { ...DEFAULT_WINDOW_STATE }
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    return { ...DEFAULT_WINDOW_STATE }
  const r = raw as Record<string, unknown>
  if (!isInt(r.width) || !isInt(r.height)) return { ...DEFAULT_WINDOW_STATE }
  const maxWidth = Math.max(MIN_WINDOW_WIDTH, ...workAreas.map((a) => a.width))
  const maxHeight = Math.max(MIN_WINDOW_HEIGHT, ...workAreas.map((a) => a.height))
  const width = Math.min(maxWidth, Math.max(MIN_WINDOW_WIDTH, r.width))
  const height = Math.min(maxHeight, Math.max(MIN_WINDOW_HEIGHT, r.height))
  const state: WindowState = { width, height, maximized: r.maximized === true }
  if (isInt(r.x) && isInt(r.y)) {
    const rect = { x: r.x, y: r.y, width, height }
    if (workAreas.some((a) => intersection(rect, a) >= MIN_VISIBLE_PX)) {
      state.x = r.x
      state.y = r.y
    }
  }
  return state
}

/** Reads and validates the state file; a missing or unreadable file gives the default. */
export async function loadWindowState(
  file: string,
  workAreas: readonly Rectangle[]
): Promise<WindowState> {
  try {
    return parseWindowState(await readFile(file, 'utf8'), workAreas)
  } catch {
    return { ...DEFAULT_WINDOW_STATE }
  }
}

/** Writes the state atomically. */
export async function saveWindowState(file: string, state: WindowState): Promise<void> {
  await mkdir(dirname(file), { recursive: true })
  const tmp = `${file}.${process.pid}.tmp`
  await writeFile(tmp, JSON.stringify(state) + '\n', 'utf8')
  await rename(tmp, file)
}

/** The state to save for a window (normal bounds even while maximised). */
export function captureWindowState(win: BrowserWindow): WindowState {
  const b = win.getNormalBounds()
  return { x: b.x, y: b.y, width: b.width, height: b.height, maximized: win.isMaximized() }
}

/**
 * Saves `win`'s state after moves/resizes (debounced) and when it closes.
 *
 * Write failures are reported through `warn` and never disturb the window.
 */
export function trackWindowState(
  win: BrowserWindow,
  file: string,
  warn: (message: string) => void = () => {},
  debounceMs = 500
): void {
  let timer: ReturnType<typeof setTimeout> | null = null
  const save = (): void => {
    if (timer !== null) clearTimeout(timer)
    timer = null
    if (win.isDestroyed()) return
    saveWindowState(file, captureWindowState(win)).catch((e: unknown) =>
      warn(`could not save window state: ${e instanceof Error ? e.message : String(e)}`)
    )
  }
  const schedule = (): void => {
    if (timer !== null) clearTimeout(timer)
    timer = setTimeout(save, debounceMs)
  }
  win.on('resize', schedule)
  win.on('move', schedule)
  win.on('maximize', schedule)
  win.on('unmaximize', schedule)
  win.on('close', save)
}
