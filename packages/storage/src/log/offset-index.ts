// The .index file of a segment (Kafka's OffsetIndex): sparse entries of (offset - baseOffset: int32,
// position: int32), one every index.interval.bytes of log. An entry maps the last offset of a batch to the file
// position where that batch starts, so a lookup lands at or before the batch that holds the wanted offset and the
// reader scans batch headers from there.

import { IndexEntries } from './index-entries.ts'

export const OFFSET_INDEX_ENTRY_SIZE = 8

export interface OffsetPosition {
  offset: bigint
  position: number
}

export class OffsetIndex {
  readonly baseOffset: bigint
  readonly #entries: IndexEntries

  constructor(baseOffset: bigint, maxIndexBytes: number) {
    this.baseOffset = baseOffset
    this.#entries = new IndexEntries(OFFSET_INDEX_ENTRY_SIZE, maxIndexBytes)
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

  entry(n: number): OffsetPosition {
    const { buffer, position } = this.#entries.at(n)
    return {
      offset: this.baseOffset + BigInt(buffer.readInt32BE(position)),
      position: buffer.readInt32BE(position + 4),
    }
  }

  get lastEntry(): OffsetPosition | null {
    return this.count === 0 ? null : this.entry(this.count - 1)
  }

  /** Adds an entry; ignored unless it is past the last one (entries must stay sorted for the binary search). */
  append(offset: bigint, position: number): void {
    if (this.isFull) return
    const last = this.lastEntry
    if (last !== null && (offset <= last.offset || position < last.position)) return
    const slot = this.#entries.reserveAppend()
    slot.buffer.writeInt32BE(Number(offset - this.baseOffset), slot.position)
    slot.buffer.writeInt32BE(position, slot.position + 4)
    this.#entries.commitAppend()
  }

  /** The last entry whose offset is ≤ target, or (baseOffset, 0) when there is none: where a scan must start. */
  lookup(target: bigint): OffsetPosition {
    const n = this.#lastEntryAtOrBelow(target)
    return n < 0 ? { offset: this.baseOffset, position: 0 } : this.entry(n)
  }

  /** Drops entries for offsets ≥ offset. */
  truncateTo(offset: bigint): void {
    this.#entries.truncateEntries(this.#lastEntryAtOrBelow(offset - 1n) + 1)
  }

  /** Drops entries for positions ≥ position. */
  truncateToPosition(position: number): void {
    let keep = this.count
    while (keep > 0 && this.entry(keep - 1).position >= position) keep--
    this.#entries.truncateEntries(keep)
  }

  /**
   * Loads an .index file and checks it the way Kafka's sanityCheck does (plus order): whole entries, offsets
   * strictly increasing and not below the base offset, positions non-decreasing and inside the log. Returns false
   * (and stays empty) if the file cannot be trusted, so the caller rebuilds it.
   */
  loadChecked(content: Buffer, logSize: number): boolean {
    if (content.length % OFFSET_INDEX_ENTRY_SIZE !== 0) {
      this.#entries.markAllUnpersisted()
      return false
    }
    this.#entries.load(content)
    let previous: OffsetPosition | null = null
    for (let n = 0; n < this.count; n++) {
      const current = this.entry(n)
      const ordered = previous === null || (current.offset > previous.offset && current.position >= previous.position)
      if (!ordered || current.offset < this.baseOffset || current.position < 0 || current.position >= logSize) {
        this.#entries.truncateEntries(0)
        this.#entries.markAllUnpersisted()
        return false
      }
      previous = current
    }
    return true
  }

  /** Binary search: the index of the last entry with offset ≤ target, or -1. */
  #lastEntryAtOrBelow(target: bigint): number {
    const relative = target - this.baseOffset
    if (relative < 0n) return -1
    const wanted = relative > 0x7fffffffn ? 0x7fffffff : Number(relative)
    let low = 0
    let high = this.count - 1
    let found = -1
    while (low <= high) {
      const middle = (low + high) >>> 1
      const { buffer, position } = this.#entries.at(middle)
      if (buffer.readInt32BE(position) <= wanted) {
        found = middle
        low = middle + 1
      } else {
        high = middle - 1
      }
    }
    return found
  }
}
