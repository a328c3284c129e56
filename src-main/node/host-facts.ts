/**
 * Host facts read from procfs (through the file reader, so fixture roots work): kernel release, container
 * and WSL detection. Complements systeminformation's osInfo(), and is the only source in fixture mode.
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
    container: name ? ok(name) : unavailable('no-device', 'no container or WSL detected'),
    virtualization: hv
      ? ok(hv)
      : unavailable('no-device', 'no hypervisor detected (bare metal, or not visible)')
  }
}
