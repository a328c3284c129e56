import { readFileSync } from 'node:fs'
import { it } from 'vitest'
import { parseSession } from '../../src-main/node/recorder/session'
import { createThrottleTracker } from '../../src-main/core/throttle'
it('scratch', () => {
  const s = parseSession(readFileSync('tests/fixtures/sessions/rtx4090-training-run.jsonl', 'utf8'))
  const t = createThrottleTracker()
  for (const x of s.snapshots) t.push(x, s.header.inventory)
  console.log(JSON.stringify(t.events(), null, 1).slice(0, 3000))
  console.log(Object.keys(t))
})
