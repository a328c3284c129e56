import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import Ajv from 'ajv'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EstimateOutput, ModelsOutput } from '../../../../src-main/shared/cli-output'
import { runCli } from '../../../helpers/cli-io'
import {
  writeGptOss20bGguf,
  writeLlama8bGguf,
  writeQwen3MoeFolder,
  writeSafetensors
} from '../../../helpers/model-fixtures'

const repo = resolve(import.meta.dirname, '../../../..')
let dir: string
let env: NodeJS.ProcessEnv
// Machine flags keep these tests off the live engine: a described machine.
const RTX4090 = ['--gpu', 'RTX 4090', '--ram', '64', '--ram-bandwidth', '80']

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rr-models-'))
  env = { HOME: join(dir, 'home') }
  await mkdir(join(dir, 'lib', 'sub'), { recursive: true })
  await writeLlama8bGguf(join(dir, 'lib', 'Llama-3.1-8B-Q4_K_M.gguf'))
  await writeGptOss20bGguf(join(dir, 'lib', 'sub', 'gpt-oss-20b-mxfp4.gguf'))
  await writeQwen3MoeFolder(join(dir, 'lib', 'Qwen3-30B-A3B'))
  await writeFile(join(dir, 'lib', 'broken.gguf'), 'GGUF\x03\x00\x00\x00')
  // Fake HF cache and Ollama store under HOME.
  const hub = join(dir, 'home', '.cache', 'huggingface', 'hub', 'models--Qwen--Qwen3-30B-A3B')
  await mkdir(join(hub, 'refs'), { recursive: true })
  await writeFile(join(hub, 'refs', 'main'), 'abc123\n')
  await writeQwen3MoeFolder(join(hub, 'snapshots', 'abc123'))
  const om = join(dir, 'home', '.ollama', 'models')
  const digest = 'a'.repeat(64)
  await mkdir(join(om, 'manifests', 'registry.ollama.ai', 'library', 'gpt-oss'), {
    recursive: true
  })
  await mkdir(join(om, 'blobs'), { recursive: true })
  await writeGptOss20bGguf(join(om, 'blobs', `sha256-${digest}`))
  await writeFile(
    join(om, 'manifests', 'registry.ollama.ai', 'library', 'gpt-oss', '20b'),
    JSON.stringify({
      schemaVersion: 2,
      layers: [
        { mediaType: 'application/vnd.ollama.image.model', digest: `sha256:${digest}`, size: 1 }
      ]
    })
  )
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

async function schema(name: string): Promise<ReturnType<Ajv['compile']>> {
  const ajv = new Ajv({ allErrors: true, strict: false })
  return ajv.compile(JSON.parse(await readFile(resolve(repo, 'resources/schema', name), 'utf8')))
}

describe('rigready models', () => {
  it('lists every model in --dir and the stores with a verdict, best runnable first; names unreadable files', async () => {
    const r = await runCli(['models', '--dir', join(dir, 'lib'), ...RTX4090], { env })
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('Llama 3.1 8B Instruct')
    expect(r.stdout).toContain('gpt-oss-20b')
    expect(r.stdout).toContain('Qwen3-30B-A3B')
    expect(r.stdout).toContain('broken.gguf')
    expect(r.stdout).not.toMatch(/at .*\.ts:\d+/)
  })

  it('--json validates against models.v1 and carries MoE-aware numbers from the HF cache and the Ollama store', async () => {
    const r = await runCli(['models', '--dir', join(dir, 'lib'), ...RTX4090, '--json'], { env })
    expect(r.code).toBe(0)
    const out = JSON.parse(r.stdout) as ModelsOutput
    const validate = await schema('models.v1.schema.json')
    expect(validate(out), JSON.stringify(validate.errors)).toBe(true)
    const stores = new Set(out.models.map((m) => m.store))
    expect(stores.has('Hugging Face cache')).toBe(true)
    expect(stores.has('Ollama')).toBe(true)
    for (const m of out.models) expect(m.verdict).toMatch(/fits|does-not-fit|needs-gpu/)
    const ollama = out.models.find((m) => m.id === 'ollama:gpt-oss:20b')
    expect(ollama?.moe).toBe(true)
    // Runnable first, fastest first.
    const tps = out.models
      .filter((m) => m.verdict !== 'does-not-fit')
      .map((m) => (m.decodeTokensPerSec.status === 'ok' ? m.decodeTokensPerSec.value : 0))
    expect([...tps].sort((a, b) => b - a)).toEqual(tps)
    expect(out.problems.some((p) => p.path.endsWith('broken.gguf'))).toBe(true)
  })
})

