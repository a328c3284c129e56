import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { createCommandRunner } from '../../../../src-main/node/platform/command-runner'

const dirs: string[] = []
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })))
})

/** True while a process with this pid exists. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

async function script(body: string, mode = 0o755): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'rr-run-'))
  dirs.push(dir)
  const p = join(dir, 'tool')
  await writeFile(p, `#!${process.execPath}\n${body}\n`)
  await chmod(p, mode)
  return p
}

describe('command runner', () => {
  const run = createCommandRunner()

  it('passes arguments as an array (no shell) and returns stdout', async () => {
    const p = await script('process.stdout.write(JSON.stringify(process.argv.slice(2)))')
    const r = await run(p, ['a b', '$(echo x)', ';rm -rf /'], { timeoutMs: 5000 })
    expect(r.kind).toBe('ok')
    if (r.kind === 'ok') expect(JSON.parse(r.stdout)).toEqual(['a b', '$(echo x)', ';rm -rf /'])
  })

  it('reports a missing tool as not-found and a non-executable one as permission-denied', async () => {
    expect(
      (await run(join(tmpdir(), 'definitely-not-a-tool-xyz'), [], { timeoutMs: 1000 })).kind
    ).toBe('not-found')
    const p = await script('1', 0o644)
    expect((await run(p, [], { timeoutMs: 1000 })).kind).toBe('permission-denied')
  })

  it('returns a non-zero exit with its stderr', async () => {
    const p = await script('process.stderr.write("boom"); process.exit(9)')
    const r = await run(p, [], { timeoutMs: 5000 })
    expect(r).toMatchObject({ kind: 'exit', code: 9, stderr: 'boom' })
  })

  it('kills a hung tool at the timeout and resolves promptly', async () => {
    const t0 = Date.now()
    const pidFile = join(tmpdir(), `rr-hung-${process.pid}-${Date.now()}.pid`)
    const p2 = await script(
      `require('fs').writeFileSync(${JSON.stringify(pidFile)}, String(process.pid)); process.on("SIGTERM", () => {}); setInterval(() => {}, 1000)`
    )
    const r = await run(p2, [], { timeoutMs: 1500 })
    expect(r.kind).toBe('timeout')
    expect(Date.now() - t0).toBeLessThan(10_000)
    // A tool that ignores SIGTERM is still killed (SIGKILL after the grace period): none is left behind.
    const pid = Number(await readFile(pidFile, 'utf8'))
    await rm(pidFile, { force: true })
    await expect.poll(() => alive(pid), { timeout: 5000, interval: 100 }).toBe(false)
  })

  it('stops on abort', async () => {
    const p = await script('setInterval(() => {}, 1000)')
    const ac = new AbortController()
    setTimeout(() => ac.abort(), 100)
    expect((await run(p, [], { timeoutMs: 5000, signal: ac.signal })).kind).toBe('aborted')
  })
})
