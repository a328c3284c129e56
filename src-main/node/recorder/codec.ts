/**
 * Version-2 row codec: a Snapshot stream as a table of paths and, per tick, only the leaves that changed.
 *
 * Every JSON leaf of a snapshot (`gpus[0].temperatureCelsius.value`, `…status`, `health[2].lastSuccessMs`)
 * is a node in a path tree; a node gets a small integer id the first time it is seen in a segment (a `NODE`
 * record: parent id and key). A `TICK` record carries the tick's time and sequence number and the changes
 * since the previous tick: ids (delta coded), one type tag each, then the values. Numbers are stored as
 * decimal-scaled integers delta coded against the node's previous value (zig-zag varints) whenever that
 * round-trips exactly, else as float64, so decoding gives back exactly what was recorded. Other records
 * (throttle episodes, alerts, marks, the command's start and end) are JSON in a `RECORD` record.
 *
 * The same encoder state is rebuilt at every segment start, so a segment decodes on its own: its first tick
 * re-defines every path and carries every value (a key frame).
 *
 * Byte layout of one record: `type u8, bodyLength varint, body`. Pure (no I/O); Buffers only.
 */
import type { Snapshot } from '../../shared/telemetry'

/** Record types inside a segment's decompressed stream. */
export const REC_NODE = 1
export const REC_TICK = 2
export const REC_RECORD = 3
/** A segment summary (JSON, `core/session-summary.ts`), the last record of a segment; older readers skip it. */
export const REC_SUMMARY = 4

/** A decoded leaf: JSON primitive or an empty container. `undefined` in a value table means "absent". */
export type Leaf = number | string | boolean | null | EmptyContainer

/** Marker of an empty array or object leaf. */
export interface EmptyContainer {
  readonly empty: 'array' | 'object'
}

/** The empty-array leaf (one shared instance; compare by identity). */
export const EMPTY_ARRAY: EmptyContainer = Object.freeze({ empty: 'array' as const })
/** The empty-object leaf. */
export const EMPTY_OBJECT: EmptyContainer = Object.freeze({ empty: 'object' as const })

const T_DELETE = 0
const T_NULL = 1
const T_FALSE = 2
const T_TRUE = 3
const T_EMPTY_ARRAY = 4
const T_EMPTY_OBJECT = 5
const T_STRING = 6
const T_F64 = 7
/** Scaled integer with k decimals: tag T_INT + k (k = 0…6). */
const T_INT = 16
const MAX_SCALE = 6
const POW10 = [1, 10, 100, 1000, 10_000, 100_000, 1_000_000]
const MAX_SAFE = Number.MAX_SAFE_INTEGER
/** Paths one segment may define (a snapshot has about a thousand; a bound against damaged input). */
const MAX_NODES = 1_000_000

/** A problem inside a segment's bytes (the rest of the segment cannot be decoded). */
export class CodecError extends Error {
  override name = 'CodecError'
}

// ---------------------------------------------------------------------------------------------------------
// Bytes
// ---------------------------------------------------------------------------------------------------------

