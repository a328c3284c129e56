import { describe, expect, it } from 'vitest'
import {
  parseProbeLine,
  pythonCandidates,
  summarizeTorchDevice
} from '../../../../src-main/node/probe/gpu-torch'

describe('node/probe/gpu-torch', () => {
  it('reads protocol lines and ignores library noise', () => {
    expect(parseProbeLine('UserWarning: TF32 is disabled')).toBeNull()
    expect(
      parseProbeLine(
        '@rigready {"type":"sample","phase":"matmul","device":0,"t":1.02,"tflops":612.5}'
      )
    ).toEqual({ type: 'sample', phase: 'matmul', device: 0, t: 1.02, tflops: 612.5 })
    expect(parseProbeLine('@rigready {"type":"done"}')).toEqual({ type: 'done' })
  })

  it('flags malformed protocol lines instead of guessing', () => {
    expect(parseProbeLine('@rigready {not json')).toMatchObject({
      invalid: expect.stringMatching(/not JSON/)
    })
    expect(
      parseProbeLine('@rigready {"type":"sample","phase":"matmul","device":0,"t":-1}')
    ).toHaveProperty('invalid')
    expect(parseProbeLine('@rigready {"type":"teleport"}')).toHaveProperty('invalid')
  })

  it('tries RIGREADY_PYTHON first, then python3 and python', () => {
    expect(pythonCandidates({ RIGREADY_PYTHON: '/opt/venv/bin/python' }, 'linux')).toEqual([
      '/opt/venv/bin/python',
      'python3',
      'python'
    ])
    expect(pythonCandidates({}, 'win32')).toEqual(['python3', 'python', 'py'])
  })

  it('summarises one GPU against its spec row (sustained = median of the second half)', () => {
    const d = summarizeTorchDevice(
      {
        index: 0,
        name: 'NVIDIA H100 80GB HBM3',
        memoryTotalBytes: 80 * 2 ** 30,
        dtype: 'bfloat16',
        n: 8192,
        copyBytes: 2 ** 30,
        matmul: [750, 740, 700, 690, 680, 700].map((v, i) => ({ tSeconds: i + 1, value: v })),
        copy: [2500, 2900, 2950, 2920].map((v, i) => ({ tSeconds: i + 1, value: v }))
      },
      'bfloat16'
    )
    expect(d.matmul.tflopsPeak).toEqual({ status: 'ok', value: 750 })
    expect(d.matmul.tflopsSustained).toEqual({ status: 'ok', value: 690 })
    expect(d.matmul.specTflops.status).toBe('ok')
    expect(d.matmul.ratioToSpec.status).toBe('ok')
    // The first copy sample is warm-up.
    expect(d.copy.medianGBps).toEqual({ status: 'ok', value: 2920 })
    expect(d.copy.bestGBps).toEqual({ status: 'ok', value: 2950 })
    expect(d.copy.specGBps.status).toBe('ok')
  })

  it('says so when a GPU is not in the spec table or sent no samples', () => {
    const d = summarizeTorchDevice(
      {
        index: 1,
        name: 'Imaginary GPU 9000',
        memoryTotalBytes: null,
        dtype: 'bfloat16',
        n: 8192,
        copyBytes: 0,
        matmul: [],
        copy: []
      },
      'bfloat16'
    )
    expect(d.matmul.specTflops).toMatchObject({ status: 'unavailable', reason: 'unsupported' })
    expect(d.matmul.tflopsSustained).toMatchObject({ status: 'unavailable', reason: 'failed' })
    expect(d.copy.ratioToSpec.status).toBe('unavailable')
  })
})
