import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadCatalogue } from '../../../../src-main/core/profiles'
import { composeReport } from '../../../../src-main/core/readiness/report'
import { parseSession } from '../../../../src-main/node/recorder/session'
import {
  adviceEffectLines,
  plainEngineText,
  readinessSentence,
  scoreNumber,
  verdictFits,
  scoreSeverity,
  workloadReason,
  workloadStatus
} from '../../../../src-main/shared/present/readiness-text'
import type { ReadinessReport } from '../../../../src-main/shared/readiness'

const FILE = resolve(__dirname, '../../../fixtures/sessions/rtx4090-training-run.jsonl')
const session = parseSession(readFileSync(FILE, 'utf8'), FILE)
const report: ReadinessReport = composeReport({
  inventory: session.header.inventory,
  snapshots: session.snapshots,
  profiles: loadCatalogue(),
  nowMs: session.snapshots.at(-1)!.timestampMs
})
const noGpu: ReadinessReport = composeReport({
  inventory: { ...session.header.inventory, gpus: [] },
  snapshots: session.snapshots.map((s) => ({ ...s, gpus: [] })),
  profiles: loadCatalogue(),
  nowMs: session.snapshots.at(-1)!.timestampMs
})

describe('present/readiness-text', () => {
  it('counts ready workloads as those that fit with a score of at least 50', () => {
    for (const r of [report, noGpu])
      for (const which of ['training', 'inference'] as const) {
        const ids = new Set(r[which].profileIds)
        const counted = r.profiles.filter((p) => ids.has(p.profileId))
        const ready = counted.filter(
          (p) => verdictFits(p.verdict) && (scoreNumber(p.score) ?? -1) >= 50
        ).length
        const s = readinessSentence(r, which)
        expect(s.total).toBe(counted.length)
        expect(s.ready).toBe(ready)
        expect(s.text).toMatch(/^(Ready to|Not ready to) (train|serve)/)
        if (ready > 0 && ready < counted.length)
          expect(s.text).toContain(`${ready} of ${counted.length}`)
      }
  })

  it('names the main blocker in words: a GPU on a machine without one', () => {
    const s = readinessSentence(noGpu, 'training')
    expect(s.text).toMatch(/need(s)? a GPU/)
    expect(s.text).not.toMatch(/qlora-|host-ram|vram-capacity/)
  })

  it('never colours a workload good when its score is not', () => {
    for (const p of [...report.profiles, ...noGpu.profiles]) {
      const st = workloadStatus(p)
      if (st.severity === 'ok') expect(scoreSeverity(scoreNumber(p.score)!)).toBe('ok')
      if (p.verdict === 'does-not-fit') expect(st.severity).toBe('bad')
      if ((scoreNumber(p.score) ?? -1) < 50) expect(st.ready).toBe(false)
    }
  })

  it('gives no speed for workloads that do not fit', () => {
    for (const p of report.profiles.filter((x) => x.verdict === 'does-not-fit'))
      expect(workloadReason(p, report.machine.gpus.length)).not.toMatch(/tok\/s|h per run/)
  })

  it('writes memory shortfalls in GiB, never engine GB', () => {
    const vram = report.profiles.find(
      (p) => p.verdict === 'does-not-fit' && p.binding === 'vram-capacity'
    )
    expect(vram).toBeDefined()
    expect(workloadReason(vram!, 1)).toMatch(/needs [\d.]+ GiB of VRAM, [\d.]+ GiB available/)
  })

  it('describes advice by the workloads it unlocks and the scores before and after', () => {
    for (const a of report.advice) {
      const lines = adviceEffectLines(a, report).join('\n')
      expect(lines).not.toMatch(/does-not-fit|fits-tight|fits-comfortably/)
      if (a.unlocked.length > 0) expect(lines).toContain('more workload')
    }
  })

  it('turns engine tokens into words', () => {
    expect(
      plainEngineText(
        'needs about 262 GB of GPU memory (required ÷ 0.9) — binding: host-ram; fits-comfortably, score 40 → 100'
      )
    ).toBe('needs about 262 GB of GPU memory; held back by system RAM; fits, score 40 → 100')
    expect(plainEngineText('fits-tight, 14 tok/s, then bound by vram-capacity')).toBe(
      'fits (tight), 14 tok/s, then held back by VRAM capacity'
    )
  })
})
