import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { readSession } from '../../../../src-main/node/recorder/session'
import { runCli } from '../../../helpers/cli-io'

const repo = resolve(import.meta.dirname, '../../../..')
const SESSION = resolve(repo, 'tests/fixtures/sessions/rtx4090-training-run.jsonl')
const SYS = resolve(repo, 'tests/fixtures/sysfs/ryzen-7950x-desktop')
const PROC = resolve(repo, 'tests/fixtures/procfs/ryzen-7950x-desktop')

describe('rigready watch', () => {
  it('redraws live frames from a replayed session (non-TTY: one frame per sample)', async () => {
    const r = await runCli(['watch', '--once', '--replay', SESSION, '--speed', '20'])
    expect(r.code).toBe(0)
    const frames = r.stdout.split('RigReady snapshot').length - 1
    expect(frames).toBeGreaterThanOrEqual(2)
    expect(r.stdout).toMatch(/GPU0 NVIDIA GeForce RTX 4090/)
  })
})

describe('rigready record and report', () => {
  it('records a session on fixture trees that reads back, and reports on it', async () => {
    const out = join(await mkdtemp(join(tmpdir(), 'rr-rec-')), 's.jsonl')
    const r = await runCli([
      'record',
      '--sysfs-root',
      SYS,
      '--procfs-root',
      PROC,
      '--interval',
      '0.2',
      '--duration',
      '1.1',
      '--out',
      out
    ])
    expect(r.code).toBe(0)
    const s = await readSession(out)
    expect(s.snapshots.length).toBeGreaterThanOrEqual(4)
    expect(s.snapshots[0].cpu.status).toBe('ok')
    const rep = await runCli(['report', out])
    expect(rep.code).toBe(0)
    expect(rep.stdout).toMatch(/Verdict: /)
  })
})

describe('watch line fitting', () => {
  it('cuts lines to the terminal width without breaking ANSI styles', async () => {
    const { truncateVisible } = await import('../../../../src-main/node/cli/telemetry-commands')
    expect(truncateVisible('abcdef', 3)).toBe('abc')
    expect(truncateVisible('\x1b[1mabcdef\x1b[22m', 3)).toBe('\x1b[1mabc\x1b[22m')
    expect(truncateVisible('ab', 10)).toBe('ab')
  })
})
