// The .index file of a segment (Kafka's OffsetIndex): sparse entries of (offset - baseOffset: int32,
// position: int32), one every index.interval.bytes of log. An entry maps the last offset of a batch to the file
// position where that batch starts, so a lookup lands at or before the batch that holds the wanted offset and the
// reader scans batch headers from there.

import { SegmentIndex } from './segment-index.ts'

export const OFFSET_INDEX_ENTRY_SIZE = 8

export interface OffsetPosition {
  offset: bigint
  position: number
}

export class OffsetIndex extends SegmentIndex<OffsetPosition> {
  constructor(baseOffset: bigint, maxIndexBytes: number) {
    super(baseOffset, OFFSET_INDEX_ENTRY_SIZE, maxIndexBytes)
  }

  entry(n: number): OffsetPosition {
    const { buffer, position } = this.entries.at(n)
    return {
      offset: this.baseOffset + BigInt(buffer.readInt32BE(position)),
      position: buffer.readInt32BE(position + 4),
    }
  }

  /** Adds an entry; ignored unless it is past the last one (entries must stay sorted for the binary search). */
  append(offset: bigint, position: number): void {
    if (this.isFull) return
    const last = this.lastEntry
    if (last !== null && (offset <= last.offset || position < last.position)) return
    this.appendEntry((buffer, at) => {
      buffer.writeInt32BE(Number(offset - this.baseOffset), at)
      buffer.writeInt32BE(position, at + 4)
    })
  }

  /** The last entry whose offset is ≤ target, or (baseOffset, 0) when there is none: where a scan must start. */
  lookup(target: bigint): OffsetPosition {
    const n = this.#lastEntryAtOrBelow(target)
    return n < 0 ? { offset: this.baseOffset, position: 0 } : this.entry(n)
  }

  /** Drops entries for offsets ≥ offset. */
  truncateTo(offset: bigint): void {
    this.keepFirst(this.#lastEntryAtOrBelow(offset - 1n) + 1)
  }

  /** Drops entries for positions ≥ position. */
  truncateToPosition(position: number): void {
    this.dropLastWhile((entry) => entry.position >= position)
  }

  /**
   * Loads an .index file and checks it the way Kafka's sanityCheck does (plus order): whole entries, offsets
   * strictly increasing and not below the base offset, positions non-decreasing and inside the log. Returns false
   * (and stays empty) if the file cannot be trusted, so the caller rebuilds it.
   */
  loadChecked(content: Buffer, logSize: number): boolean {
    return this.loadValid(
      content,
      (current, previous) =>
        (previous === null || (current.offset > previous.offset && current.position >= previous.position)) &&
        current.offset >= this.baseOffset &&
        current.position >= 0 &&
        current.position < logSize,
    )
  }

  /** Binary search: the index of the last entry with offset ≤ target, or -1. */
  #lastEntryAtOrBelow(target: bigint): number {
    const relative = target - this.baseOffset
    if (relative < 0n) return -1
    const wanted = relative > 0x7fffffffn ? 0x7fffffff : Number(relative)
    return this.lastEntryWhere((buffer, position) => buffer.readInt32BE(position) <= wanted)
  }
}
