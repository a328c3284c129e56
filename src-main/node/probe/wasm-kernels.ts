/**
 * The probe's CPU and memory kernels as a WebAssembly module with 128-bit SIMD, assembled here from
 * opcodes (no toolchain, no binary blob in the tree).
 *
 * Exports, all over one imported shared memory `env.mem` (byte offsets, lengths multiples of 64):
 * - `read(start, end) → f64`: sums f64 lanes with four independent accumulators (STREAM-style read).
 * - `write(start, end)`: stores a constant (write-only bandwidth).
 * - `copy(src, dst, bytes)`: dst[i] = src[i] (STREAM Copy).
 * - `triad(a, b, c, bytes, q)`: a[i] = b[i] + q·c[i] (STREAM Triad).
 * - `flops(iterations) → f64`: 8 independent chains x = x·m + k on f64x2, i.e. 32 FLOP per iteration.
 *
 * Encodings follow the WebAssembly core binary format and the SIMD proposal's final opcode table
 * (`v128.load` 0xfd 0x00, `v128.store` 0xfd 0x0b, `f64x2.splat` 0xfd 0x14, `f64x2.extract_lane` 0xfd 0x21,
 * `f64x2.add` 0xfd 0xf0, `f64x2.mul` 0xfd 0xf2).
 */

/** A wasm module (opaque). */
export type WasmModule = object

/** A shared wasm memory. */
export interface WasmMemory {
  readonly buffer: SharedArrayBuffer
}

/** The WebAssembly API subset the probe uses (Node provides it; the ES lib configured here has no typings). */
export interface WasmApi {
  Module: new (bytes: Uint8Array) => WasmModule
  Memory: new (descriptor: { initial: number; maximum: number; shared: boolean }) => WasmMemory
  Instance: new (module: WasmModule, imports: object) => { exports: unknown }
  validate(bytes: Uint8Array): boolean
}

/** The runtime's WebAssembly object. */
export const wasm: WasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly

/** FLOP per iteration of `flops`: 8 chains × 2 lanes × (1 mul + 1 add). */
export const FLOPS_PER_ITERATION = 32

/** Bytes every kernel length must be a multiple of (the unrolled loop step). */
export const KERNEL_STEP_BYTES = 64

/** WebAssembly page size (bytes). */
export const WASM_PAGE_BYTES = 65_536

/** Largest memory a wasm32 module can address: 65 536 pages (4 GiB). */
export const WASM_MAX_PAGES = 65_536

const I32 = 0x7f
const F64 = 0x7c
const V128 = 0x7b

const OP = {
  block: 0x02,
  loop: 0x03,
  br: 0x0c,
  brIf: 0x0d,
  end: 0x0b,
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  i32Const: 0x41,
  f64Const: 0x44,
  i32Eqz: 0x45,
  i32GeU: 0x4f,
  i32Add: 0x6a,
  i32Sub: 0x6b,
  f64Add: 0xa0
} as const

const SIMD = {
  load: 0x00,
  store: 0x0b,
  f64x2Splat: 0x14,
  f64x2ExtractLane: 0x21,
  f64x2Add: 0xf0,
  f64x2Mul: 0xf2
} as const

/** Unsigned LEB128. */
export function uleb(n: number): number[] {
  const out: number[] = []
  let v = n >>> 0
  do {
    let b = v & 0x7f
    v >>>= 7
    if (v !== 0) b |= 0x80
    out.push(b)
  } while (v !== 0)
  return out
}

/** Signed LEB128 (32-bit). */
export function sleb(n: number): number[] {
  const out: number[] = []
  let v = n | 0
  for (;;) {
    const b = v & 0x7f
    v >>= 7
    if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) {
      out.push(b)
      return out
    }
    out.push(b | 0x80)
  }
}

