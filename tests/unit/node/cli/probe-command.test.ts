import { describe, expect, it } from 'vitest'
import { runCli } from '../../../helpers/cli-io'

describe('rigready probe (usage)', () => {
  it('prints its help with every flag', async () => {
    const r = await runCli(['probe', '--help'])
    expect(r.code).toBe(0)
    for (const flag of [
      '--duration',
      '--long',
      '--cpu',
      '--memory',
      '--storage',
      '--gpu',
      '--json',
      '--temp-margin',
      '--no-save',
      '-- COMMAND'
    ])
      expect(r.stdout).toContain(flag)
  })

  it.each([
    [['--duration', '0'], '--duration must be a positive number (got "0")'],
    [['--duration', 'ten'], '--duration must be a positive number (got "ten")'],
    [['--duration', '1'], '--duration must be from 2 to 86400 seconds (got "1")'],
    [['--long', '--duration', '30'], 'give either --duration or --long, not both'],
    [['--storage', '/nonexistent/dir'], '--storage /nonexistent/dir: not a directory'],
    [['--replay', 'x.jsonl'], '--replay cannot be probed: a probe loads this machine'],
    [['--cpu', '--'], 'nothing after "--": give the command to run'],
    [['--temp-margin=-3'], '--temp-margin must be from 0 to 50 °C (got "-3")'],
    [['--temp-margin', '99'], '--temp-margin must be from 0 to 50 °C (got "99")'],
    [['--turbo'], "Unknown option '--turbo'"]
  ])('rejects %j with one line and exit 2', async (args, message) => {
    const r = await runCli(['probe', ...args])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain(`rigready probe: ${message}`)
    expect(r.stderr.trim().split('\n')).toHaveLength(1)
    expect(r.stdout).toBe('')
  })

  it('is listed in the top-level usage', async () => {
    const r = await runCli(['--help'])
    expect(r.stdout).toMatch(/rigready probe +\[--duration S \| --long\]/)
  })
})

describe('rigready probe (stored result and session)', () => {
  it('stores the result with a session in the long-jobs format that `report` reads', async () => {
    const { mkdtemp, rm, readdir } = await import('node:fs/promises')
    const { tmpdir } = await import('node:os')
    const { join } = await import('node:path')
    const data = await mkdtemp(join(tmpdir(), 'rr-probe-store-'))
    try {
      const env = { ...process.env, RIGREADY_DATA_DIR: data }
      const r = await runCli(['probe', '--cpu', '--duration', '2', '--json'], { env })
      expect(r.code).toBe(0)
      const result = JSON.parse(r.stdout) as { sessionFile: string | null }
      expect(result.sessionFile).toMatch(/\.rrs$/)
      const rep = await runCli(['report', result.sessionFile as string, '--json'], { env })
      expect(rep.code).toBe(0)
      const review = (JSON.parse(rep.stdout) as { review: { version: number; samples: number } })
        .review
      expect(review.version).toBe(2)
      expect(review.samples).toBeGreaterThan(0)
      // The result beside it.
      const dir = join(data, 'probes', (await readdir(join(data, 'probes')))[0]!)
      expect((await readdir(dir)).filter((n) => n.endsWith('.json'))).toHaveLength(1)
    } finally {
      await rm(data, { recursive: true, force: true })
    }
  })
})
