import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from '../../../helpers/cli-io'

const SESSION = resolve(
  import.meta.dirname,
  '../../../fixtures/sessions/rtx4090-training-run.jsonl'
)
let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rr-serve-cli-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

const noToken = { ...process.env, RIGREADY_TOKEN: '' }

describe('rigready serve (flags)', () => {
  it('prints its help with --help', async () => {
    const r = await runCli(['serve', '--help'])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/--web-config FILE/)
    expect(r.stdout).toMatch(/RIGREADY_TOKEN/)
  })

  it('refuses --token, because the command line is readable in ps, and says what to use', async () => {
    const r = await runCli(['serve', '--token', 'correct-horse-battery', '--replay', SESSION])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(
      /^rigready serve: --token is refused: .*ps.*RIGREADY_TOKEN.*--token-file/m
    )
    expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(1)
  })

  it('refuses a network bind without credentials', async () => {
    const r = await runCli(['serve', '--host', '0.0.0.0', '--replay', SESSION], { env: noToken })
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/requires credentials/)
  })

  it.each([
    [['--token-file', '/nonexistent/token'], /--token-file \/nonexistent\/token: no such file/],
    [['--port', '99999'], /--port must be 0–65535/],
    [['--max-requests', '0'], /--max-requests must be a whole number/],
    [['--fleet-prometheus', 'ftp://x'], /--fleet-prometheus: .*http/]
  ])('answers bad input %j with one line and exit 2', async (args, message) => {
    const r = await runCli(['serve', ...args, '--replay', SESSION], { env: noToken })
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(message)
  })

  it('names the file and key of a bad web config', async () => {
    const file = join(dir, 'web.yml')
    await writeFile(file, 'tls_server_config:\n  certfile: x\n')
    const r = await runCli(['serve', '--web-config', file, '--replay', SESSION], { env: noToken })
    expect(r.code).toBe(2)
    expect(r.stderr).toContain(`--web-config ${file}: unknown key "certfile" in tls_server_config`)
  })

  it('reads the token from a file, warns when others can read it, and says how to authenticate', async () => {
    const file = join(dir, 'token')
    await writeFile(file, 'correct-horse-battery-staple\n')
    await chmod(file, 0o644)
    const r = await runCli(
      ['serve', '--token-file', file, '--port', '0', '--replay', SESSION, '--speed', '10'],
      { env: noToken, interruptAfterMs: 300 }
    )
    // Stopped with Ctrl-C: 130, as every command.
    expect(r.code).toBe(130)
    expect(r.stderr).toMatch(/is readable by other users \(chmod 600/)
    expect(r.stdout).toMatch(/^RigReady serving on http:\/\/127\.0\.0\.1:\d+\/$/m)
    expect(r.stdout).toMatch(/access: bearer token/)
    expect(r.stdout).toMatch(/Authorization: Bearer \$RIGREADY_TOKEN/)
    expect(r.stdout).not.toContain('correct-horse-battery-staple')
  })

  it('serves on loopback without credentials and says so', async () => {
    const r = await runCli(['serve', '--port', '0', '--replay', SESSION], {
      env: noToken,
      interruptAfterMs: 200
    })
    expect(r.code).toBe(130)
    expect(r.stdout).toMatch(/access: no credentials \(loopback only/)
  })
})
