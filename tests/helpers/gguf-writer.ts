/**
 * Writes real GGUF v3 files for tests: header, metadata, tensor table, alignment padding, and a data region
 * that is sparse (the file is extended with ftruncate, so a 12 GB model costs no disk).
 *
 * Layout per the GGUF spec (ggml-org/ggml docs/gguf.md): magic "GGUF", u32 version, u64 tensor count,
 * u64 KV count, KV pairs (u64-length string key, u32 type, value), tensor infos (name, u32 n_dims, u64 dims,
 * u32 ggml type, u64 offset), padding to `general.alignment` (32), then tensor data.
 */
import { open } from 'node:fs/promises'
import { GGML_TYPES, ggmlTensorBytes } from '../../src-main/core/quant-types'

/** A metadata value: numbers are u32 unless given as { f32 } / { u64 }; arrays of strings or numbers. */
export type GgufValue =
  string | number | boolean | { f32: number } | { u64: number } | string[] | number[]

/** One tensor to list: ggml type name and shape (innermost dimension first, as in GGUF). */
export interface GgufTensorSpec {
  name: string
  type: string
  shape: number[]
}

const ALIGN = 32

class Buf {
  parts: Buffer[] = []
  u32(v: number): void {
    const b = Buffer.alloc(4)
    b.writeUInt32LE(v)
    this.parts.push(b)
  }
  u64(v: number | bigint): void {
    const b = Buffer.alloc(8)
    b.writeBigUInt64LE(BigInt(v))
    this.parts.push(b)
  }
  str(s: string): void {
    const b = Buffer.from(s, 'utf8')
    this.u64(b.length)
    this.parts.push(b)
  }
  value(v: GgufValue): void {
    if (typeof v === 'string') {
      this.u32(8)
      this.str(v)
    } else if (typeof v === 'boolean') {
      this.u32(7)
      this.parts.push(Buffer.from([v ? 1 : 0]))
    } else if (typeof v === 'number') {
      this.u32(4)
      this.u32(v)
    } else if (Array.isArray(v)) {
      this.u32(9)
      if (v.length > 0 && typeof v[0] === 'string') {
        this.u32(8)
        this.u64(v.length)
        for (const s of v as string[]) this.str(s)
      } else {
        this.u32(4)
        this.u64(v.length)
        for (const n of v as number[]) this.u32(n)
      }
    } else if ('f32' in v) {
      this.u32(6)
      const b = Buffer.alloc(4)
      b.writeFloatLE(v.f32)
      this.parts.push(b)
    } else {
      this.u32(10)
      this.u64(v.u64)
    }
  }
  get length(): number {
    return this.parts.reduce((s, p) => s + p.length, 0)
  }
}

/** Result: where the data starts and how many tensor bytes the table lists. */
export interface WrittenGguf {
  path: string
  dataOffset: number
  tensorBytes: number
}

/**
 * Writes a GGUF file. `truncateDataTo` (bytes of tensor data) makes a truncated file; `headerOnlyBytes`
 * cuts the file inside the header.
 */
