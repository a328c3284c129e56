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
