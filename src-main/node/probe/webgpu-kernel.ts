/**
 * The WebGPU GPU probe: a tiled fp32 matmul compute shader and a buffer-copy loop, for machines where no
 * PyTorch is available: Node's optional `webgpu` package (Dawn), loaded at run time when installed.
 *
 * `webGpuProbeMain` is self-contained (it uses only its arguments and globals) so the same code runs in
 * Node and, serialised, inside a browser page (`page.evaluate`; the tests run it on Chromium's SwiftShader
 * adapter, and a `serve` page can run it later). It first checks the kernel's arithmetic
 * on exactly representable inputs against a CPU reference it computes itself and refuses to time a kernel
 * that computes wrong results; `mode: 'matmul'` returns a product for callers that check it independently.
 * TFLOPS counts 2·n³ per n×n product; copy GB/s counts read + write bytes (2 × buffer size).
 *
 * Only the subset of the WebGPU API used here is typed (structurally), so nothing depends on DOM typings.
 */

/** The part of `navigator.gpu` the probe uses. */
export interface GpuLike {
  requestAdapter(options?: {
    powerPreference?: 'high-performance' | 'low-power'
  }): Promise<GpuAdapterLike | null>
}

/** The part of a GPUAdapter the probe uses. */
export interface GpuAdapterLike {
  info?: {
    vendor?: string
    architecture?: string
    description?: string
    isFallbackAdapter?: boolean
  }
  limits?: { maxStorageBufferBindingSize?: number; maxBufferSize?: number }
  requestDevice(): Promise<unknown>
}

/** Probe options. */
export interface WebGpuProbeOptions {
  /** `verify`: arithmetic check only; `run`: check, then timed loops; `matmul`: return one product. */
  mode: 'verify' | 'run' | 'matmul'
  /** Seconds of timed load (run mode), split 2:1 between matmul and copy. */
  seconds?: number
  /** Matmul size for timing (multiple of 16). Default 1024. */
  n?: number
  /** Bytes per copy buffer. Default 256 MiB, capped by the adapter's limits. */
  copyBytes?: number
  /** `matmul` mode: row-major n×n inputs. */
  a?: number[]
  b?: number[]
  /** Ends the timed loops early when it reads aborted (an AbortSignal; not serialisable into pages). */
  signal?: { readonly aborted: boolean }
  /** Called with each sample as it is taken (Node only). */
  onSample?: (kind: 'matmul' | 'copy', sample: WebGpuSample) => void
}

/** One rate sample (seconds from the loop's start). */
export interface WebGpuSample {
  tSeconds: number
  value: number
}

/** What the probe found. */
export type WebGpuProbeOutcome =
  | { kind: 'no-webgpu'; detail: string }
  | { kind: 'no-adapter'; detail: string }
  | { kind: 'wrong-results'; detail: string; maxAbsError: number; adapter: string }
  | {
      kind: 'ok'
      adapter: string
      fallbackAdapter: boolean
      verifyN: number
      maxAbsError: number
      matmulN: number
      matmulTflops: WebGpuSample[]
      copyBytes: number
      copyGBps: WebGpuSample[]
      product?: number[]
    }

