// Kafka's transaction index, `<base>.txnindex` beside each segment: one entry per transaction ABORTED by a marker
// in that segment, so a read_committed fetch can tell the consumer which producers' records to drop without
// reading the batches. Entries are 34 bytes, big-endian, in marker order (Kafka's AbortedTxn):
//
//   version int16 (0) · producerId int64 · firstOffset int64 · lastOffset int64 (the ABORT marker's offset) ·
//   lastStableOffset int64 (the LSO right after the marker: the first offset of the oldest transaction still open
//                           then, else the marker's offset + 1)
//
// The file is created lazily, with the first entry (most segments never see an abort). Like the other indexes
// the entries live in memory and new ones reach the file when the segment is flushed; recovery rebuilds the
// index of every segment it re-reads.

import type { AbortedTransaction } from '../api.ts'
import type { FileSystem } from '../fs/file-system.ts'

export const TXN_INDEX_FILE_SUFFIX = '.txnindex'
export const ABORTED_TXN_VERSION = 0
export const ABORTED_TXN_BYTES = 2 + 8 + 8 + 8 + 8

/** One `.txnindex` entry (Kafka's AbortedTxn). */
export interface AbortedTxn {
  producerId: bigint
  firstOffset: bigint
  /** The offset of the ABORT marker. */
  lastOffset: bigint
  lastStableOffset: bigint
}

export class CorruptTransactionIndexError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'CorruptTransactionIndexError'
  }
}

export function encodeAbortedTxns(entries: readonly AbortedTxn[]): Buffer {
  const buffer = Buffer.alloc(entries.length * ABORTED_TXN_BYTES)
  let at = 0
  for (const entry of entries) {
    buffer.writeInt16BE(ABORTED_TXN_VERSION, at)
    buffer.writeBigInt64BE(entry.producerId, at + 2)
    buffer.writeBigInt64BE(entry.firstOffset, at + 10)
    buffer.writeBigInt64BE(entry.lastOffset, at + 18)
    buffer.writeBigInt64BE(entry.lastStableOffset, at + 26)
    at += ABORTED_TXN_BYTES
  }
  return buffer
}

/** Decodes a `.txnindex` file; a torn last entry is ignored, an unknown version is an error (as in Kafka). */
export function decodeAbortedTxns(buffer: Buffer): AbortedTxn[] {
  const entries: AbortedTxn[] = []
  for (let at = 0; at + ABORTED_TXN_BYTES <= buffer.length; at += ABORTED_TXN_BYTES) {
    const version = buffer.readInt16BE(at)
    if (version !== ABORTED_TXN_VERSION) {
      throw new CorruptTransactionIndexError(`unexpected aborted transaction version ${version} at position ${at}`)
    }
    entries.push({
      producerId: buffer.readBigInt64BE(at + 2),
      firstOffset: buffer.readBigInt64BE(at + 10),
      lastOffset: buffer.readBigInt64BE(at + 18),
      lastStableOffset: buffer.readBigInt64BE(at + 26),
    })
  }
  return entries
}

export class TransactionIndex {
  #entries: AbortedTxn[] = []
  /** Entries [0, persistedCount) are in the file as they are in memory. */
  #persistedCount = 0
  /** The file may hold entries memory does not (truncation, rebuild) and must be rewritten from persistedCount. */
  #fileHasStaleTail = false

  get entries(): readonly AbortedTxn[] {
    return this.#entries
  }

  get hasUnpersistedChanges(): boolean {
    return this.#persistedCount < this.#entries.length || this.#fileHasStaleTail
  }

  /** Adds an entry; markers come in offset order, so entries stay sorted by lastOffset. */
  append(entry: AbortedTxn): void {
    const last = this.#entries[this.#entries.length - 1]
    if (last !== undefined && entry.lastOffset <= last.lastOffset) {
      throw new CorruptTransactionIndexError(
        `aborted transaction at offset ${entry.lastOffset} is not after the last indexed one at ${last.lastOffset}`,
      )
    }
    this.#entries.push(entry)
  }

  /** Loads the entries of an existing file, which then holds exactly what memory does. */
  load(content: Buffer): void {
    this.#entries = decodeAbortedTxns(content)
    this.#persistedCount = this.#entries.length
    this.#fileHasStaleTail = content.length !== this.#entries.length * ABORTED_TXN_BYTES
  }

  /** Drops every entry (a rebuild follows); the file is rewritten on the next persist. */
  reset(): void {
    this.#entries = []
    this.#persistedCount = 0
    this.#fileHasStaleTail = true
  }

  /** Forgets what the file holds, so the next persist writes every entry (a segment renamed into place). */
  markAllUnpersisted(): void {
    this.#persistedCount = 0
    this.#fileHasStaleTail = true
  }

  /** Drops the entries of transactions aborted at or after `offset` (Kafka's TransactionIndex.truncateTo). */
  truncateTo(offset: bigint): void {
    let keep = this.#entries.length
    while (keep > 0 && (this.#entries[keep - 1] as AbortedTxn).lastOffset >= offset) keep--
    if (keep === this.#entries.length) return
    this.#entries.length = keep
    if (this.#persistedCount > keep) {
      this.#persistedCount = keep
      this.#fileHasStaleTail = true
    }
  }

  /**
   * Adds to `into` the entries overlapping [fetchOffset, upperBoundOffset) (Kafka's collectAbortedTxns). Returns
   * true when the search is complete: an entry's lastStableOffset reached the bound, so no later entry (here or
   * in a later segment) can describe a transaction that began before it.
   */
  collectAbortedTxns(fetchOffset: bigint, upperBoundOffset: bigint, into: AbortedTransaction[]): boolean {
    for (const entry of this.#entries) {
      if (entry.lastOffset >= fetchOffset && entry.firstOffset < upperBoundOffset) {
        into.push({ producerId: entry.producerId, firstOffset: entry.firstOffset })
      }
      if (entry.lastStableOffset >= upperBoundOffset) return true
    }
    return false
  }

  /**
   * Writes what changed to `path` with one write (no fsync); false if nothing was written. An index without
   * entries whose file does not exist stays without a file (the lazy creation Kafka does).
   */
  writeChanges(fs: FileSystem, path: string): boolean {
    if (!this.hasUnpersistedChanges) return false
    const count = this.#entries.length
    if (count === 0 && !fs.exists(path)) {
      this.#persistedCount = 0
      this.#fileHasStaleTail = false
      return false
    }
    const handle = fs.open(path, { create: true })
    try {
      const from = this.#persistedCount * ABORTED_TXN_BYTES
      if (this.#fileHasStaleTail) handle.truncate(from)
      if (count > this.#persistedCount) handle.write(encodeAbortedTxns(this.#entries.slice(this.#persistedCount)), from)
    } finally {
      handle.close()
    }
    this.#persistedCount = count
    this.#fileHasStaleTail = false
    return true
  }
}
