/**
 * `rigready record -- COMMAND` behaves like COMMAND: output passes through, the exit code is the command's
 * (128 + n for a signal, 127 when it cannot be found), SIGINT/SIGTERM reach its process group, and the session
 * records its start and end. Ctrl-C exits 130 in every long-running command. Spawns the built CLI.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openSession, readSessionInto } from '../../src-main/node/recorder/reader'
import type { SessionRecord } from '../../src-main/shared/session-format'

const CLI = resolve(import.meta.dirname, '../../out/main/cli.js')
const SESSION = resolve(import.meta.dirname, '../fixtures/sessions/rtx4090-training-run.jsonl')
const built = existsSync(CLI)

interface Run {
  code: number | null
  stdout: string
  stderr: string
}

function start(
  args: string[],
  env: NodeJS.ProcessEnv = {}
): {
  p: ChildProcess
  done: Promise<Run>
  out: () => string
  stdout: () => string
} {
  const p = spawn(process.execPath, [CLI, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env }
  })
  let stdout = ''
  let stderr = ''
  p.stdout?.on('data', (c: Buffer) => (stdout += c.toString('utf8')))
  p.stderr?.on('data', (c: Buffer) => (stderr += c.toString('utf8')))
  const done = new Promise<Run>((r) => p.once('exit', (code) => r({ code, stdout, stderr })))
  return { p, done, out: () => stdout + stderr, stdout: () => stdout }
}

async function waitFor(cond: () => boolean, ms = 15_000): Promise<void> {
  const end = Date.now() + ms
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting')
    await new Promise((r) => setTimeout(r, 20))
  }
}

async function records(file: string): Promise<SessionRecord[]> {
  const out: SessionRecord[] = []
  await readSessionInto(await openSession(file), { record: (r) => out.push(r) })
  return out
}

const maybe = built ? describe : process.env.CI ? describe : describe.skip

maybe(
  `rigready record -- COMMAND (built CLI)${built ? '' : ' (skipped: out/main/cli.js not built)'}`,
  () => {
    let dir = ''
    beforeAll(async () => {
      if (!built) throw new Error('out/main/cli.js is missing: run `npx electron-vite build`')
      dir = await mkdtemp(join(tmpdir(), 'rr-rec-'))
    })
    afterAll(async () => {
      if (dir) await rm(dir, { recursive: true, force: true })
    })
    const rec = (name: string, cmd: string[]): string[] => [
      'record',
      '--replay',
      SESSION,
      '--out',
      join(dir, name),
      '--',
      ...cmd
    ]

    it('passes the command’s output through and exits with its exit code; the session marks start and end', async () => {
      const r = await start(
        rec('exit7.rrs', [
          'node',
          '-e',
          "console.log('to stdout'); console.error('to stderr'); process.exit(7)"
        ])
      ).done
      expect(r.code).toBe(7)
      expect(r.stdout).toBe('to stdout\n')
      expect(r.stderr).toMatch(/to stderr\n/)
      const recs = await records(join(dir, 'exit7.rrs'))
      const startRec = recs.find((x) => x.type === 'command-start')
      const endRec = recs.find((x) => x.type === 'command-end')
      expect(startRec).toMatchObject({
        argv: ['node', '-e', expect.any(String)],
        pid: expect.any(Number)
      })
      expect(endRec).toMatchObject({ exitCode: 7, signal: null, exitStatus: 7 })
      expect(recs.at(-1)).toMatchObject({ type: 'end', reason: 'command-ended' })
      const alert = recs.find((x) => x.type === 'alert')
      expect(alert).toMatchObject({ alert: { rule: 'command-failed', value: 7 } })
    })

    it('exits 128 + n when a signal ends the command', async () => {
      const r = await start(
        rec('kill9.rrs', ['node', '-e', "process.kill(process.pid, 'SIGKILL')"])
      ).done
      expect(r.code).toBe(137)
      const endRec = (await records(join(dir, 'kill9.rrs'))).find((x) => x.type === 'command-end')
      expect(endRec).toMatchObject({ exitCode: null, signal: 'SIGKILL', exitStatus: 137 })
    })

    it('exits 127 with a message when the command cannot be found, and records the failure', async () => {
      const r = await start(rec('missing.rrs', ['no-such-command-rr-test', '--flag'])).done
      expect(r.code).toBe(127)
      expect(r.stderr).toMatch(/rigready record: command not found: no-such-command-rr-test/)
      const endRec = (await records(join(dir, 'missing.rrs'))).find((x) => x.type === 'command-end')
      expect(endRec).toMatchObject({
        exitStatus: 127,
        error: 'command not found: no-such-command-rr-test'
      })
    })

    it('forwards SIGTERM to the command once; rigready ends when it does, with its code', async () => {
      const script =
        "process.on('SIGTERM', () => { console.log('child got SIGTERM'); process.exit(42) }); console.log('ready'); setInterval(() => {}, 1000)"
      const run = start(rec('term.rrs', ['node', '-e', script]))
      // The child's own line on stdout (rigready's stderr names the command, which holds the word too).
      await waitFor(() => run.stdout().includes('ready\n'))
      run.p.kill('SIGTERM')
      const r = await run.done
      expect(r.code, r.stderr).toBe(42)
      expect(r.stdout.match(/child got SIGTERM/g)).toHaveLength(1)
    })

    it('forwards SIGINT to the whole process group (workers too) and exits 130 when the command dies of it', async () => {
      const marker = join(dir, 'grandchild.pid')
      // The command starts a worker, then waits; Ctrl-C must end both.
      const script = `const { spawn } = require('node:child_process'); const w = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' }); require('node:fs').writeFileSync(${JSON.stringify(marker)}, String(w.pid)); console.log('ready'); setInterval(() => {}, 1000)`
      const run = start(rec('int.rrs', ['node', '-e', script]))
      await waitFor(() => run.stdout().includes('ready\n'))
      run.p.kill('SIGINT')
      const r = await run.done
      expect(r.code).toBe(130)
      const { readFile } = await import('node:fs/promises')
      const worker = Number(await readFile(marker, 'utf8'))
      await waitFor(() => {
        try {
          process.kill(worker, 0)
          return false
        } catch {
          return true
        }
      }, 5000)
      const endRec = (await records(join(dir, 'int.rrs'))).find((x) => x.type === 'command-end')
      expect(endRec).toMatchObject({ signal: 'SIGINT', exitStatus: 130 })
    })

    it('records into a dated file in the sessions folder by default, never overwriting', async () => {
      const sessions = join(dir, 'default-folder')
      const env = { RIGREADY_SESSIONS_DIR: sessions }
      const cmd = ['record', '--replay', SESSION, '--', 'node', '-e', '0']
      expect((await start(cmd, env).done).code).toBe(0)
      expect((await start(cmd, env).done).code).toBe(0)
      const files = (await readdir(sessions)).sort()
      expect(files).toHaveLength(2)
      for (const f of files) expect(f).toMatch(/^\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ-node(-\d+)?\.rrs$/)
    })

    it('refuses to overwrite an existing --out file (exit 2, the command is not run)', async () => {
      const r = await start(rec('exit7.rrs', ['node', '-e', "console.log('ran')"])).done
      expect(r.code).toBe(2)
      expect(r.stderr).toMatch(/exit7\.rrs: already exists \(refusing to overwrite a session\)/)
      expect(r.stdout).toBe('')
    })

    for (const [name, args] of [
      ['record (no command)', ['record', '--replay', SESSION, '--out', 'DIR/nocmd.rrs']],
      ['watch', ['watch', '--replay', SESSION]],
      ['serve', ['serve', '--replay', SESSION, '--port', '0']]
    ] as const) {
      it(`Ctrl-C exits 130 in ${name}`, async () => {
        const run = start(args.map((a) => a.replace('DIR', dir)))
        await waitFor(() => run.out().length > 0)
        await new Promise((r) => setTimeout(r, 300))
        run.p.kill('SIGINT')
        const r = await run.done
        expect(r.code).toBe(130)
      })
    }
  }
)
