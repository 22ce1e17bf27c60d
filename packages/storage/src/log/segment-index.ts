// What the offset index and the time index share: a base offset, entries in IndexEntries, the search for the last
// entry below a key, truncation from the end, and loading a file with a check of every entry against the one
// before it (Kafka's sanityCheck, plus order).

import { IndexEntries } from './index-entries.ts'

export abstract class SegmentIndex<Entry> {
  readonly baseOffset: bigint
  readonly #entries: IndexEntries

  constructor(baseOffset: bigint, entrySize: number, maxIndexBytes: number) {
    this.baseOffset = baseOffset
    this.#entries = new IndexEntries(entrySize, maxIndexBytes)
  }

  get entries(): IndexEntries {
    return this.#entries
  }

  get count(): number {
    return this.#entries.count
  }

  get isFull(): boolean {
    return this.#entries.isFull
  }

  abstract entry(n: number): Entry

  get lastEntry(): Entry | null {
    return this.count === 0 ? null : this.entry(this.count - 1)
  }

  /** Binary search over entries sorted by key: the index of the last one `isBelow` accepts, or -1. */
  protected lastEntryWhere(isBelow: (buffer: Buffer, position: number) => boolean): number {
    let low = 0
    let high = this.count - 1
    let found = -1
    while (low <= high) {
      const middle = (low + high) >>> 1
      const { buffer, position } = this.#entries.at(middle)
      if (isBelow(buffer, position)) {
        found = middle
        low = middle + 1
      } else {
        high = middle - 1
      }
    }
    return found
  }

  /** Drops entries from the end while `drop` says so. */
  protected dropLastWhile(drop: (entry: Entry) => boolean): void {
    let keep = this.count
    while (keep > 0 && drop(this.entry(keep - 1))) keep--
    this.#entries.truncateEntries(keep)
  }

  /** Keeps the first `count` entries. */
  protected keepFirst(count: number): void {
    this.#entries.truncateEntries(count)
  }

  /** Writes one new entry at the end (the caller checked it sorts after the last). */
  protected appendEntry(write: (buffer: Buffer, position: number) => void): void {
    const slot = this.#entries.reserveAppend()
    write(slot.buffer, slot.position)
    this.#entries.commitAppend()
  }

  /**
   * Loads an index file: whole entries, each `valid` after the one before (null for the first). Returns false (and
   * stays empty) if the file cannot be trusted, so the caller rebuilds it from the log.
   */
  protected loadValid(content: Buffer, valid: (current: Entry, previous: Entry | null) => boolean): boolean {
    if (content.length % this.#entries.entrySize !== 0) {
      this.#entries.markAllUnpersisted()
      return false
    }
    this.#entries.load(content)
    let previous: Entry | null = null
    for (let n = 0; n < this.count; n++) {
      const current = this.entry(n)
      if (!valid(current, previous)) {
        this.#entries.truncateEntries(0)
        this.#entries.markAllUnpersisted()
        return false
      }
      previous = current
    }
    return true
  }
}