describe('rigready estimate with models from disk', () => {
  it('estimate --gpu "RTX 4090" --model <gpt-oss-20b GGUF> --json: MoE-aware (reads active experts only)', async () => {
    const p = join(dir, 'lib', 'sub', 'gpt-oss-20b-mxfp4.gguf')
    const r = await runCli(
      ['estimate', '--gpu', 'RTX 4090', '--ram', '64', '--model', p, '--json'],
      { env }
    )
    expect(r.code, r.stderr).toBe(0)
    const out = JSON.parse(r.stdout) as EstimateOutput
    expect((await schema('estimate.v1.schema.json'))(out)).toBe(true)
    const e = out.evaluations[0]
    expect(e.verdict).toMatch(/fits/)
    expect(e.placement.kind).toBe('single-gpu')
    const tps = e.speed.decodeTokensPerSec.status === 'ok' ? e.speed.decodeTokensPerSec.value : 0
    // Dense math on 12 GB of weights would give < 80 tok/s; MoE reads ~2.6 GB per token.
    expect(tps).toBeGreaterThan(150)
  })

  it('estimate --gpu "M1 Max" --ram 64 --model <Qwen3-30B-A3B folder> --json: unified memory, MoE decode', async () => {
    const r = await runCli(
      [
        'estimate',
        '--gpu',
        'M1 Max',
        '--ram',
        '64',
        '--model',
        join(dir, 'lib', 'Qwen3-30B-A3B'),
        '--quant',
        'Q4_K_M',
        '--json'
      ],
      { env }
    )
    expect(r.code, r.stderr).toBe(0)
    const e = (JSON.parse(r.stdout) as EstimateOutput).evaluations[0]
    expect(e.placement.kind).toBe('unified')
    expect(e.verdict).toMatch(/fits/)
    const tps = e.speed.decodeTokensPerSec.status === 'ok' ? e.speed.decodeTokensPerSec.value : 0
    expect(tps).toBeGreaterThan(35)
  })

  it('resolves hf:ORG/NAME in the local cache and ollama:NAME:TAG through its manifest', async () => {
    const a = await runCli(['estimate', ...RTX4090, '--model', 'hf:Qwen/Qwen3-30B-A3B', '--json'], {
      env
    })
    expect(a.code, a.stderr).toBe(0)
    const b = await runCli(['estimate', ...RTX4090, '--model', 'ollama:gpt-oss:20b', '--json'], {
      env
    })
    expect(b.code, b.stderr).toBe(0)
    expect((JSON.parse(b.stdout) as EstimateOutput).evaluations[0].label).toContain('gpt-oss')
  })

  it.each([
    [['--model', 'hf:nobody/nothing'], /not in the Hugging Face cache/],
    [['--model', 'ollama:missing'], /not in the Ollama store/],
    [['--gpus', '2.5'], /--gpus must be a whole number/],
    [['--ram=-4'], /--ram must be a number of GiB/],
    [['--ram-type', 'DDR9-1'], /--ram-type must look like/],
    [['--quant', 'Q5_KS'], /did you mean: .*Q5_K_S/],
    [['--gpu', 'RTX 40'], /ambiguous: .*RTX 4090/],
    [['--gpu', 'Voodoo 5'], /unknown GPU "Voodoo 5"/],
    [['--tokens', '1000'], /--tokens applies to training/],
    [['--model', 'chat-8b-q4', '--context', '999999'], /above .* maximum of 131072/]
  ])('rejects %j with exit 2 and one clear line', async (args, re) => {
    const r = await runCli(['estimate', '--gpu', 'RTX 4090', '--ram', '64', ...args], { env })
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(re)
    expect(r.stderr).not.toMatch(/\n\s+at /)
  })

  it('reports a truncated safetensors shard and a corrupt config.json naming the file (exit 2)', async () => {
    const bad = join(dir, 'bad-hf')
    await mkdir(bad, { recursive: true })
    await writeFile(
      join(bad, 'config.json'),
      JSON.stringify({ num_hidden_layers: 2, hidden_size: 64, num_attention_heads: 2 })
    )
    await writeSafetensors(
      join(bad, 'model.safetensors'),
      [{ name: 'w', dtype: 'BF16', shape: [64, 64] }],
      { truncateBy: 100 }
    )
    const r = await runCli(['estimate', ...RTX4090, '--model', bad], { env })
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/model\.safetensors: truncated safetensors file/)
    await writeFile(join(bad, 'config.json'), '{ not json')
    const r2 = await runCli(['estimate', ...RTX4090, '--model', bad], { env })
    expect(r2.code).toBe(2)
    expect(r2.stderr).toMatch(/config\.json: not valid JSON/)
  })

  it('accepts --gpu rtx4090 (near miss spelling) and --gpu none', async () => {
    const a = await runCli(
      ['estimate', '--gpu', 'rtx4090', '--ram', '64', '--model', 'chat-8b-q4', '--json'],
      { env }
    )
    expect(a.code, a.stderr).toBe(0)
    expect((JSON.parse(a.stdout) as EstimateOutput).machine.gpus[0].name).toBe('GeForce RTX 4090')
    const b = await runCli(
      [
        'estimate',
        '--gpu',
        'none',
        '--ram',
        '32',
        '--ram-type',
        'DDR5-6000',
        '--model',
        'chat-8b-q4',
        '--json'
      ],
      { env }
    )
    expect(b.code, b.stderr).toBe(0)
    const out = JSON.parse(b.stdout) as EstimateOutput
    expect(out.machine.gpus).toHaveLength(0)
    expect(out.machine.ramBandwidthGBps).toEqual({ status: 'ok', value: 96 })
  })

  it('says "needs a GPU" for QLoRA on a CPU-only box, with no training time', async () => {
    const r = await runCli(
      [
        'estimate',
        '--gpu',
        'none',
        '--ram',
        '64',
        '--model',
        'chat-8b-q4',
        '--method',
        'qlora',
        '--json'
      ],
      { env }
    )
    expect(r.code, r.stderr).toBe(0)
    const e = (JSON.parse(r.stdout) as EstimateOutput).evaluations[0]
    expect(e.verdict).toBe('needs-gpu')
    expect(e.score).toEqual({ status: 'ok', value: 0 })
    expect(e.speed.trainHours.status).not.toBe('ok')
  })

  it('has --help for estimate, models and list', async () => {
    for (const c of ['estimate', 'models', 'list']) {
      const r = await runCli([c, '--help'], { env })
      expect(r.code).toBe(0)
      expect(r.stdout).toMatch(/Usage: rigready/)
    }
  })
})
