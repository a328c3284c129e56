/**
 * A fixed-capacity ring buffer: memory stays bounded however long the engine runs.
 */

/** Fixed-size FIFO that overwrites its oldest entry. */
export class RingBuffer<T> {
  private readonly items: (T | undefined)[]
  private start = 0
  private count = 0

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity <= 0)
      throw new RangeError('capacity must be a positive integer')
    this.items = new Array<T | undefined>(capacity)
  }

  /** Number of stored items. */
  get size(): number {
    return this.count
  }

  /** Appends, evicting the oldest item when full. */
  push(item: T): void {
    const idx = (this.start + this.count) % this.capacity
    this.items[idx] = item
    if (this.count < this.capacity) this.count += 1
    else this.start = (this.start + 1) % this.capacity
  }

  /** The newest item. */
  last(): T | undefined {
    return this.count === 0 ? undefined : this.items[(this.start + this.count - 1) % this.capacity]
  }

  /** Items oldest → newest. */
  toArray(): T[] {
    const out: T[] = new Array(this.count)
    for (let i = 0; i < this.count; i++) out[i] = this.items[(this.start + i) % this.capacity] as T
    return out
  }

  /** Items whose key is ≥ `from`, oldest → newest (binary search on a monotonic key). */
  since(from: number, key: (t: T) => number): T[] {
    let lo = 0
    let hi = this.count
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (key(this.items[(this.start + mid) % this.capacity] as T) < from) lo = mid + 1
      else hi = mid
    }
    const out: T[] = []
    for (let i = lo; i < this.count; i++)
      out.push(this.items[(this.start + i) % this.capacity] as T)
    return out
  }

  /** Removes everything. */
  clear(): void {
    this.items.fill(undefined)
    this.start = 0
    this.count = 0
  }
}
