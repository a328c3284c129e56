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

/** Reads kernel release and container/WSL hints. Never throws. */
export async function readHostFacts(fs: FileReader): Promise<{ kernel: Reading<string>; container: Reading<string> }> {
  const [rel, cgroup, mountinfo] = await Promise.all([
    fs.readText('/proc/sys/kernel/osrelease'),
    fs.readText('/proc/1/cgroup'),
    fs.readText('/proc/self/mountinfo')
  ])
  const kernel: Reading<string> = rel.ok && rel.value.trim() ? ok(rel.value.trim()) : unavailable('unsupported', '/proc/sys/kernel/osrelease not readable')
  const wsl = rel.ok ? wslFromOsrelease(rel.value) : null
  const runtime = (cgroup.ok ? containerFromCgroup(cgroup.value) : null) ?? (mountinfo.ok ? containerFromCgroup(mountinfo.value) : null)
  const name = wsl ?? runtime
  return { kernel, container: name ? ok(name) : unavailable('no-device', 'no container or WSL detected') }
}
