import { describe, expect, it } from 'vitest'
import {
  buildKernelModule,
  FLOPS_PER_ITERATION,
  sleb,
  uleb,
  wasm,
  wasmSimdAvailable,
  type KernelExports
} from '../../../../src-main/node/probe/wasm-kernels'

function instantiate(bytes: number): { k: KernelExports; f64: Float64Array } {
  const pages = Math.ceil(bytes / 65536)
  const memory = new wasm.Memory({ initial: pages, maximum: pages, shared: true })
  const instance = new wasm.Instance(new wasm.Module(buildKernelModule()), { env: { mem: memory } })
  return { k: instance.exports as KernelExports, f64: new Float64Array(memory.buffer) }
}

describe('node/probe/wasm-kernels', () => {
  it('encodes LEB128 as the WebAssembly binary format does', () => {
    expect(uleb(0)).toEqual([0])
    expect(uleb(127)).toEqual([0x7f])
    expect(uleb(128)).toEqual([0x80, 0x01])
    expect(uleb(65536)).toEqual([0x80, 0x80, 0x04])
    expect(sleb(64)).toEqual([0xc0, 0x00])
    expect(sleb(-1)).toEqual([0x7f])
    expect(sleb(-129)).toEqual([0xff, 0x7e])
  })

  it('builds a module this engine validates', () => {
    expect(wasmSimdAvailable()).toBe(true)
  })

  it('read sums every f64 of the range', () => {
    const { k, f64 } = instantiate(65536)
    for (let i = 0; i < 1024; i++) f64[i] = i * 0.5
    // 1024 doubles = 8192 bytes, a multiple of the 64-byte step.
    expect(k.read(0, 8192)).toBe(0.5 * ((1023 * 1024) / 2))
    expect(k.read(64, 128)).toBe(0.5 * (8 + 9 + 10 + 11 + 12 + 13 + 14 + 15))
  })

  it('write, copy and triad compute what STREAM defines', () => {
    const { k, f64 } = instantiate(65536)
    const n = 512 // doubles per array
    const A = 0
    const B = n * 8
    const C = 2 * n * 8
    for (let i = 0; i < n; i++) {
      f64[i] = i
      f64[n + i] = 2 * i + 1
      f64[2 * n + i] = -1
    }
    k.copy(A, C, n * 8)
    for (let i = 0; i < n; i++) expect(f64[2 * n + i]).toBe(i)
    k.triad(A, B, C, n * 8, 0.5)
    for (let i = 0; i < n; i++) expect(f64[i]).toBe(2 * i + 1 + 0.5 * i)
    k.write(B, B + n * 8)
    for (let i = 0; i < n; i++) expect(f64[n + i]).toBe(1.5)
    // Nothing past the range is touched.
    f64[3 * n] = 42
    k.write(B, B + n * 8)
    expect(f64[3 * n]).toBe(42)
  })

  it('flops runs 8 chains of x = x·m + k, the count it claims', () => {
    const { k } = instantiate(65536)
    const iterations = 1000
    const m = 0.9999999
    const c = 1e-7
    let want = 0
    for (let chain = 1; chain <= 8; chain++) {
      let x = chain * 0.1
      for (let i = 0; i < iterations; i++) x = x * m + c
      want += 2 * x // two lanes per chain
    }
    expect(k.flops(iterations)).toBeCloseTo(want, 12)
    expect(FLOPS_PER_ITERATION).toBe(8 * 2 * 2)
  })
})
