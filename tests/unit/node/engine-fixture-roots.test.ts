/**
 * Fixture roots are hermetic: with --sysfs-root/--procfs-root, devices, hostname and every tool invocation come
 * from the captured tree (or are reported unavailable), never from this machine. A fake `smartctl` logs its
 * calls, so the test sees exactly which devices were queried.
 */
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Inventory, Snapshot } from '../../../src-main/shared/telemetry'
import { createEngine } from '../../../src-main/node/engine'
import { silentLogger } from '../../../src-main/node/platform/logger'
import { runCli } from '../../helpers/cli-io'
import { createFakeTools, type FakeToolDir } from '../../helpers/fake-tool'
import { describePeer } from '../../helpers/peer-fixtures'
import { materializePeerTree, type PeerTree } from '../../helpers/peer-tree'

const SMART_JSON = JSON.stringify({
  smartctl: { exit_status: 0 },
  smart_status: { passed: true },
  temperature: { current: 41 },
  power_on_time: { hours: 1234 }
})

/**
 * A captured two-disk machine: an NVMe namespace that only its controller lists (`class/nvme/nvme0/nvme0n1`,
 * no `block/nvme0n1`, as in trees that kept the nvme class), and a SATA HDD under `block/`; procfs with the
 * captured hostname, cpuinfo, diskstats and mounts.
 */
async function capturedTree(root: string): Promise<{ sys: string; proc: string }> {
  const sys = join(root, 'sys')
  const proc = join(root, 'proc')
  const file = async (p: string, text: string) => {
    await mkdir(dirname(p), { recursive: true })
    await writeFile(p, text)
  }
  await file(join(sys, 'class/nvme/nvme0/model'), 'Samsung SSD 990 PRO 2TB                 \n')
  await file(join(sys, 'class/nvme/nvme0/serial'), 'S7DNNJ0X000000\n')
  await file(join(sys, 'class/nvme/nvme0/nvme0n1/size'), '3907029168\n')
  await file(join(sys, 'class/nvme/nvme0/nvme0n1/queue/rotational'), '0\n')
  const sda = 'devices/pci0000:00/0000:00:17.0/ata4/host3/target3:0:0/3:0:0:0'
  await file(join(sys, sda, 'block/sda/size'), '7814037168\n')
  await file(join(sys, sda, 'block/sda/queue/rotational'), '1\n')
  await file(join(sys, sda, 'model'), 'WDC WD40EFRX-68N\n')
  await mkdir(join(sys, 'block'), { recursive: true })
  await symlink(`../${sda}/block/sda`, join(sys, 'block/sda'))
  await symlink('../../..', join(sys, sda, 'block/sda/device'))
  await file(join(proc, 'sys/kernel/hostname'), 'capture-box\n')
  await file(join(proc, 'sys/kernel/osrelease'), '6.8.0-51-generic\n')
  await file(
    join(proc, 'cpuinfo'),
    'processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD Ryzen 9 7950X 16-Core Processor\nflags\t\t: fpu lm avx2\n\n'
  )
  await file(
    join(proc, 'diskstats'),
    ' 259       0 nvme0n1 100 0 8000 50 200 0 16000 80 0 120 130 0 0 0 0\n   8       0 sda 10 0 800 30 20 0 1600 40 0 60 70\n'
  )
  await file(join(proc, 'mounts'), '/dev/nvme0n1p2 / ext4 rw,relatime 0 0\n')
  return { sys, proc }
}

/** Polls `get` until it returns a value (spawning tools is slow on a loaded machine). */
async function until<T>(get: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms
  for (;;) {
    const v = await get()
    if (v !== undefined) return v
    if (Date.now() > end) throw new Error('condition not reached in time')
    await new Promise((r) => setTimeout(r, 100))
  }
}

