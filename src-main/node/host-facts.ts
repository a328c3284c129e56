/**
 * Host facts read from procfs (through the file reader, so fixture roots work): kernel release, container
 * and WSL detection, and, for fixture trees, the captured machine's hostname and architecture.
 * Complements systeminformation's osInfo(), and is the only source in fixture mode.
 */
import { ok, unavailable, type Reading } from '../shared/reading'
import type { FileReader } from './platform/file-reader'

/** Pure: the container runtime named by /proc/1/cgroup or /proc/self/mountinfo content, if any. */
export function containerFromCgroup(text: string): string | null {
  if (/\/docker[/-]|docker-[0-9a-f]{12}/.test(text)) return 'docker'
  if (/kubepods/.test(text)) return 'kubernetes'
  if (/\/libpod-|\/podman/.test(text)) return 'podman'
  if (/\/lxc\/|\/lxc\.payload/.test(text)) return 'lxc'
  return null
}

/** Pure: WSL is identified by its kernel release (`…-microsoft-standard-WSL2`). */
export function wslFromOsrelease(release: string): string | null {
  return /microsoft/i.test(release) ? (/WSL2/i.test(release) ? 'wsl2' : 'wsl') : null
}

/** Pure: the hypervisor from DMI vendor/product strings, or 'virtual machine' when only the CPU flag says so. */
export function virtualizationFrom(
  dmiVendor: string | null,
  dmiProduct: string | null,
  cpuHasHypervisorFlag: boolean
): string | null {
  const v = `${dmiVendor ?? ''} ${dmiProduct ?? ''}`
  const known: [RegExp, string][] = [
    [/QEMU|KVM/i, 'kvm'],
    [/VMware/i, 'vmware'],
    [/VirtualBox|innotek/i, 'virtualbox'],
    [/Microsoft Corporation.*Virtual Machine|Hyper-V/i, 'hyper-v'],
    [/Amazon EC2/i, 'aws-ec2'],
    [/Google Compute Engine/i, 'gce'],
    [/Xen/i, 'xen']
  ]
  for (const [re, name] of known) if (re.test(v)) return name
  return cpuHasHypervisorFlag ? 'virtual machine' : null
}

/** Reads kernel release, container/WSL and hypervisor hints. Never throws. */
export async function readHostFacts(fs: FileReader): Promise<{
  kernel: Reading<string>
  container: Reading<string>
  virtualization: Reading<string>
}> {
  const [rel, cgroup, mountinfo, cpuinfo, vendor, product] = await Promise.all([
    fs.readText('/proc/sys/kernel/osrelease'),
    fs.readText('/proc/1/cgroup'),
    fs.readText('/proc/self/mountinfo'),
    fs.readText('/proc/cpuinfo'),
    fs.readText('/sys/class/dmi/id/sys_vendor'),
    fs.readText('/sys/class/dmi/id/product_name')
  ])
  const kernel: Reading<string> =
    rel.ok && rel.value.trim()
      ? ok(rel.value.trim())
      : unavailable('unsupported', '/proc/sys/kernel/osrelease not readable')
  const wsl = rel.ok ? wslFromOsrelease(rel.value) : null
  const runtime =
    (cgroup.ok ? containerFromCgroup(cgroup.value) : null) ??
    (mountinfo.ok ? containerFromCgroup(mountinfo.value) : null)
  const name = wsl ?? runtime
  const hv = virtualizationFrom(
    vendor.ok ? vendor.value.trim() : null,
    product.ok ? product.value.trim() : null,
    cpuinfo.ok && /^flags\s*:.*\bhypervisor\b/m.test(cpuinfo.value)
  )
  return {
    kernel,
    container: name
      ? ok(name)
      : unavailable('not-applicable', 'not in a container or WSL (none detected)'),
    virtualization: hv
      ? ok(hv)
      : unavailable('not-applicable', 'no hypervisor detected (bare metal, or not visible)')
  }
}

/** Node's `process.arch` name for a `uname -m` machine name (`x86_64` → `x64`), or the name itself. */
export function nodeArchFromMachine(machine: string): string {
  const m = machine.trim()
  const map: Record<string, string> = {
    x86_64: 'x64',
    amd64: 'x64',
    i386: 'ia32',
    i686: 'ia32',
    aarch64: 'arm64',
    arm64: 'arm64',
    armv7l: 'arm',
    ppc64le: 'ppc64',
    ppc64: 'ppc64',
    s390x: 's390x',
    riscv64: 'riscv64',
    loongarch64: 'loong64'
  }
  return map[m] ?? m
}

/** Pure: the architecture /proc/cpuinfo implies (x86 `flags` with `lm` → x64; `CPU architecture: 8` → arm64). */
export function archFromCpuinfo(text: string): string | null {
  if (/^flags\s*:.*\blm\b/m.test(text)) return 'x64'
  if (/^flags\s*:/m.test(text) && /^vendor_id\s*:/m.test(text)) return 'ia32'
  const arm = /^CPU architecture\s*:\s*(\d+)/m.exec(text)
  if (arm) return Number(arm[1]) >= 8 ? 'arm64' : 'arm'
  if (/^isa\s*:\s*rv64/m.test(text)) return 'riscv64'
  return null
}

/** The captured machine's identity, read only from the tree. */
export interface TreeIdentity {
  /** `/proc/sys/kernel/hostname`, else a label naming the tree (never this machine's hostname). */
  hostname: string
  /** `/proc/sys/kernel/arch` (Node naming), else what /proc/cpuinfo implies, else a label. */
  arch: string
}

/**
 * Hostname and architecture of the machine a fixture tree was captured on. Nothing comes from this machine:
 * what the tree lacks is a label saying so (`fixture tree <name>`, `unknown (not in the fixture tree)`).
 */
export async function readTreeIdentity(fs: FileReader, treeName: string): Promise<TreeIdentity> {
  const [host, arch, cpuinfo] = await Promise.all([
    fs.readText('/proc/sys/kernel/hostname'),
    fs.readText('/proc/sys/kernel/arch'),
    fs.readText('/proc/cpuinfo')
  ])
  const hostname = host.ok && host.value.trim() ? host.value.trim() : `fixture tree ${treeName}`
  const fromArch = arch.ok && arch.value.trim() ? nodeArchFromMachine(arch.value) : null
  const fromCpu = cpuinfo.ok ? archFromCpuinfo(cpuinfo.value) : null
  return { hostname, arch: fromArch ?? fromCpu ?? 'unknown (not in the fixture tree)' }
}
