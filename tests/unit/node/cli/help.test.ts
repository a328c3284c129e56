import { describe, expect, it } from 'vitest'
import { runCli } from '../../../helpers/cli-io'

const COMMANDS = [
  'check',
  'estimate',
  'models',
  'list',
  'snapshot',
  'watch',
  'record',
  'report',
  'serve',
  'probe'
]

describe('rigready COMMAND --help', () => {
  it.each(COMMANDS)(
    '%s --help prints its usage and exits 0 without doing the work',
    async (cmd) => {
      const r = await runCli([cmd, '--help'])
      expect(r.code, r.stderr).toBe(0)
      expect(r.stdout).toMatch(new RegExp(`rigready ${cmd}`))
      expect(r.stdout).toMatch(/usage/i)
      expect(r.stderr).toBe('')
    }
  )

  it('top-level --help lists every command and the exit codes are documented', async () => {
    const r = await runCli(['--help'])
    expect(r.code).toBe(0)
    for (const cmd of COMMANDS) expect(r.stdout).toContain(`rigready ${cmd}`)
  })

  it('an unknown flag is a usage error (exit 2) in one line naming it', async () => {
    const r = await runCli(['check', '--bogus'])
    expect(r.code).toBe(2)
    expect(r.stderr.trim().split('\n')[0]).toMatch(/--bogus/)
    expect(r.stderr).not.toMatch(/\n\s+at /)
  })
})