/** Growable byte buffer with varint writers. */
export class ByteWriter {
  private buf: Buffer
  length = 0
  constructor(initial = 4096) {
    this.buf = Buffer.allocUnsafe(initial)
  }
  private ensure(n: number): void {
    if (this.length + n <= this.buf.length) return
    let size = this.buf.length * 2
    while (size < this.length + n) size *= 2
    const next = Buffer.allocUnsafe(size)
    this.buf.copy(next, 0, 0, this.length)
    this.buf = next
  }
  u8(x: number): void {
    this.ensure(1)
    this.buf[this.length++] = x
  }
  /** Unsigned varint of a safe non-negative integer (7 bits per byte, little end first). */
  varint(x: number): void {
    this.ensure(8)
    while (x >= 128) {
      this.buf[this.length++] = (x % 128) | 128
      x = Math.floor(x / 128)
    }
    this.buf[this.length++] = x
  }
  /** Signed varint (zig-zag). */
  svarint(x: number): void {
    this.varint(x >= 0 ? x * 2 : -x * 2 - 1)
  }
  f64(x: number): void {
    this.ensure(8)
    this.buf.writeDoubleLE(x, this.length)
    this.length += 8
  }
  bytes(b: Uint8Array): void {
    this.ensure(b.length)
    this.buf.set(b, this.length)
    this.length += b.length
  }
  str(s: string): void {
    const n = Buffer.byteLength(s, 'utf8')
    this.varint(n)
    this.ensure(n)
    this.buf.write(s, this.length, 'utf8')
    this.length += n
  }
  /** Bytes written so far (a copy) and resets. */
  take(): Buffer {
    const out = Buffer.from(this.buf.subarray(0, this.length))
    this.length = 0
    return out
  }
  /** A view of the bytes written so far (valid until the next write). */
  view(): Buffer {
    return this.buf.subarray(0, this.length)
  }
  reset(): void {
    this.length = 0
  }
}

/** Cursor over bytes with varint readers; throws CodecError past the end. */
export class ByteReader {
  pos = 0
  buf: Buffer
  end: number
  constructor(buf: Buffer, pos = 0, end = buf.length) {
    this.buf = buf
    this.pos = pos
    this.end = end
  }
  /** Points the reader at `buf[pos, end)`. */
  reset(buf: Buffer, pos: number, end: number): void {
    this.buf = buf
    this.pos = pos
    this.end = end
  }
  get remaining(): number {
    return this.end - this.pos
  }
  u8(): number {
    if (this.pos >= this.end) throw new CodecError('unexpected end of record')
    return this.buf[this.pos++]
  }
  varint(): number {
    // One byte (values below 128) is by far the most common case.
    const p = this.pos
    if (p < this.end) {
      const b0 = this.buf[p]
      if (b0 < 128) {
        this.pos = p + 1
        return b0
      }
    }
    let x = 0
    let mul = 1
    for (let i = 0; i < 8; i++) {
      if (this.pos >= this.end) throw new CodecError('unexpected end of record')
      const b = this.buf[this.pos++]
      x += (b & 127) * mul
      if (b < 128) return x
      mul *= 128
    }
    throw new CodecError('varint longer than 8 bytes')
  }
  svarint(): number {
    const z = this.varint()
    return z % 2 === 0 ? z / 2 : -(z + 1) / 2
  }
  f64(): number {
    if (this.pos + 8 > this.end) throw new CodecError('unexpected end of record')
    const v = this.buf.readDoubleLE(this.pos)
    this.pos += 8
    return v
  }
  str(): string {
    const n = this.varint()
    if (this.pos + n > this.end) throw new CodecError('string runs past the record')
    const s = this.buf.toString('utf8', this.pos, this.pos + n)
    this.pos += n
    return s
  }
}

// ---------------------------------------------------------------------------------------------------------
// Numbers
// ---------------------------------------------------------------------------------------------------------

/** Smallest decimal scale k (0–6) with `round(v·10^k) / 10^k === v` exactly, or -1. */
export function decimalScale(v: number): number {
  if (Number.isInteger(v)) return Math.abs(v) <= MAX_SAFE ? 0 : -1
  for (let k = 1; k <= MAX_SCALE; k++) {
    const n = Math.round(v * POW10[k])
    if (Math.abs(n) > MAX_SAFE) return -1
    if (n / POW10[k] === v) return k
  }
  return -1
}

function scaledPrev(prev: Leaf | undefined, k: number): number {
  if (typeof prev !== 'number') return 0
  const n = Math.round(prev * POW10[k])
  return Math.abs(n) <= MAX_SAFE ? n : NaN
}

// ---------------------------------------------------------------------------------------------------------
// Encoder
// ---------------------------------------------------------------------------------------------------------

