// The .timeindex file of a segment (Kafka's TimeIndex): entries of (timestamp: int64, offset - baseOffset: int32)
// whose timestamps strictly increase. An entry says "the largest timestamp among the batches up to this offset is
// this one", so ListOffsets by time can skip every batch before the last entry below the wanted time.

import { IndexEntries } from './index-entries.ts'

export const TIME_INDEX_ENTRY_SIZE = 12

export interface TimestampOffset {
  timestamp: bigint
  offset: bigint
}

export class TimeIndex {
  readonly baseOffset: bigint
  readonly #entries: IndexEntries

  constructor(baseOffset: bigint, maxIndexBytes: number) {
    this.baseOffset = baseOffset
    this.#entries = new IndexEntries(TIME_INDEX_ENTRY_SIZE, maxIndexBytes)
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

  entry(n: number): TimestampOffset {
    const { buffer, position } = this.#entries.at(n)
    return {
      timestamp: buffer.readBigInt64BE(position),
      offset: this.baseOffset + BigInt(buffer.readInt32BE(position + 8)),
    }
  }

  get lastEntry(): TimestampOffset | null {
    return this.count === 0 ? null : this.entry(this.count - 1)
  }

  /**
   * Adds an entry if its timestamp is above the last one's (Kafka's maybeAppend). `evenIfFull` is for the entry a
   * segment gets when it is rolled, which makes the last entry the segment's largest timestamp.
   */
  maybeAppend(timestamp: bigint, offset: bigint, evenIfFull = false): void {
    if ((this.isFull && !evenIfFull) || offset < this.baseOffset) return
    const last = this.lastEntry
    if (last !== null && (timestamp <= last.timestamp || offset < last.offset)) return
    const slot = this.#entries.reserveAppend()
    slot.buffer.writeBigInt64BE(timestamp, slot.position)
    slot.buffer.writeInt32BE(Number(offset - this.baseOffset), slot.position + 8)
    this.#entries.commitAppend()
  }

  /** The last entry whose timestamp is below `timestamp`: every batch up to its offset is older. Null if none. */
  lastEntryBefore(timestamp: bigint): TimestampOffset | null {
    let low = 0
    let high = this.count - 1
    let found = -1
    while (low <= high) {
      const middle = (low + high) >>> 1
      const { buffer, position } = this.#entries.at(middle)
      if (buffer.readBigInt64BE(position) < timestamp) {
        found = middle
        low = middle + 1
      } else {
        high = middle - 1
      }
    }
    return found < 0 ? null : this.entry(found)
  }

  /** Drops entries for offsets ≥ offset. */
  truncateTo(offset: bigint): void {
    let keep = this.count
    while (keep > 0 && this.entry(keep - 1).offset >= offset) keep--
    this.#entries.truncateEntries(keep)
  }

  /** Loads a .timeindex file; false (and empty) if its entries are torn, out of order or outside the segment. */
  loadChecked(content: Buffer, nextOffset: bigint): boolean {
    if (content.length % TIME_INDEX_ENTRY_SIZE !== 0) {
      this.#entries.markAllUnpersisted()
      return false
    }
    this.#entries.load(content)
    let previous: TimestampOffset | null = null
    for (let n = 0; n < this.count; n++) {
      const current = this.entry(n)
      const ordered = previous === null || (current.timestamp > previous.timestamp && current.offset >= previous.offset)
      if (!ordered || current.offset < this.baseOffset || current.offset >= nextOffset) {
        this.#entries.truncateEntries(0)
        this.#entries.markAllUnpersisted()
        return false
      }
      previous = current
    }
    return true
  }
}
