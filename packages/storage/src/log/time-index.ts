// The .timeindex file of a segment (Kafka's TimeIndex): entries of (timestamp: int64, offset - baseOffset: int32)
// whose timestamps strictly increase. An entry says "the largest timestamp among the batches up to this offset is
// this one", so ListOffsets by time can skip every batch before the last entry below the wanted time.

import { SegmentIndex } from './segment-index.ts'

export const TIME_INDEX_ENTRY_SIZE = 12

export interface TimestampOffset {
  timestamp: bigint
  offset: bigint
}

export class TimeIndex extends SegmentIndex<TimestampOffset> {
  constructor(baseOffset: bigint, maxIndexBytes: number) {
    super(baseOffset, TIME_INDEX_ENTRY_SIZE, maxIndexBytes)
  }

  entry(n: number): TimestampOffset {
    const { buffer, position } = this.entries.at(n)
    return {
      timestamp: buffer.readBigInt64BE(position),
      offset: this.baseOffset + BigInt(buffer.readInt32BE(position + 8)),
    }
  }

  /**
   * Adds an entry if its timestamp is above the last one's (Kafka's maybeAppend). `evenIfFull` is for the entry a
   * segment gets when it is rolled, which makes the last entry the segment's largest timestamp.
   */
  maybeAppend(timestamp: bigint, offset: bigint, evenIfFull = false): void {
    if ((this.isFull && !evenIfFull) || offset < this.baseOffset) return
    const last = this.lastEntry
    if (last !== null && (timestamp <= last.timestamp || offset < last.offset)) return
    this.appendEntry((buffer, at) => {
      buffer.writeBigInt64BE(timestamp, at)
      buffer.writeInt32BE(Number(offset - this.baseOffset), at + 8)
    })
  }

  /** The last entry whose timestamp is below `timestamp`: every batch up to its offset is older. Null if none. */
  lastEntryBefore(timestamp: bigint): TimestampOffset | null {
    const found = this.lastEntryWhere((buffer, position) => buffer.readBigInt64BE(position) < timestamp)
    return found < 0 ? null : this.entry(found)
  }

  /** Drops entries for offsets ≥ offset. */
  truncateTo(offset: bigint): void {
    this.dropLastWhile((entry) => entry.offset >= offset)
  }

  /** Loads a .timeindex file; false (and empty) if its entries are torn, out of order or outside the segment. */
  loadChecked(content: Buffer, nextOffset: bigint): boolean {
    return this.loadValid(
      content,
      (current, previous) =>
        (previous === null || (current.timestamp > previous.timestamp && current.offset >= previous.offset)) &&
        current.offset >= this.baseOffset &&
        current.offset < nextOffset,
    )
  }
}