interface PathNode {
  id: number
  children: Map<string | number, PathNode> | null
  value: Leaf | undefined
  seen: number
}

/** Options for the encoder. */
export interface EncoderOptions {
  /**
   * Rounds numbers whose key ends in `DurationMs` to this many decimals (default 3: a microsecond). Collector
   * durations come from `performance.now()` differences with 16 significant digits of noise that no reader
   * needs and that would cost 8 bytes each per tick.
   */
  durationDecimals?: number
}

/**
 * Encodes ticks and records of one segment into record bytes.
 *
 * Call `reset()` at every segment start. `encodeTick` appends NODE records for new paths and one TICK record
 * to the pending bytes; `takeBytes()` returns and clears them.
 */
export class SegmentEncoder {
  private root: PathNode = { id: 0, children: null, value: undefined, seen: 0 }
  private nodes: PathNode[] = [this.root]
  private gen = 0
  private prevTs = 0
  private prevSeq = -1
  private ticks = 0
  private readonly out = new ByteWriter(64 * 1024)
  private readonly body = new ByteWriter(16 * 1024)
  private readonly changedNodes: PathNode[] = []
  private readonly changedValues: (Leaf | undefined)[] = []
  private readonly durationScale: number

  constructor(
    /** Epoch ms the first tick of a segment is relative to (the header's `startedAtMs`). */
    private readonly originMs: number,
    options: EncoderOptions = {}
  ) {
    this.durationScale = POW10[Math.max(0, Math.min(MAX_SCALE, options.durationDecimals ?? 3))]
  }

  /** Starts a new segment: every path is defined again and every value sent again. */
  reset(): void {
    this.root = { id: 0, children: null, value: undefined, seen: 0 }
    this.nodes = [this.root]
    this.gen = 0
    this.prevTs = this.originMs
    this.prevSeq = -1
    this.ticks = 0
  }

  /** Ticks encoded since the last reset. */
  get ticksInSegment(): number {
    return this.ticks
  }

  /** Pending bytes (records not yet taken). */
  get pendingBytes(): number {
    return this.out.length
  }

  /** Returns the pending record bytes and clears them. */
  takeBytes(): Buffer {
    return this.out.take()
  }

  /** Appends a JSON record. */
  encodeRecord(record: unknown): void {
    this.body.reset()
    this.body.str(JSON.stringify(record))
    this.emit(REC_RECORD)
  }

  /** Appends a segment summary record (its JSON text). */
  encodeSummary(json: string): void {
    this.body.reset()
    this.body.str(json)
    this.emit(REC_SUMMARY)
  }

  /** Appends the changes of one snapshot. The tick time is `timestampMs` rounded to the millisecond. */
  encodeTick(snapshot: Snapshot): void {
    if (this.ticks === 0) this.prevTs = this.originMs
    const ts = Math.round(snapshot.timestampMs)
    const seq = Number.isSafeInteger(snapshot.seq) ? snapshot.seq : this.prevSeq + 1
    this.gen++
    this.changedNodes.length = 0
    this.changedValues.length = 0
    const rec = snapshot as unknown as Record<string, unknown>
    for (const key of Object.keys(rec)) {
      if (key === 'timestampMs' || key === 'seq') continue
      this.visit(this.child(this.root, key), rec[key], key)
    }
    for (let i = 1; i < this.nodes.length; i++) {
      const n = this.nodes[i]
      if (n.value !== undefined && n.seen !== this.gen) {
        this.changedNodes.push(n)
        this.changedValues.push(undefined)
      }
    }
    const b = this.body
    b.reset()
    b.svarint(ts - this.prevTs)
    b.svarint(seq - this.prevSeq - 1)
    const count = this.changedNodes.length
    b.varint(count)
    let prevId = 0
    for (let i = 0; i < count; i++) {
      const id = this.changedNodes[i].id
      b.svarint(id - prevId)
      prevId = id
    }
    // Tags then values: the tag block repeats from tick to tick and compresses to almost nothing.
    const tagStart = b.length
    for (let i = 0; i < count; i++) b.u8(0)
    for (let i = 0; i < count; i++) {
      const node = this.changedNodes[i]
      const v = this.changedValues[i]
      const tag = this.encodeValue(b, node.value, v)
      b.view()[tagStart + i] = tag
      node.value = v
    }
    this.emit(REC_TICK)
    this.prevTs = ts
    this.prevSeq = seq
    this.ticks++
  }

