/**
 * Persists UI settings in `<userData>/settings.json` for the desktop app.
 *
 * The engine keeps settings in memory; the main process saves every accepted `settings:set` result and
 * replays the saved patch at start-up. The file goes through the same validator as an IPC call, so a
 * hand-edited or stale file can never inject a field the contract does not know.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import type { Settings } from '../shared/ipc-contract'
import { validateInvokeArgs } from '../shared/ipc-validate'

/** Parses saved settings text into a valid patch; null when missing, corrupt or invalid. Never throws. */
export function parseSavedSettings(text: string): Partial<Settings> | null {
  try {
    const [patch] = validateInvokeArgs('settings:set', [JSON.parse(text)])
    return patch
  } catch {
    return null
  }
}

/** Reads the saved patch (null when there is none or it is unusable). */
export async function loadSettings(file: string): Promise<Partial<Settings> | null> {
  try {
    return parseSavedSettings(await readFile(file, 'utf8'))
  } catch {
    return null
  }
}

/** Writes settings atomically (temp file + rename). */
export async function saveSettings(file: string, settings: Settings): Promise<void> {
  await mkdir(dirname(file), { recursive: true })
  const tmp = `${file}.${process.pid}.tmp`
  await writeFile(tmp, JSON.stringify(settings, null, 2) + '\n', 'utf8')
  await rename(tmp, file)
}
