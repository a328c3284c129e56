/**
 * A full disk and a read-only folder, for real: a tiny tmpfs (needs permission to mount; skipped with a
 * message otherwise). Recording stops with a clear message while the wrapped command runs on and exits with
 * its own code; everything already written reads back.
 */
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readSession } from '../../src-main/node/recorder/session'

const CLI = resolve(import.meta.dirname, '../../out/main/cli.js')
const SESSION = resolve(import.meta.dirname, '../fixtures/sessions/rtx4090-training-run.jsonl')

function exec(cmd: string, args: string[]): Promise<number | null> {
  return new Promise((done) => {
    const p = spawn(cmd, args, { stdio: 'ignore' })
    p.once('error', () => done(null))
    p.once('exit', (code) => done(code))
  })
}

async function tryMount(options: string): Promise<string | null> {
  const dir = await mkdtemp(join(tmpdir(), 'rr-tmpfs-'))
  return (await exec('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir])) === 0 ? dir : null
}

let full: string | null = null
let ro: string | null = null
let reason = ''
beforeAll(async () => {
  if (!existsSync(CLI)) {
    reason = 'out/main/cli.js not built'
    return
  }
  full = await tryMount('size=12k')
  ro = await tryMount('ro,size=64k')
  if (!full || !ro) reason = 'cannot mount a tmpfs here (needs privileges)'
})

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const p = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    p.stdout.on('data', (c: Buffer) => (stdout += c.toString()))
    p.stderr.on('data', (c: Buffer) => (stderr += c.toString()))
    p.once('exit', (code) => done({ code, stdout, stderr }))
  })
}

afterAll(async () => {
  for (const d of [full, ro]) {
    if (!d) continue
    await exec('umount', [d])
    await rm(d, { recursive: true, force: true })
  }
})

describe('record on a full disk and a read-only folder (a tiny tmpfs)', () => {
  it('a full disk stops recording with one clear message; the command runs on and exits with its code', async (ctx) => {
    if (!full || !ro) return ctx.skip(reason)
    const out = join(full as string, 's.rrs')
    const r = await run([
      'record',
      '--replay',
      SESSION,
      '--speed',
      '40',
      '--out',
      out,
      '--',
      'node',
      '-e',
      "setTimeout(() => { console.log('command finished'); process.exit(5) }, 4500)"
    ])
    expect(r.code).toBe(5)
    expect(r.stdout).toBe('command finished\n')
    expect(r.stderr).toMatch(
      /s\.rrs: disk full \(ENOSPC\); recording stopped, \d+ samples kept; node keeps running/
    )
    const back = await readSession(out)
    expect(back.snapshots.length).toBeGreaterThan(0)
    expect(back.problems.filter((p) => p.kind !== 'torn')).toEqual([])
  })

  it('a read-only folder is refused before the command starts (exit 2, one line)', async (ctx) => {
    if (!full || !ro) return ctx.skip(reason)
    const r = await run([
      'record',
      '--replay',
      SESSION,
      '--out',
      `${ro as string}/`,
      '--',
      'node',
      '-e',
      "console.log('ran')"
    ])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/read-only file system \(EROFS\)/)
    expect(r.stdout).toBe('')
    expect(await readdir(ro as string)).toEqual([])
  })
})