  private emit(type: number): void {
    this.out.u8(type)
    this.out.varint(this.body.length)
    this.out.bytes(this.body.view())
  }

  private child(parent: PathNode, key: string | number): PathNode {
    let children = parent.children
    if (children === null) children = parent.children = new Map()
    let c = children.get(key)
    if (c === undefined) {
      c = { id: this.nodes.length, children: null, value: undefined, seen: 0 }
      this.nodes.push(c)
      children.set(key, c)
      const b = this.body
      b.reset()
      b.varint(parent.id)
      if (typeof key === 'number') {
        b.u8(1)
        b.varint(key)
      } else {
        b.u8(0)
        b.str(key)
      }
      this.emit(REC_NODE)
    }
    return c
  }

  private visit(node: PathNode, v: unknown, key: string | number): void {
    if (v === undefined || typeof v === 'function' || typeof v === 'symbol') return
    if (v === null || typeof v !== 'object') {
      let leaf: Leaf
      if (typeof v === 'number') {
        if (!Number.isFinite(v)) leaf = null
        else if (typeof key === 'string' && key.endsWith('DurationMs'))
          leaf = Math.round(v * this.durationScale) / this.durationScale
        else leaf = v
      } else if (typeof v === 'bigint') leaf = Number(v)
      else leaf = v as string | boolean
      this.leaf(node, leaf)
      return
    }
    if (Array.isArray(v)) {
      if (v.length === 0) return this.leaf(node, EMPTY_ARRAY)
      for (let i = 0; i < v.length; i++) this.visit(this.child(node, i), v[i], i)
      return
    }
    const o = v as Record<string, unknown>
    let any = false
    for (const k in o) {
      if (!Object.prototype.hasOwnProperty.call(o, k)) continue
      any = true
      this.visit(this.child(node, k), o[k], k)
    }
    if (!any) this.leaf(node, EMPTY_OBJECT)
  }

  private leaf(node: PathNode, v: Leaf): void {
    node.seen = this.gen
    if (node.value !== v) {
      this.changedNodes.push(node)
      this.changedValues.push(v)
    }
  }

  private encodeValue(b: ByteWriter, prev: Leaf | undefined, v: Leaf | undefined): number {
    if (v === undefined) return T_DELETE
    if (v === null) return T_NULL
    if (v === false) return T_FALSE
    if (v === true) return T_TRUE
    if (v === EMPTY_ARRAY) return T_EMPTY_ARRAY
    if (v === EMPTY_OBJECT) return T_EMPTY_OBJECT
    if (typeof v === 'string') {
      b.str(v)
      return T_STRING
    }
    const n = v as number
    const k = decimalScale(n)
    if (k >= 0) {
      const scaled = Math.round(n * POW10[k])
      const base = scaledPrev(prev, k)
      const delta = scaled - base
      if (Number.isFinite(delta) && Math.abs(delta) <= MAX_SAFE / 2) {
        b.svarint(delta)
        return T_INT + k
      }
    }
    b.f64(n)
    return T_F64
  }
}

// ---------------------------------------------------------------------------------------------------------
// Decoder
// ---------------------------------------------------------------------------------------------------------

/** What a decoded record was (the decoder's `last*` fields hold its content; no allocation per record). */
export const ITEM_NODE = 1
export const ITEM_TICK = 2
export const ITEM_RECORD = 3
export const ITEM_SUMMARY = 4