const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()]
const name = (text: string): number[] => {
  const bytes = [...new TextEncoder().encode(text)]
  return [...uleb(bytes.length), ...bytes]
}
const section = (id: number, bytes: number[]): number[] => [id, ...uleb(bytes.length), ...bytes]
const get = (i: number): number[] => [OP.localGet, ...uleb(i)]
const set = (i: number): number[] => [OP.localSet, ...uleb(i)]
const tee = (i: number): number[] => [OP.localTee, ...uleb(i)]
const i32 = (v: number): number[] => [OP.i32Const, ...sleb(v)]
const f64 = (v: number): number[] => [OP.f64Const, ...new Uint8Array(new Float64Array([v]).buffer)]
const simd = (op: number, ...imm: number[]): number[] => [0xfd, ...uleb(op), ...imm]
// memarg: alignment 2^4 (16 bytes), then the static offset.
const memarg = (offset: number): number[] => [4, ...uleb(offset)]
const load = (offset: number): number[] => simd(SIMD.load, ...memarg(offset))
const store = (offset: number): number[] => simd(SIMD.store, ...memarg(offset))
const vadd = simd(SIMD.f64x2Add)
const vmul = simd(SIMD.f64x2Mul)
/** `block loop (if cond break) body continue end end`: `exit` pushes an i32 that ends the loop when true. */
const loop = (exit: number[], body: number[]): number[] => [
  OP.block,
  0x40,
  OP.loop,
  0x40,
  ...exit,
  OP.brIf,
  1,
  ...body,
  OP.br,
  0,
  OP.end,
  OP.end
]
const locals = (groups: [number, number][]): number[] => vec(groups.map(([n, t]) => [n, t]))
const sumLanes = (local: number): number[] => [
  ...tee(local),
  ...simd(SIMD.f64x2ExtractLane, 0),
  ...get(local),
  ...simd(SIMD.f64x2ExtractLane, 1),
  OP.f64Add
]

// read(start i32, end i32) -> f64; locals 2..5: four v128 accumulators.
function readBody(): number[] {
  const step: number[] = []
  for (let k = 0; k < 4; k++)
    step.push(...get(2 + k), ...get(0), ...load(16 * k), ...vadd, ...set(2 + k))
  step.push(...get(0), ...i32(KERNEL_STEP_BYTES), OP.i32Add, ...set(0))
  return [
    ...locals([[4, V128]]),
    ...loop([...get(0), ...get(1), OP.i32GeU], step),
    ...get(2),
    ...get(3),
    ...vadd,
    ...get(4),
    ...get(5),
    ...vadd,
    ...vadd,
    ...sumLanes(2),
    OP.end
  ]
}

// write(start i32, end i32); local 2: the v128 constant.
function writeBody(): number[] {
  const step: number[] = []
  for (let k = 0; k < 4; k++) step.push(...get(0), ...get(2), ...store(16 * k))
  step.push(...get(0), ...i32(KERNEL_STEP_BYTES), OP.i32Add, ...set(0))
  return [
    ...locals([[1, V128]]),
    ...f64(1.5),
    ...simd(SIMD.f64x2Splat),
    ...set(2),
    ...loop([...get(0), ...get(1), OP.i32GeU], step),
    OP.end
  ]
}

// copy(src i32, dst i32, bytes i32); local 3: byte index.
function copyBody(): number[] {
  const step: number[] = []
  for (let k = 0; k < 4; k++)
    step.push(
      ...get(1),
      ...get(3),
      OP.i32Add,
      ...get(0),
      ...get(3),
      OP.i32Add,
      ...load(16 * k),
      ...store(16 * k)
    )
  step.push(...get(3), ...i32(KERNEL_STEP_BYTES), OP.i32Add, ...set(3))
  return [...locals([[1, I32]]), ...loop([...get(3), ...get(2), OP.i32GeU], step), OP.end]
}

