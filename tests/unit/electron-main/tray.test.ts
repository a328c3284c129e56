import { describe, expect, it, vi } from 'vitest'

vi.mock('electron', async () => await import('./fake-electron'))

import * as electron from 'electron'
import { createAppTray } from '../../../src-main/electron-main/tray'
import { ok } from '../../../src-main/shared/reading'
import type { Snapshot } from '../../../src-main/shared/telemetry'
import { Tray } from './fake-electron'

function snap(temp: number): Snapshot {
  return {
    schemaVersion: 1,
    seq: 1,
    timestampMs: 0,
    cpu: ok({
      packageTemperatureCelsius: ok(temp),
      packageThrottle: { status: 'unavailable', reason: 'unsupported' }
    }) as never,
    memory: { status: 'unavailable', reason: 'unsupported' },
    gpus: [],
    storage: { status: 'unavailable', reason: 'unsupported' },
    thermal: { status: 'unavailable', reason: 'unsupported' },
    power: { status: 'unavailable', reason: 'unsupported' },
    health: []
  }
}

describe('tray', () => {
  it('loads its icon and updates title and tooltip from telemetry, only on change', () => {
    const tray = createAppTray({
      iconPath: 'resources/icons/tray.png',
      onShow: vi.fn(),
      onQuit: vi.fn()
    })
    expect(electron.nativeImage.createFromPath).toHaveBeenCalledWith('resources/icons/tray.png')
    const fake = Tray.instances.at(-1)!
    tray.update(snap(70))
    tray.update(snap(70))
    tray.setTemperatureUnit('fahrenheit')
    tray.update(snap(70))
    expect(fake.title).toBe('158°F')
    expect(fake.titleCalls).toBe(2)
    expect(fake.tooltip).toContain('Hottest: CPU 158°F')
    tray.destroy()
    expect(fake.destroyed).toBe(true)
  })
})