export async function writeGguf(
  path: string,
  meta: Record<string, GgufValue>,
  tensors: GgufTensorSpec[],
  opts: { truncateDataTo?: number; headerOnlyBytes?: number } = {}
): Promise<WrittenGguf> {
  const b = new Buf()
  b.parts.push(Buffer.from('GGUF', 'ascii'))
  b.u32(3)
  b.u64(tensors.length)
  b.u64(Object.keys(meta).length)
  for (const [k, v] of Object.entries(meta)) {
    b.str(k)
    b.value(v)
  }
  let offset = 0
  for (const t of tensors) {
    const type = GGML_TYPES.find((x) => x.name === t.type)
    if (!type) throw new Error(`unknown ggml type ${t.type}`)
    const bytes = ggmlTensorBytes(type, t.shape)
    if (bytes === null) throw new Error(`${t.name}: shape not a multiple of the block size`)
    b.str(t.name)
    b.u32(t.shape.length)
    for (const d of t.shape) b.u64(d)
    b.u32(type.id)
    b.u64(offset)
    offset += Math.ceil(bytes / ALIGN) * ALIGN
  }
  const headerLen = b.length
  const dataOffset = Math.ceil(headerLen / ALIGN) * ALIGN
  b.parts.push(Buffer.alloc(dataOffset - headerLen))
  const header = Buffer.concat(b.parts)
  const fh = await open(path, 'w')
  try {
    if (opts.headerOnlyBytes !== undefined) {
      await fh.write(header.subarray(0, opts.headerOnlyBytes), 0, undefined, 0)
    } else {
      await fh.write(header, 0, header.length, 0)
      await fh.truncate(dataOffset + (opts.truncateDataTo ?? offset))
    }
  } finally {
    await fh.close()
  }
  let tensorBytes = 0
  for (const t of tensors) {
    const type = GGML_TYPES.find((x) => x.name === t.type)!
    tensorBytes += ggmlTensorBytes(type, t.shape)!
  }
  return { path, dataOffset, tensorBytes }
}

/** Tensors of a llama-style block stack (attention + FFN, or routed experts when `experts` is set). */
export function transformerTensors(o: {
  layers: number
  hidden: number
  heads: number
  kvHeads: number
  headDim: number
  ffn: number
  vocab: number
  types: { attn: string; ffn: string; embd: string; output?: string; norm?: string }
  experts?: number
  expertFfn?: number
  tied?: boolean
}): GgufTensorSpec[] {
  const t: GgufTensorSpec[] = []
  const norm = o.types.norm ?? 'F32'
  t.push({ name: 'token_embd.weight', type: o.types.embd, shape: [o.hidden, o.vocab] })
  for (let i = 0; i < o.layers; i++) {
    const p = `blk.${i}.`
    t.push({ name: `${p}attn_norm.weight`, type: norm, shape: [o.hidden] })
    t.push({
      name: `${p}attn_q.weight`,
      type: o.types.attn,
      shape: [o.hidden, o.heads * o.headDim]
    })
    t.push({
      name: `${p}attn_k.weight`,
      type: o.types.attn,
      shape: [o.hidden, o.kvHeads * o.headDim]
    })
    t.push({
      name: `${p}attn_v.weight`,
      type: o.types.attn,
      shape: [o.hidden, o.kvHeads * o.headDim]
    })
    t.push({
      name: `${p}attn_output.weight`,
      type: o.types.attn,
      shape: [o.heads * o.headDim, o.hidden]
    })
    t.push({ name: `${p}ffn_norm.weight`, type: norm, shape: [o.hidden] })
    if (o.experts) {
      const e = o.experts
      const f = o.expertFfn ?? o.ffn
      t.push({ name: `${p}ffn_gate_inp.weight`, type: 'F32', shape: [o.hidden, e] })
      t.push({ name: `${p}ffn_gate_exps.weight`, type: o.types.ffn, shape: [o.hidden, f, e] })
      t.push({ name: `${p}ffn_up_exps.weight`, type: o.types.ffn, shape: [o.hidden, f, e] })
      t.push({ name: `${p}ffn_down_exps.weight`, type: o.types.ffn, shape: [f, o.hidden, e] })
    } else {
      t.push({ name: `${p}ffn_gate.weight`, type: o.types.ffn, shape: [o.hidden, o.ffn] })
      t.push({ name: `${p}ffn_up.weight`, type: o.types.ffn, shape: [o.hidden, o.ffn] })
      t.push({ name: `${p}ffn_down.weight`, type: o.types.ffn, shape: [o.ffn, o.hidden] })
    }
  }
  t.push({ name: 'output_norm.weight', type: norm, shape: [o.hidden] })
  if (!o.tied)
    t.push({
      name: 'output.weight',
      type: o.types.output ?? o.types.embd,
      shape: [o.hidden, o.vocab]
    })
  return t
}
