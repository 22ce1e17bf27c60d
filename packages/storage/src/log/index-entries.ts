// Storage shared by the offset index and the time index: fixed-size entries in a growable buffer, and the
// bookkeeping to persist only what changed. Kafka memory-maps a preallocated index file; we keep the entries in
// memory and write the new ones to the file in one write when the segment is flushed or rolled. An index that a
// crash cut short or lost is rebuilt from the log at recovery, so it never has to be durable before the log is.

import type { FileSystem } from '../fs/file-system.ts'

export class IndexEntries {
  readonly entrySize: number
  readonly maxEntries: number
  #buffer: Buffer
  #count = 0
  /** Entries [0, persistedCount) are in the file as they are in memory. */
  #persistedCount = 0
  /** The file holds more entries than memory (after a truncation) and must be cut before the next write. */
  #fileHasStaleTail = false

  constructor(entrySize: number, maxIndexBytes: number) {
    this.entrySize = entrySize
    // Kafka rounds segment.index.bytes down to a whole number of entries.
    this.maxEntries = Math.max(1, Math.floor(maxIndexBytes / entrySize))
    this.#buffer = Buffer.alloc(entrySize * Math.min(this.maxEntries, 64))
  }

  get count(): number {
    return this.#count
  }

  get isFull(): boolean {
    return this.#count >= this.maxEntries
  }

  get hasUnpersistedChanges(): boolean {
    return this.#persistedCount < this.#count || this.#fileHasStaleTail
  }

  /** The buffer and byte position where entry `n` lives (for the typed readers of the two indexes). */
  at(n: number): { buffer: Buffer; position: number } {
    return { buffer: this.#buffer, position: n * this.entrySize }
  }

  /** Room for one more entry; returns where to write it. The caller fills it, then calls commitAppend(). */
  reserveAppend(): { buffer: Buffer; position: number } {
    const needed = (this.#count + 1) * this.entrySize
    if (needed > this.#buffer.length) {
      // Grows to the configured maximum at most, plus the one entry a segment may add past it when it is rolled.
      const grown = Buffer.alloc(Math.max(needed, Math.min(this.maxEntries * this.entrySize, this.#buffer.length * 2)))
      this.#buffer.copy(grown, 0, 0, this.#count * this.entrySize)
      this.#buffer = grown
    }
    return { buffer: this.#buffer, position: this.#count * this.entrySize }
  }

  commitAppend(): void {
    this.#count++
  }

  /** Keeps entries [0, count). */
  truncateEntries(count: number): void {
    if (count >= this.#count) return
    this.#count = count
    if (this.#persistedCount > count) {
      this.#persistedCount = count
      this.#fileHasStaleTail = true
    }
  }

  /**
   * Replaces the entries with `content` (an index file's bytes), which the file is known to hold, so nothing
   * needs persisting afterwards.
   */
  load(content: Buffer): void {
    const count = Math.floor(content.length / this.entrySize)
    this.#buffer = Buffer.alloc(Math.max(count, 1) * this.entrySize)
    content.copy(this.#buffer, 0, 0, count * this.entrySize)
    this.#count = count
    this.#persistedCount = count
    this.#fileHasStaleTail = content.length !== count * this.entrySize
  }

  /** Marks everything as unwritten, so the next persist writes the file from scratch (after a rebuild). */
  markAllUnpersisted(): void {
    this.#persistedCount = 0
    this.#fileHasStaleTail = true
  }

  /** Writes the new entries to the file with one write (no fsync); false if there was nothing to write. */
  writeChanges(fs: FileSystem, path: string): boolean {
    if (!this.hasUnpersistedChanges) return false
    const handle = fs.open(path, { create: true })
    try {
      if (this.#fileHasStaleTail) handle.truncate(this.#persistedCount * this.entrySize)
      const from = this.#persistedCount * this.entrySize
      const to = this.#count * this.entrySize
      if (to > from) handle.write(this.#buffer.subarray(from, to), from)
    } finally {
      handle.close()
    }
    this.#persistedCount = this.#count
    this.#fileHasStaleTail = false
    return true
  }
}