/**
 * Decodes record bytes of one segment, keeping the value table (current leaf per node id).
 *
 * `values[id]` is the node's current leaf (undefined when absent); `paths`, `parents` and `keys` describe the
 * path tree. Call `reset()` at every segment start.
 */
export class SegmentDecoder {
  parents: number[] = [0]
  keys: (string | number)[] = ['']
  values: (Leaf | undefined)[] = [undefined]
  /** Per node: 1 when its children are keyed by index (an array), 0 for object keys. */
  private arrayLike: number[] = [0]
  /** Ids changed by the last tick (valid until the next tick). */
  changedIds: number[] = []
  tMs = 0
  seq = -1
  private pending: Buffer | null = null

  constructor(private readonly originMs: number) {
    this.tMs = originMs
  }

  /** Forgets every path and value (segment start). */
  reset(): void {
    this.parents = [0]
    this.keys = ['']
    this.values = [undefined]
    this.arrayLike = [0]
    this.changedIds = []
    this.tMs = this.originMs
    this.seq = -1
    this.pending = null
  }

  /** Number of defined nodes (ids are 1…count-1). */
  get nodeCount(): number {
    return this.parents.length
  }

  /**
   * Decodes complete records from `bytes` (a partial record at the end is kept for the next call) and calls
   * `onItem` for each. Throws CodecError on malformed bytes.
   */
  decode(
    bytes: Buffer,
    onItem: (item: number) => void | boolean,
    /** Skip path definitions and ticks (only records and summaries are reported; the tables go stale). */
    skipRows = false
  ): void {
    let buf = bytes
    if (this.pending !== null) {
      buf = Buffer.concat([this.pending, bytes])
      this.pending = null
    }
    const r = new ByteReader(buf)
    const body = this.body
    while (r.remaining > 0) {
      const start = r.pos
      let type: number
      let len: number
      try {
        type = r.u8()
        len = r.varint()
      } catch {
        this.pending = Buffer.from(buf.subarray(start))
        return
      }
      if (r.pos + len > buf.length) {
        this.pending = Buffer.from(buf.subarray(start))
        return
      }
      body.reset(buf, r.pos, r.pos + len)
      r.pos += len
      let item = 0
      if (type === REC_NODE) {
        if (skipRows) continue
        this.decodeNode(body)
        item = ITEM_NODE
      } else if (type === REC_TICK) {
        if (skipRows) continue
        this.decodeTick(body)
        item = ITEM_TICK
      } else if (type === REC_RECORD) {
        this.lastJson = body.str()
        item = ITEM_RECORD
      } else if (type === REC_SUMMARY) {
        this.lastJson = body.str()
        item = ITEM_SUMMARY
      }
      // Unknown record types are skipped: later versions may add some.
      if (item !== 0 && onItem(item) === false) return
    }
  }

  /**
   * The JSON of the last summary record among the complete records of `bytes` (a whole segment's
   * decompressed stream), or null; walks record headers only.
   */
  static summaryOf(bytes: Buffer): string | null {
    const r = new ByteReader(bytes)
    const body = new ByteReader(bytes)
    let found: string | null = null
    try {
      while (r.remaining > 0) {
        const type = r.u8()
        const len = r.varint()
        if (r.pos + len > bytes.length) break
        if (type === REC_SUMMARY) {
          body.reset(bytes, r.pos, r.pos + len)
          found = body.str()
        }
        r.pos += len
      }
    } catch {
      // A damaged tail: what was found before it stands.
    }
    return found
  }

  /** The last node defined (`ITEM_NODE`). */
  lastNodeId = 0
  /** The last record's JSON text (`ITEM_RECORD`). */
  lastJson = ''
  private readonly body = new ByteReader(Buffer.alloc(0))

  /** True when bytes of an incomplete record are waiting. */
  get hasPending(): boolean {
    return this.pending !== null && this.pending.length > 0
  }

