/**
 * A fixed-capacity ring buffer: pushing onto a full ring overwrites the oldest item, so memory stays bounded
 * however long the stream runs.
 */
export class Ring<T> {
  private readonly items: (T | undefined)[]
  private start = 0
  private count = 0

  /** A ring that holds at most `capacity` items (at least 1). */
  constructor(capacity: number) {
    this.items = new Array<T | undefined>(Math.max(1, Math.floor(capacity)))
  }

  /** Number of items held. */
  get size(): number {
    return this.count
  }

  /** Appends an item, dropping the oldest when full. */
  push(item: T): void {
    const capacity = this.items.length
    this.items[(this.start + this.count) % capacity] = item
    if (this.count < capacity) this.count++
    else this.start = (this.start + 1) % capacity
  }

  /** Drops items from the oldest end while `pred` holds. */
  dropWhile(pred: (item: T) => boolean): void {
    const capacity = this.items.length
    while (this.count > 0 && pred(this.items[this.start] as T)) {
      this.items[this.start] = undefined
      this.start = (this.start + 1) % capacity
      this.count--
    }
  }

  /** The newest item, if any. */
  last(): T | undefined {
    return this.count > 0
      ? (this.items[(this.start + this.count - 1) % this.items.length] as T)
      : undefined
  }

  /** Items oldest first. */
  *[Symbol.iterator](): IterableIterator<T> {
    for (let i = 0; i < this.count; i++) yield this.items[(this.start + i) % this.items.length] as T
  }
}
