import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import {
  canEncrypt,
  loadFleetConfig,
  saveFleetConfig
} from '../../../src-main/electron-main/fleet-credentials'
import { safeStorage } from './fake-electron'

let dir: string
let file: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rr-fleet-'))
  file = join(dir, 'fleet.json')
  vi.mocked(safeStorage.isEncryptionAvailable).mockReturnValue(true)
  vi.mocked(safeStorage.getSelectedStorageBackend).mockReturnValue('gnome_libsecret')
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('fleet-credentials', () => {
  it('stores the secret encrypted with safeStorage and reads it back', async () => {
    const config = {
      prometheusUrl: 'https://prom.lan:9090',
      auth: { kind: 'basic' as const, username: 'grafana', password: 'hunter2 hunter2' }
    }
    expect(await saveFleetConfig(file, config, safeStorage)).toBe('encrypted')
    const text = await readFile(file, 'utf8')
    expect(text).not.toContain('hunter2')
    expect(text).toContain('grafana')
    expect((await stat(file)).mode & 0o077).toBe(0)
    expect(await loadFleetConfig(file, safeStorage)).toEqual(config)
  })

  it('does not write the secret when the OS offers no real encryption', async () => {
    vi.mocked(safeStorage.getSelectedStorageBackend).mockReturnValue('basic_text')
    expect(canEncrypt(safeStorage)).toBe(false)
    const where = await saveFleetConfig(
      file,
      { prometheusUrl: 'http://prom:9090', auth: { kind: 'bearer', token: 'abc.def-ghi' } },
      safeStorage
    )
    expect(where).toBe('memory')
    expect(await readFile(file, 'utf8')).not.toContain('abc.def')
    // Read back without the secret: the URL survives, authentication has to be entered again.
    expect(await loadFleetConfig(file, safeStorage)).toEqual({
      prometheusUrl: 'http://prom:9090',
      auth: { kind: 'none' }
    })
  })

  it('ignores missing, corrupt, tampered or undecryptable files', async () => {
    expect(await loadFleetConfig(file, safeStorage)).toBeNull()
    await writeFile(file, '{not json')
    expect(await loadFleetConfig(file, safeStorage)).toBeNull()
    await writeFile(
      file,
      JSON.stringify({ version: 1, prometheusUrl: 'file:///etc/passwd', authKind: 'none' })
    )
    expect(await loadFleetConfig(file, safeStorage)).toBeNull()
    await writeFile(
      file,
      JSON.stringify({
        version: 1,
        prometheusUrl: 'http://prom:9090',
        authKind: 'bearer',
        secret: Buffer.from('garbage').toString('base64')
      })
    )
    expect(await loadFleetConfig(file, safeStorage)).toEqual({
      prometheusUrl: 'http://prom:9090',
      auth: { kind: 'none' }
    })
  })
})