  private decodeNode(r: ByteReader): void {
    const parent = r.varint()
    if (parent >= this.parents.length)
      throw new CodecError(`node refers to unknown parent ${parent}`)
    const kind = r.u8()
    const key = kind === 1 ? r.varint() : r.str()
    const id = this.parents.length
    if (id >= MAX_NODES) throw new CodecError(`more than ${MAX_NODES} paths in one segment`)
    this.parents.push(parent)
    this.keys.push(key)
    this.values.push(undefined)
    this.arrayLike.push(0)
    if (kind === 1) this.arrayLike[parent] = 1
    this.lastNodeId = id
  }

  private decodeTick(r: ByteReader): void {
    this.tMs += r.svarint()
    this.seq += r.svarint() + 1
    const count = r.varint()
    if (count > this.parents.length) throw new CodecError('tick changes more leaves than exist')
    const ids = this.changedIds
    ids.length = count
    let id = 0
    for (let i = 0; i < count; i++) {
      id += r.svarint()
      if (id <= 0 || id >= this.parents.length)
        throw new CodecError(`tick refers to unknown node ${id}`)
      ids[i] = id
    }
    const tagPos = r.pos
    if (tagPos + count > r.end) throw new CodecError('unexpected end of record')
    r.pos += count
    const values = this.values
    const buf = r.buf
    for (let i = 0; i < count; i++) {
      const tag = buf[tagPos + i]
      const nid = ids[i]
      switch (tag) {
        case T_DELETE:
          values[nid] = undefined
          break
        case T_NULL:
          values[nid] = null
          break
        case T_FALSE:
          values[nid] = false
          break
        case T_TRUE:
          values[nid] = true
          break
        case T_EMPTY_ARRAY:
          values[nid] = EMPTY_ARRAY
          break
        case T_EMPTY_OBJECT:
          values[nid] = EMPTY_OBJECT
          break
        case T_STRING:
          values[nid] = r.str()
          break
        case T_F64:
          values[nid] = r.f64()
          break
        default: {
          const k = tag - T_INT
          if (k < 0 || k > MAX_SCALE) throw new CodecError(`unknown value tag ${tag}`)
          const base = scaledPrev(values[nid], k)
          values[nid] = (base + r.svarint()) / POW10[k]
        }
      }
    }
  }

  /** The path of a node from the root (`['gpus', 0, 'temperatureCelsius', 'value']`). */
  pathOf(id: number): (string | number)[] {
    const out: (string | number)[] = []
    for (let n = id; n !== 0; n = this.parents[n]) out.push(this.keys[n])
    return out.reverse()
  }

  /** Builds the current snapshot from the value table. */
  materialize(): Snapshot {
    const n = this.parents.length
    const containers: unknown[] = new Array(n)
    const root: Record<string, unknown> = { seq: this.seq, timestampMs: this.tMs }
    containers[0] = root
    const values = this.values
    const parents = this.parents
    const keys = this.keys
    // Parents always have smaller ids than their children, so one ascending pass builds the tree.
    const live = new Uint8Array(n)
    for (let id = n - 1; id >= 1; id--) {
      if (values[id] !== undefined || live[id] === 1) live[parents[id]] = 1
    }
    for (let id = 1; id < n; id++) {
      const v = values[id]
      if (v === undefined && live[id] === 0) continue
      const parent = containers[parents[id]] as Record<string | number, unknown> | undefined
      if (parent === undefined) continue
      const key = keys[id]
      if (v !== undefined) {
        parent[key] = v === EMPTY_ARRAY ? [] : v === EMPTY_OBJECT ? {} : v
        if (live[id] === 0) continue
      }
      let c = parent[key] as unknown
      if (c === undefined || c === null || typeof c !== 'object') {
        c = this.arrayLike[id] === 1 ? [] : {}
        parent[key] = c
      }
      containers[id] = c
    }
    return root as unknown as Snapshot
  }
}
