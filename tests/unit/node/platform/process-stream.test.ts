import { chmod, mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  spawnProcessStream,
  type StreamEvent
} from '../../../../src-main/node/platform/process-stream'

async function script(body: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'rr-stream-'))
  const p = join(dir, 'tool')
  await writeFile(p, `#!${process.execPath}\n${body}\n`)
  await chmod(p, 0o755)
  return p
}

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Waits until `done()` holds (polling), or fails after `ms`: spawns are slow on a loaded machine. */
async function until(done: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms
  while (!done()) {
    if (Date.now() > end) throw new Error('condition not reached in time')
    await wait(20)
  }
}

describe('process stream', { timeout: 30_000 }, () => {
  it('delivers lines, split across chunks, and restarts a child that dies (with backoff)', async () => {
    const p = await script(
      'process.stdout.write("a"); setTimeout(() => { process.stdout.write("1\\nb2\\n"); process.exit(1) }, 20)'
    )
    const lines: string[] = []
    const events: StreamEvent[] = []
    const s = spawnProcessStream({
      file: p,
      args: [],
      onLine: (l) => lines.push(l),
      onEvent: (e) => events.push(e),
      silenceTimeoutMs: 5000,
      backoffMs: 50
    })
    await until(() => lines.length >= 2 && events.filter((e) => e.kind === 'started').length >= 2)
    await s.stop()
    expect(lines.slice(0, 2)).toEqual(['a1', 'b2'])
    expect(events.filter((e) => e.kind === 'started').length).toBeGreaterThanOrEqual(2)
    expect(events.some((e) => e.kind === 'exited')).toBe(true)
  })

  it('kills and restarts a child that goes silent (watchdog)', async () => {
    const p = await script('console.log("hello"); setInterval(() => {}, 1000)')
    const events: StreamEvent[] = []
    const s = spawnProcessStream({
      file: p,
      args: [],
      onLine: () => {},
      onEvent: (e) => events.push(e),
      silenceTimeoutMs: 200,
      backoffMs: 20
    })
    await until(
      () =>
        events.some((e) => e.kind === 'silent') &&
        events.filter((e) => e.kind === 'started').length >= 2
    )
    await s.stop()
    expect(events.some((e) => e.kind === 'silent')).toBe(true)
    expect(events.filter((e) => e.kind === 'started').length).toBeGreaterThanOrEqual(2)
  })

  it('reports a missing tool once and does not retry', async () => {
    const events: StreamEvent[] = []
    const s = spawnProcessStream({
      file: join(tmpdir(), 'nope-not-here'),
      args: [],
      onLine: () => {},
      onEvent: (e) => events.push(e),
      silenceTimeoutMs: 1000
    })
    await wait(200)
    await s.stop()
    expect(events.map((e) => e.kind)).toEqual(['not-found'])
  })

  it('gives up after maxRestarts consecutive failures', async () => {
    const p = await script('process.exit(3)')
    const events: StreamEvent[] = []
    const s = spawnProcessStream({
      file: p,
      args: [],
      onLine: () => {},
      onEvent: (e) => events.push(e),
      silenceTimeoutMs: 5000,
      backoffMs: 10,
      maxRestarts: 2
    })
    await until(() => events.some((e) => e.kind === 'gave-up'))
    await s.stop()
    expect(events.at(-1)).toEqual({ kind: 'gave-up', restarts: 2 })
  })
})
