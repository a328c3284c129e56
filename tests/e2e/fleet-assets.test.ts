/**
 * The systemd unit in resources/fleet: `systemd-analyze verify` accepts it and `systemd-analyze security`
 * rates its exposure low. Runs where systemd-analyze is installed (Debian's systemd package).
 */
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const run = promisify(execFile)
const UNIT = resolve(import.meta.dirname, '../../resources/fleet/rigready.service')
const ANALYZE = '/usr/bin/systemd-analyze'

describe.runIf(existsSync(ANALYZE))('rigready.service', () => {
  let dir: string
  let unit: string
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rr-unit-'))
    unit = join(dir, 'rigready.service')
    // verify checks that ExecStart exists: point it at a binary this machine has.
    const text = (await readFile(UNIT, 'utf8')).replace('/usr/bin/rigready', '/bin/true')
    await writeFile(unit, text)
  })
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('is accepted by systemd-analyze verify', async () => {
    const r = await run(ANALYZE, ['verify', '--man=no', unit]).catch(
      (e: { stdout: string; stderr: string }) => e
    )
    const out = `${r.stdout}${r.stderr}`
      .split('\n')
      // Messages about this machine, not the unit (no systemd as PID 1 in containers).
      .filter(
        (l) =>
          l.trim() !== '' &&
          !/Failed to (connect|prepare filename)|System has not been booted/.test(l)
      )
    expect(out).toEqual([])
  })

  it('rates low in systemd-analyze security (hardened: DynamicUser, ProtectSystem, read-only /sys)', async () => {
    const r = await run(ANALYZE, ['security', '--offline=yes', unit])
    const m = /Overall exposure level for rigready\.service: ([\d.]+)/.exec(r.stdout)
    expect(m, r.stdout.slice(-500)).not.toBeNull()
    expect(Number(m![1])).toBeLessThanOrEqual(2.5)
    const text = await readFile(UNIT, 'utf8')
    for (const line of [
      'DynamicUser=yes',
      'ProtectSystem=strict',
      'ReadOnlyPaths=/sys',
      'NoNewPrivileges=yes',
      'CapabilityBoundingSet=\n'
    ])
      expect(text).toContain(line)
  })
})