describe('snapshot under fixture roots', { timeout: 40_000 }, () => {
  let root: string
  let tree: { sys: string; proc: string }
  let tools: FakeToolDir
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'rr-capture-'))
    tree = await capturedTree(root)
    tools = await createFakeTools({ smartctl: SMART_JSON })
  })
  afterAll(async () => {
    await tools?.cleanup()
    if (root) await rm(root, { recursive: true, force: true })
  })

  const snapshot = async (extra: string[], env: NodeJS.ProcessEnv = process.env) => {
    const r = await runCli(
      ['snapshot', '--json', '--sysfs-root', tree.sys, '--procfs-root', tree.proc, ...extra],
      { env }
    )
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    return JSON.parse(r.stdout) as { inventory: Inventory; snapshot: Snapshot }
  }

  it("queries only the tree's devices with the captured smartctl, finds the class-only NVMe, takes the tree's hostname", async () => {
    const engine = await createEngine({
      sysRoot: tree.sys,
      procRoot: tree.proc,
      toolsPath: tools.dir,
      log: silentLogger
    })
    try {
      const inv = engine.inventory
      expect(inv.host.hostname).toBe('capture-box')
      expect(inv.host.arch).toBe('x64')
      expect(inv.host.kernel).toEqual({ status: 'ok', value: '6.8.0-51-generic' })
      expect(inv.storage.map((d) => [d.name, d.kind])).toEqual([
        ['sda', 'hdd'],
        ['nvme0n1', 'nvme']
      ])
      const nvme = inv.storage.find((d) => d.name === 'nvme0n1')!
      expect(nvme.model).toEqual({ status: 'ok', value: 'Samsung SSD 990 PRO 2TB' })
      expect(nvme.sizeBytes).toEqual({ status: 'ok', value: 3907029168 * 512 })
      // The tree's mount is not this machine's: its usage is not read from this machine's disks.
      expect(inv.filesystems[0]).toMatchObject({
        mount: '/',
        freeBytes: {
          status: 'unavailable',
          detail: expect.stringMatching(/not in the fixture tree/)
        }
      })
      // SMART runs in the background on the rare tier: tick until both drives have a result.
      const smart = await until(async () => {
        const snap = await engine.source.tick()
        const devs = snap.storage.status === 'ok' ? snap.storage.value.devices : []
        return devs.every((d) => d.smart.status === 'ok') && devs.length === 2 ? devs : undefined
      })
      expect(smart.map((d) => d.name)).toEqual(['sda', 'nvme0n1'])
      // SMART runs concurrently per device: compare as a set.
      const calls = (await tools.calls('smartctl')).map((a) => a.join(' ')).sort()
      expect(calls).toEqual(['-j -a /dev/nvme0n1', '-j -a /dev/sda'])
    } finally {
      await engine.close()
    }
  })

  it("passes --tools-dir from the CLI: the captured smartctl runs, on the tree's devices only", async () => {
    const before = (await tools.calls('smartctl')).length
    const doc = await snapshot(['--tools-dir', tools.dir])
    expect(doc.inventory.host.hostname).toBe('capture-box')
    const devices = ['/dev/sda', '/dev/nvme0n1']
    for (const call of (await tools.calls('smartctl')).slice(before))
      expect(devices).toContain(call.at(-1))
  })

  it("runs no tool of this machine without --tools-dir, even when one is on this machine's PATH", async () => {
    const before = (await tools.calls('smartctl')).length
    const doc = await snapshot([], {
      ...process.env,
      PATH: `${tools.dir}:${process.env.PATH ?? ''}`
    })
    expect((await tools.calls('smartctl')).length).toBe(before)
    const devs = doc.snapshot.storage.status === 'ok' ? doc.snapshot.storage.value.devices : []
    for (const d of devs)
      expect(d.smart).toMatchObject({
        status: 'unavailable',
        reason: 'tool-missing',
        detail: expect.stringMatching(/not run under fixture roots/)
      })
    const nvidia = doc.inventory.absent.find((a) => a.deviceClass === 'gpu-nvidia')
    expect(nvidia?.reason).toMatchObject({
      reason: 'tool-missing',
      detail: expect.stringMatching(/not run under fixture roots/)
    })
  })

  it('reads nothing of this machine when only --sysfs-root is given', async () => {
    const r = await runCli(['snapshot', '--json', '--sysfs-root', tree.sys])
    expect(r.code).toBe(0)
    const doc = JSON.parse(r.stdout) as { inventory: Inventory; snapshot: Snapshot }
    // No procfs in this tree: no hostname, kernel, CPU or memory of this machine.
    expect(doc.inventory.host.hostname).toBe(`fixture tree ${root.split('/').pop()}`)
    expect(doc.inventory.host.kernel.status).toBe('unavailable')
    expect(doc.inventory.host.arch).toMatch(/^unknown/)
    expect(doc.inventory.memory.totalBytes.status).toBe('unavailable')
    expect(doc.inventory.cpu.logicalCores.status).toBe('unavailable')
    expect(doc.inventory.storage.map((d) => d.name)).toEqual(['sda', 'nvme0n1'])
  })

  it('rejects --tools-dir without a fixture root', async () => {
    const r = await runCli(['snapshot', '--tools-dir', tools.dir])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/--tools-dir needs --sysfs-root or --procfs-root/)
  })
})

describePeer('snapshot on the node_exporter tree with a logging smartctl', () => {
  let tree: PeerTree
  let tools: FakeToolDir
  beforeAll(async () => {
    tree = await materializePeerTree('prometheus__node_exporter')
    tools = await createFakeTools({ smartctl: SMART_JSON })
  })
  afterAll(async () => {
    await tools?.cleanup()
    await tree?.cleanup()
  })

  it("queries the tree's disks and its class/nvme/nvme0 namespace, and nothing else", async () => {
    const engine = await createEngine({
      sysRoot: `${tree.root}/sys`,
      procRoot: `${tree.root}/proc`,
      toolsPath: tools.dir,
      log: silentLogger
    })
    try {
      const inv = engine.inventory
      const names = inv.storage.map((d) => d.name)
      // sys/block holds sda, sdi…sdn (plus dm-*/md*, left out); the NVMe is only under class/nvme/nvme0.
      expect(names).toEqual(['sda', 'sdi', 'sdj', 'sdk', 'sdl', 'sdm', 'sdn', 'nvme0n1'])
      expect(inv.storage.at(-1)).toMatchObject({
        kind: 'nvme',
        model: { status: 'ok', value: 'Samsung SSD 970 PRO 512GB' },
        serial: { status: 'ok', value: 'S680HF8N190894I' }
      })
      // The tree has no hostname file: a label naming the tree, never this machine's name.
      expect(inv.host.hostname).toMatch(/^fixture tree /)
      const queried = await until(async () => {
        await engine.source.tick()
        const q = (await tools.calls('smartctl')).map((a) => a.at(-1))
        return q.length >= names.length ? q : undefined
      })
      expect(queried.sort()).toEqual(names.map((n) => `/dev/${n}`).sort())
    } finally {
      await engine.close()
    }
  }, 40_000)
})
