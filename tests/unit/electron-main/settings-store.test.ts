import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  loadSettings,
  parseSavedSettings,
  saveSettings
} from '../../../src-main/electron-main/settings-store'
import { DEFAULT_SETTINGS } from '../../../src-main/shared/ipc-contract'

describe('settings-store', () => {
  it('accepts saved settings that pass the settings:set validator', () => {
    expect(parseSavedSettings(JSON.stringify({ ...DEFAULT_SETTINGS, theme: 'dark' }))).toEqual({
      ...DEFAULT_SETTINGS,
      theme: 'dark'
    })
  })

  it('rejects corrupt files and unknown or invalid fields', () => {
    expect(parseSavedSettings('{')).toBeNull()
    expect(parseSavedSettings('{"theme":"dark","remoteUrl":"http://x"}')).toBeNull()
    expect(parseSavedSettings('{"sampleIntervalMs":0}')).toBeNull()
  })

  it('round-trips through the file system and tolerates a missing file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rigready-settings-'))
    try {
      const file = join(dir, 'settings.json')
      expect(await loadSettings(file)).toBeNull()
      await saveSettings(file, { ...DEFAULT_SETTINGS, temperatureUnit: 'fahrenheit' })
      expect(JSON.parse(await readFile(file, 'utf8')).temperatureUnit).toBe('fahrenheit')
      expect(await loadSettings(file)).toEqual({
        ...DEFAULT_SETTINGS,
        temperatureUnit: 'fahrenheit'
      })
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
