import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createFileReader } from '../../../../src-main/node/platform/file-reader'

describe('file reader roots', () => {
  let root: string
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'rr-reader-'))
    await mkdir(join(root, 'class/hwmon'), { recursive: true })
    await writeFile(join(root, 'class/hwmon/x'), '1\n')
  })
  afterAll(() => rm(root, { recursive: true, force: true }))

  it('maps /sys onto its root and reads through cached handles', async () => {
    const fs = createFileReader({ sysRoot: root, procRoot: null })
    expect(await fs.readText('/sys/class/hwmon/x')).toEqual({ ok: true, value: '1\n' })
    expect(await fs.readPolled('/sys/class/hwmon/x')).toEqual({ ok: true, value: '1\n' })
    expect(await fs.readDir('/sys/class/hwmon')).toEqual({ ok: true, value: ['x'] })
    await fs.close()
  })

  it("answers not-found under a root the tree does not have, never this machine's files", async () => {
    const fs = createFileReader({ sysRoot: root, procRoot: null })
    const notInTree = { ok: false, code: 'not-found', message: 'not in the fixture tree' }
    // /proc/self/status exists on this machine; a tree without procfs must not see it.
    expect(await fs.readText('/proc/self/status')).toEqual(notInTree)
    expect(await fs.readPolled('/proc/stat')).toEqual(notInTree)
    expect(await fs.readDir('/proc')).toEqual(notInTree)
    expect(await fs.isDir('/proc')).toBe(false)
    expect(fs.hostPaths).toBe(false)
    await fs.close()
  })

  it('refuses statfs of mount points under fixture roots and answers it with the real roots', async () => {
    const fixture = createFileReader({ sysRoot: root, procRoot: root })
    expect(await fixture.statfs('/')).toMatchObject({ ok: false, code: 'not-found' })
    const host = createFileReader()
    expect(host.hostPaths).toBe(true)
    const r = await host.statfs(tmpdir())
    expect(r.ok && r.value.blocks > 0 && r.value.bsize > 0).toBe(true)
  })
})
