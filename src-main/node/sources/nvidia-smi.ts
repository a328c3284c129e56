/**
 * Running `nvidia-smi` one-shot commands and reading NVIDIA PCI devices from sysfs: what a failed call means
 * (reason and detail), and which NVIDIA display devices exist and whether they are runtime-suspended (read
 * before any nvidia-smi call, since every call wakes a sleeping GPU).
 *
 * The formats themselves are parsed in nvidia-smi-csv.ts (`--query-gpu`, `--help-query-gpu`) and
 * nvidia-smi-xml.ts (`-q -x`).
 */
import { unavailable, type ReadingUnavailable } from '../../shared/reading'
import type { CommandResult } from '../platform/command-runner'
import type { FileReader } from '../platform/file-reader'

/** A PCI display device of vendor NVIDIA, as seen in sysfs. */
export interface NvidiaPciDevice {
  /** sysfs name, e.g. `0000:01:00.0`. */
  busId: string
  deviceId: string
  runtimeStatus: string
}

/**
 * Lists NVIDIA display devices (vendor 0x10de, class 0x03xxxx) with their runtime PM status.
 *
 * Source: `/sys/bus/pci/devices/<bdf>/{vendor,class,device,power/runtime_status}`. A missing directory
 * (non-Linux, containers without sysfs) yields an empty list.
 */
export async function listNvidiaPciDevices(fs: FileReader): Promise<NvidiaPciDevice[]> {
  const dir = await fs.readDir('/sys/bus/pci/devices')
  if (!dir.ok) return []
  const out: NvidiaPciDevice[] = []
  for (const name of dir.value) {
    const base = `/sys/bus/pci/devices/${name}`
    const vendor = await fs.readText(`${base}/vendor`)
    if (!vendor.ok || vendor.value.trim().toLowerCase() !== '0x10de') continue
    const cls = await fs.readText(`${base}/class`)
    if (!cls.ok || !/^0x03/i.test(cls.value.trim())) continue
    const device = await fs.readText(`${base}/device`)
    const status = await fs.readText(`${base}/power/runtime_status`)
    out.push({
      busId: name.toLowerCase(),
      deviceId: device.ok ? device.value.trim().replace(/^0x/i, '') : '',
      runtimeStatus: status.ok ? status.value.trim() : 'unknown'
    })
  }
  return out
}

/** Maps a failed one-shot nvidia-smi call to an unavailable reason (stderr, or stdout, as detail). */
export function describeRunFailure(r: CommandResult, what: string): ReadingUnavailable | undefined {
  switch (r.kind) {
    case 'ok':
      return r.stdout.trim() === ''
        ? unavailable('parse-error', `${what}: empty output`)
        : undefined
    case 'not-found':
      return unavailable('tool-missing', r.notRun ?? 'nvidia-smi not found')
    case 'permission-denied':
      return unavailable('permission-denied', r.message)
    case 'timeout':
      return unavailable('timeout', `${what} did not answer within ${r.timeoutMs} ms`)
    case 'aborted':
      return unavailable('failed', `${what} aborted`)
    case 'exit': {
      // nvidia-smi prints its driver-communication failure on stdout, not stderr.
      const text = (r.stderr.trim() || r.stdout.trim()).slice(0, 2000)
      if (/no devices were found/i.test(text)) return unavailable('no-device', text)
      const how = r.signal ? `killed by ${r.signal}` : `exit code ${r.code}`
      return unavailable('failed', text ? `${text} (${how})` : `${what}: ${how}`)
    }
  }
}