/** Runs the probe on `gpu` (`navigator.gpu`, or the `webgpu` package's `create([])`). */
export async function webGpuProbeMain(
  gpu: GpuLike | undefined | null,
  options: WebGpuProbeOptions
): Promise<WebGpuProbeOutcome> {
  // Everything below is local: this function is serialised into pages.
  /* eslint-disable @typescript-eslint/no-explicit-any -- WebGPU objects are untyped here on purpose */
  if (!gpu || typeof gpu.requestAdapter !== 'function')
    return { kind: 'no-webgpu', detail: 'WebGPU is not available in this runtime' }
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' })
  if (!adapter) return { kind: 'no-adapter', detail: 'no WebGPU adapter (no supported GPU driver)' }
  const info = adapter.info ?? {}
  const adapterName =
    [info.vendor, info.architecture, info.description].filter((x) => x).join(' ') ||
    'WebGPU adapter'
  const device: any = await adapter.requestDevice()
  const STORAGE = 0x0080
  const COPY_SRC = 0x0004
  const COPY_DST = 0x0008
  const UNIFORM = 0x0040
  const MAP_READ = 0x0001
  const shader = `
struct Dims { n: u32 }
@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read_write> c: array<f32>;
@group(0) @binding(3) var<uniform> dims: Dims;
var<workgroup> ta: array<f32, 256>;
var<workgroup> tb: array<f32, 256>;
@compute @workgroup_size(16, 16)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let n = dims.n;
  let row = gid.y;
  let col = gid.x;
  var acc = 0.0;
  for (var t = 0u; t < n; t += 16u) {
    ta[lid.y * 16u + lid.x] = a[row * n + t + lid.x];
    tb[lid.y * 16u + lid.x] = b[(t + lid.y) * n + col];
    workgroupBarrier();
    for (var k = 0u; k < 16u; k++) {
      acc += ta[lid.y * 16u + k] * tb[k * 16u + lid.x];
    }
    workgroupBarrier();
  }
  c[row * n + col] = acc;
}`
  const module = device.createShaderModule({ code: shader })
  const pipeline = device.createComputePipeline({
    layout: 'auto',
    compute: { module, entryPoint: 'main' }
  })
  const makeMatmul = (n: number, a: Float32Array, b: Float32Array) => {
    const bytes = n * n * 4
    const ba = device.createBuffer({ size: bytes, usage: STORAGE | COPY_DST })
    const bb = device.createBuffer({ size: bytes, usage: STORAGE | COPY_DST })
    const bc = device.createBuffer({ size: bytes, usage: STORAGE | COPY_SRC })
    const bu = device.createBuffer({ size: 16, usage: UNIFORM | COPY_DST })
    device.queue.writeBuffer(ba, 0, a)
    device.queue.writeBuffer(bb, 0, b)
    device.queue.writeBuffer(bu, 0, new Uint32Array([n, 0, 0, 0]))
    const bind = device.createBindGroup({
      layout: pipeline.getBindGroupLayout(0),
      entries: [
        { binding: 0, resource: { buffer: ba } },
        { binding: 1, resource: { buffer: bb } },
        { binding: 2, resource: { buffer: bc } },
        { binding: 3, resource: { buffer: bu } }
      ]
    })
    const encode = (times: number) => {
      const enc = device.createCommandEncoder()
      for (let i = 0; i < times; i++) {
        const pass = enc.beginComputePass()
        pass.setPipeline(pipeline)
        pass.setBindGroup(0, bind)
        pass.dispatchWorkgroups(n / 16, n / 16)
        pass.end()
      }
      return enc
    }
    const read = async (): Promise<Float32Array> => {
      const staging = device.createBuffer({ size: bytes, usage: MAP_READ | COPY_DST })
      const enc = encode(1)
      enc.copyBufferToBuffer(bc, 0, staging, 0, bytes)
      device.queue.submit([enc.finish()])
      await staging.mapAsync(MAP_READ)
      const out = new Float32Array(staging.getMappedRange().slice(0))
      staging.unmap()
      staging.destroy()
      return out
    }
    const destroy = () => {
      for (const x of [ba, bb, bc, bu]) x.destroy()
    }
    return { encode, read, destroy }
  }
  try {
    if (options.mode === 'matmul') {
      const a = options.a ?? []
      const n = Math.round(Math.sqrt(a.length))
      const mm = makeMatmul(n, new Float32Array(a), new Float32Array(options.b ?? []))
      const product = Array.from(await mm.read())
      mm.destroy()
      return {
        kind: 'ok',
        adapter: adapterName,
        fallbackAdapter: info.isFallbackAdapter === true,
        verifyN: 0,
        maxAbsError: 0,
        matmulN: n,
        matmulTflops: [],
        copyBytes: 0,
        copyGBps: [],
        product
      }
    }
    // Arithmetic check: inputs are small multiples of 1/8 and 1/4, so every product and partial sum is exact
    // in fp32 and the reference must match to rounding noise.
    const vn = 64
    const va = new Float32Array(vn * vn)
    const vb = new Float32Array(vn * vn)
    for (let i = 0; i < vn * vn; i++) {
      va[i] = (((i * 7) % 13) - 6) / 8
      vb[i] = (((i * 5) % 11) - 5) / 4
    }
    const vm = makeMatmul(vn, va, vb)
    const got = await vm.read()
    vm.destroy()
    let maxAbsError = 0
    for (let r = 0; r < vn; r++)
      for (let c = 0; c < vn; c++) {
        let want = 0
        for (let k = 0; k < vn; k++) want += va[r * vn + k] * vb[k * vn + c]
        maxAbsError = Math.max(maxAbsError, Math.abs(got[r * vn + c] - want))
      }
    if (!(maxAbsError <= 1e-3))
      return {
        kind: 'wrong-results',
        detail: `the matmul kernel differs from the CPU reference by ${maxAbsError}`,
        maxAbsError,
        adapter: adapterName
      }
    const base = {
      kind: 'ok' as const,
      adapter: adapterName,
      fallbackAdapter: info.isFallbackAdapter === true,
      verifyN: vn,
      maxAbsError
    }
    if (options.mode === 'verify')
      return { ...base, matmulN: 0, matmulTflops: [], copyBytes: 0, copyGBps: [] }
    const seconds = options.seconds ?? 30
    const now = () => performance.now()
    // Matmul loop: batches sized to about 0.1 s, one sample per second.
    const n = options.n ?? 1024
    const ma = new Float32Array(n * n).fill(0.5)
    const mm = makeMatmul(n, ma, ma)
    const matmulTflops: WebGpuSample[] = []
    const loop = async (
      budgetS: number,
      run: (times: number) => void,
      unitsPerRun: number,
      scale: number,
      out: WebGpuSample[]
    ) => {
      const start = now()
      let last = start
      let done = 0
      let batch = 1
      while (now() - start < budgetS * 1000 && !options.signal?.aborted) {
        const t0 = now()
        run(batch)
        await device.queue.onSubmittedWorkDone()
        const t1 = now()
        done += batch
        if (t1 - t0 < 50) batch = Math.min(batch * 2, 4096)
        else if (t1 - t0 > 250 && batch > 1) batch = Math.floor(batch / 2)
        if (t1 - last >= 1000) {
          const sample = {
            tSeconds: (t1 - start) / 1000,
            value: (done * unitsPerRun) / ((t1 - last) / 1000) / scale
          }
          out.push(sample)
          options.onSample?.(out === matmulTflops ? 'matmul' : 'copy', sample)
          last = t1
          done = 0
        }
      }
      if (out.length === 0 && done > 0)
        out.push({
          tSeconds: (now() - start) / 1000,
          value: (done * unitsPerRun) / ((now() - last) / 1000) / scale
        })
    }
    await loop(
      (seconds * 2) / 3,
      (t) => device.queue.submit([mm.encode(t).finish()]),
      2 * n * n * n,
      1e12,
      matmulTflops
    )
    mm.destroy()
    const limit = Math.min(adapter.limits?.maxBufferSize ?? 256 * 2 ** 20, 1024 * 2 ** 20)
    const copyBytes = Math.max(
      4,
      Math.floor(Math.min(options.copyBytes ?? 256 * 2 ** 20, limit) / 4) * 4
    )
    const src = device.createBuffer({ size: copyBytes, usage: COPY_SRC | COPY_DST })
    const dst = device.createBuffer({ size: copyBytes, usage: COPY_SRC | COPY_DST })
    const copyGBps: WebGpuSample[] = []
    await loop(
      seconds / 3,
      (t) => {
        const enc = device.createCommandEncoder()
        for (let i = 0; i < t; i++) enc.copyBufferToBuffer(src, 0, dst, 0, copyBytes)
        device.queue.submit([enc.finish()])
      },
      2 * copyBytes,
      1e9,
      copyGBps
    )
    src.destroy()
    dst.destroy()
    return { ...base, matmulN: n, matmulTflops, copyBytes, copyGBps }
  } finally {
    device.destroy?.()
  }
  /* eslint-enable @typescript-eslint/no-explicit-any */
}
