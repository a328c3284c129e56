import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  archFromCpuinfo,
  containerFromCgroup,
  nodeArchFromMachine,
  readHostFacts,
  readTreeIdentity,
  virtualizationFrom,
  wslFromOsrelease
} from '../../../src-main/node/host-facts'
import { createFileReader } from '../../../src-main/node/platform/file-reader'

describe('host facts', () => {
  it('recognises container runtimes from cgroup paths (v1 and v2 layouts)', () => {
    expect(
      containerFromCgroup(
        '12:pids:/docker/3f2a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f0a\n'
      )
    ).toBe('docker')
    expect(containerFromCgroup('0::/system.slice/docker-3f2a1b2c3d4e.scope\n')).toBe('docker')
    expect(containerFromCgroup('0::/kubepods/besteffort/pod123/abc\n')).toBe('kubernetes')
    expect(containerFromCgroup('0::/machine.slice/libpod-abc.scope\n')).toBe('podman')
    expect(containerFromCgroup('0::/init.scope\n')).toBeNull()
    fc.assert(fc.property(fc.string(), (s) => void containerFromCgroup(s)))
  })

  it('names the hypervisor from DMI strings, or the CPU hypervisor flag alone', () => {
    expect(virtualizationFrom('QEMU', 'Standard PC (Q35 + ICH9, 2009)', true)).toBe('kvm')
    expect(virtualizationFrom('Amazon EC2', 'g5.xlarge', true)).toBe('aws-ec2')
    expect(virtualizationFrom(null, null, true)).toBe('virtual machine')
    expect(virtualizationFrom('ASUSTeK COMPUTER INC.', 'ROG STRIX X670E', false)).toBeNull()
  })

  it('recognises WSL from the kernel release', () => {
    expect(wslFromOsrelease('5.15.153.1-microsoft-standard-WSL2')).toBe('wsl2')
    expect(wslFromOsrelease('6.8.0-45-generic')).toBeNull()
  })

  it('reads the kernel release and the container through the procfs root', async () => {
    const root = await mkdtemp(join(tmpdir(), 'rr-host-'))
    await mkdir(join(root, 'sys/kernel'), { recursive: true })
    await mkdir(join(root, '1'), { recursive: true })
    await writeFile(join(root, 'sys/kernel/osrelease'), '6.8.0-45-generic\n')
    await writeFile(join(root, '1/cgroup'), '0::/kubepods/burstable/pod1/x\n')
    const f = await readHostFacts(createFileReader({ procRoot: root, sysRoot: root }))
    expect(f.kernel).toEqual({ status: 'ok', value: '6.8.0-45-generic' })
    expect(f.container).toEqual({ status: 'ok', value: 'kubernetes' })
    const none = await readHostFacts(
      createFileReader({ procRoot: join(root, 'missing'), sysRoot: root })
    )
    expect(none.kernel.status).toBe('unavailable')
    // Not in a container: the reading does not apply (nothing is missing).
    expect(none.container).toMatchObject({ status: 'unavailable', reason: 'not-applicable' })
  })
})

describe('tree identity (fixture roots)', () => {
  it("maps uname machine names to Node's and infers the arch from cpuinfo", () => {
    expect(nodeArchFromMachine('x86_64\n')).toBe('x64')
    expect(nodeArchFromMachine('aarch64')).toBe('arm64')
    expect(
      archFromCpuinfo('processor\t: 0\nvendor_id\t: GenuineIntel\nflags\t\t: fpu lm avx2\n')
    ).toBe('x64')
    expect(archFromCpuinfo('processor\t: 0\nCPU architecture: 8\nFeatures\t: fp asimd\n')).toBe(
      'arm64'
    )
    expect(archFromCpuinfo('')).toBeNull()
  })

  it('takes hostname and arch from the tree, and names the tree when it has neither', async () => {
    const root = await mkdtemp(join(tmpdir(), 'rr-ident-'))
    try {
      await mkdir(join(root, 'sys/kernel'), { recursive: true })
      await writeFile(join(root, 'sys/kernel/hostname'), 'gpu-node-07\n')
      await writeFile(join(root, 'sys/kernel/arch'), 'aarch64\n')
      const fs = createFileReader({ sysRoot: null, procRoot: root })
      expect(await readTreeIdentity(fs, 'capture')).toEqual({
        hostname: 'gpu-node-07',
        arch: 'arm64'
      })
      const none = createFileReader({ sysRoot: null, procRoot: null })
      expect(await readTreeIdentity(none, 'capture')).toEqual({
        hostname: 'fixture tree capture',
        arch: 'unknown (not in the fixture tree)'
      })
    } finally {
      await rm(root, { recursive: true, force: true })
    }
  })
})
