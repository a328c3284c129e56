/**
 * Kill-test child: records synthetic snapshots every `interval` ms through the real session writer and prints
 * `ack <seq>` once each append has been written, until it is killed.
 *
 * Usage: node kill-child.mjs FILE INTERVAL_MS
 */
import { syntheticInventory, syntheticRun } from '../../../src-main/node/bench/synth-session'
import { createSessionWriter } from '../../../src-main/node/recorder/writer'

const [file, intervalArg] = process.argv.slice(2)
const intervalMs = Number(intervalArg ?? 20)
const run = syntheticRun({ intervalMs: 1000, startMs: Date.UTC(2026, 0, 5) })
const first = run.next().value
const writer = await createSessionWriter(
  file,
  {
    startedAtMs: first.timestampMs,
    intervalMs: 1000,
    inventory: syntheticInventory(first.timestampMs)
  },
  // A short segment length so kills also land around segment starts.
  { segmentMs: 30_000, syncEveryMs: 200 }
)
let next = first
for (;;) {
  await writer.append(next)
  process.stdout.write(`ack ${next.seq}\n`)
  next = run.next().value
  await new Promise((r) => setTimeout(r, intervalMs))
}
