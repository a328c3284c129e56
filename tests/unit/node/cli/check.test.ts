import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import Ajv from 'ajv'
import { describe, expect, it } from 'vitest'
import { runCli } from '../../../helpers/cli-io'

const repo = resolve(import.meta.dirname, '../../../..')
const SESSION = resolve(repo, 'tests/fixtures/sessions/rtx4090-training-run.jsonl')

async function schema(name: string) {
  const ajv = new Ajv({ allErrors: true, strict: false })
  return ajv.compile(JSON.parse(await readFile(resolve(repo, 'resources/schema', name), 'utf8')))
}

describe('rigready check on this machine', () => {
  it('scores CPU-only inference after --sample 1 and says why the GPU is absent', async () => {
    const r = await runCli(['check', '--sample', '1'], {
      env: { ...process.env, PATH: '/nonexistent-bin-dir' }
    })
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/\(no GPU\)/)
    const inference = /Inference score:\s+(\d+)/.exec(r.stdout)
    expect(Number(inference?.[1])).toBeGreaterThan(0)
    // Workload rows carry the label and a status that weighs verdict and score (as the UI does).
    expect(r.stdout).toMatch(
      /Chat with Llama 3\.2 1B[^\n]*\s(fits|fits \(tight\)|too slow|score low)\s/
    )
    expect(r.stdout).toMatch(/gpu-nvidia: tool not installed: nvidia-smi not found/)
  })

  it('--json validates against the report schema and carries a CPU-only inference score', async () => {
    const r = await runCli(['check', '--sample', '0.5', '--json'])
    expect(r.code).toBe(0)
    const doc = JSON.parse(r.stdout)
    const validate = await schema('report.v1.schema.json')
    expect(validate(doc), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true)
    expect(doc.machine.gpus).toEqual([])
    expect(doc.inference.score.status).toBe('ok')
    expect(doc.inference.score.value).toBeGreaterThan(0)
    expect(
      doc.profiles.some(
        (p: { placement: { kind: string }; verdict: string }) =>
          p.placement.kind === 'cpu-only' && p.verdict !== 'does-not-fit'
      )
    ).toBe(true)
  })

  it('--fail-under exits 3 when a score is below the threshold', async () => {
    const r = await runCli(['check', '--sample', '0.3', '--fail-under', '99'])
    expect(r.code).toBe(3)
    expect(r.stderr).toMatch(/below --fail-under/)
  })

  it('rejects an unknown profile id with the near misses ("did you mean"), not the whole list', async () => {
    const r = await runCli(['check', '--sample', '0.3', '--profile', 'serve-70b-q5'])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/unknown profile "serve-70b-q5"; did you mean: .*serve-70b-q4/)
    expect(r.stderr).not.toMatch(/resnet50/)
  })
})

describe('rigready check on a replayed GPU session', () => {
  it('reports both scores, the throttling in it and ranked advice', async () => {
    const r = await runCli(['check', '--replay', SESSION, '--json'])
    expect(r.stderr).toBe('')
    const doc = JSON.parse(r.stdout)
    expect(doc.machine.gpus[0].name).toMatch(/RTX 4090/)
    expect(doc.training.score.status).toBe('ok')
    expect(doc.inference.score.status).toBe('ok')
    const causes = new Set(doc.throttling.events.map((e: { cause: string }) => e.cause))
    expect(causes.has('thermal')).toBe(true)
    expect(causes.has('power')).toBe(true)
    expect(causes.has('hw-slowdown')).toBe(false)
    expect(doc.advice.length).toBeGreaterThan(0)
    // Free fixes first, then purchases (by value when priced).
    const free = doc.advice.map((a: { free: boolean }) => a.free)
    expect(free).toEqual([...free].sort((a: boolean, b: boolean) => Number(b) - Number(a)))
    expect(doc.advice.some((a: { kind: string }) => a.kind === 'cooling')).toBe(true)
  })

  it('--fail-under counts only scores that apply to the selected profiles', async () => {
    // Only an inference profile is selected: the training score does not apply and cannot fail the check.
    const args = ['check', '--replay', SESSION, '--profile', 'chat-8b-q4']
    const json = await runCli([...args, '--json'])
    const doc = JSON.parse(json.stdout)
    expect(doc.training.score).toMatchObject({ status: 'unavailable', reason: 'not-applicable' })
    expect(doc.inference.score.status).toBe('ok')
    const pass = await runCli([...args, '--fail-under', '1'])
    expect(pass.stderr).toBe('')
    expect(pass.code).toBe(0)
    const fail = await runCli([...args, '--fail-under', '100'])
    expect(fail.code).toBe(3)
    expect(fail.stderr).toMatch(/below --fail-under: inference \d+ < 100$/m)
  })

  it('--markdown renders GitHub tables', async () => {
    const r = await runCli(['check', '--replay', SESSION, '--markdown'])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^\|.*\|\s*$/m)
    expect(r.stdout).toMatch(/^\|\s*:?-{3,}:?\s*\|/m)
  })
})

describe('rigready estimate', () => {
  it('evaluates a described machine and an ad-hoc workload as JSON', async () => {
    const r = await runCli([
      'estimate',
      '--gpu',
      'RTX 4090',
      '--gpus',
      '2',
      '--ram',
      '64',
      '--storage',
      'nvme',
      '--model',
      'llama-3.1-70b',
      '--quant',
      'Q4_K_M',
      '--context',
      '8192',
      '--method',
      'inference',
      '--json'
    ])
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    const doc = JSON.parse(r.stdout)
    const validate = await schema('estimate.v1.schema.json')
    expect(validate(doc), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true)
    expect(doc.machine.gpus).toHaveLength(2)
    const e = doc.evaluations[0]
    expect(e.weightFormat).toBe('Q4_K_M')
    expect(e.memory.terms.map((t: { name: string }) => t.name)).toEqual(
      expect.arrayContaining(['weights', 'kv-cache'])
    )
    expect(e.speed.decodeTokensPerSec.status).toBe('ok')
    expect(e.verdict).not.toBe('does-not-fit')
    expect(typeof e.binding).toBe('string')
  })

  it('gives training hours with --tokens for full, lora and qlora', async () => {
    for (const method of ['full', 'lora', 'qlora']) {
      const r = await runCli([
        'estimate',
        '--gpu',
        'H100 SXM5 80GB',
        '--gpus',
        '8',
        '--ram',
        '1024',
        '--model',
        'llama-3.1-8b',
        '--method',
        method,
        '--tokens',
        '1000000000',
        '--json'
      ])
      expect(r.code, r.stderr).toBe(0)
      const e = JSON.parse(r.stdout).evaluations[0]
      expect(e.speed.trainHours.status).toBe('ok')
      expect(e.speed.trainHours.value).toBeGreaterThan(0)
    }
  })

  it('names close matches for an unknown GPU', async () => {
    const r = await runCli(['estimate', '--gpu', 'RTX 4095', '--model', 'llama-3.1-8b'])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/4090|4080/)
  })
})