// triad(a i32, b i32, c i32, bytes i32, q f64); local 5: byte index, local 6: q splat.
function triadBody(): number[] {
  const step: number[] = []
  for (let k = 0; k < 4; k++)
    step.push(
      ...get(0),
      ...get(5),
      OP.i32Add,
      ...get(1),
      ...get(5),
      OP.i32Add,
      ...load(16 * k),
      ...get(6),
      ...get(2),
      ...get(5),
      OP.i32Add,
      ...load(16 * k),
      ...vmul,
      ...vadd,
      ...store(16 * k)
    )
  step.push(...get(5), ...i32(KERNEL_STEP_BYTES), OP.i32Add, ...set(5))
  return [
    ...locals([
      [1, I32],
      [1, V128]
    ]),
    ...get(4),
    ...simd(SIMD.f64x2Splat),
    ...set(6),
    ...loop([...get(5), ...get(3), OP.i32GeU], step),
    OP.end
  ]
}

// flops(iterations i32) -> f64; locals 1..8 accumulators, 9 multiplier, 10 addend.
function flopsBody(): number[] {
  const chains = 8
  const out: number[] = [...locals([[chains + 2, V128]])]
  // x → x·m + k converges to k / (1 − m): values stay normal (no denormals, no overflow) for any count.
  out.push(...f64(0.9999999), ...simd(SIMD.f64x2Splat), ...set(9))
  out.push(...f64(1e-7), ...simd(SIMD.f64x2Splat), ...set(10))
  for (let k = 1; k <= chains; k++) out.push(...f64(k * 0.1), ...simd(SIMD.f64x2Splat), ...set(k))
  const step: number[] = []
  for (let k = 1; k <= chains; k++)
    step.push(...get(k), ...get(9), ...vmul, ...get(10), ...vadd, ...set(k))
  step.push(...get(0), ...i32(1), OP.i32Sub, ...set(0))
  out.push(...loop([...get(0), OP.i32Eqz], step))
  out.push(...get(1))
  for (let k = 2; k <= chains; k++) out.push(...get(k), ...vadd)
  out.push(...sumLanes(1), OP.end)
  return out
}

const body = (b: number[]): number[] => [...uleb(b.length), ...b]

/**
 * The kernel module's bytes; it imports `env.mem`, a shared memory of 1 to 65 536 pages.
 *
 * Validate with `WebAssembly.validate` before use: engines without SIMD reject it (see `wasmSimdAvailable`).
 */
export function buildKernelModule(): Uint8Array {
  const fn = (params: number[], results: number[]): number[] => [
    0x60,
    ...vec(params.map((p) => [p])),
    ...vec(results.map((r) => [r]))
  ]
  const types = vec([
    fn([I32, I32], [F64]),
    fn([I32, I32], []),
    fn([I32, I32, I32], []),
    fn([I32, I32, I32, I32, F64], []),
    fn([I32], [F64])
  ])
  // Memory import: limits flag 0x03 = shared with a maximum.
  const imports = vec([
    [...name('env'), ...name('mem'), 0x02, 0x03, ...uleb(1), ...uleb(WASM_MAX_PAGES)]
  ])
  const functions = vec([[0], [1], [2], [3], [4]])
  const exports = vec([
    [...name('read'), 0x00, 0],
    [...name('write'), 0x00, 1],
    [...name('copy'), 0x00, 2],
    [...name('triad'), 0x00, 3],
    [...name('flops'), 0x00, 4]
  ])
  const code = vec([
    body(readBody()),
    body(writeBody()),
    body(copyBody()),
    body(triadBody()),
    body(flopsBody())
  ])
  return new Uint8Array([
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...section(1, types),
    ...section(2, imports),
    ...section(3, functions),
    ...section(7, exports),
    ...section(10, code)
  ])
}

/** The exports of an instantiated kernel module. */
export interface KernelExports {
  read(start: number, end: number): number
  write(start: number, end: number): void
  copy(src: number, dst: number, bytes: number): void
  triad(a: number, b: number, c: number, bytes: number, q: number): void
  flops(iterations: number): number
}

/** True when this engine validates the SIMD kernel module and allows shared memories. */
export function wasmSimdAvailable(bytes: Uint8Array = buildKernelModule()): boolean {
  try {
    if (typeof SharedArrayBuffer === 'undefined') return false
    return wasm.validate(bytes)
  } catch {
    return false
  }
}
