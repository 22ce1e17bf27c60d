// One segment of a partition log (Kafka's LogSegment): `<base>.log` holding batches exactly as appended, plus the
// sparse `<base>.index` and `<base>.timeindex`, and `<base>.txnindex` once a transaction is aborted in it. The .log file stays open for the segment's life; index files are
// opened only to persist new entries (see index-entries.ts).

import { posix } from 'node:path'
import {
  BASE_OFFSET_OFFSET,
  BATCH_LENGTH_OFFSET,
  LAST_OFFSET_DELTA_OFFSET,
  LOG_OVERHEAD,
  ProtocolDecodeError,
  decodeBatchRecords,
  resolveRecords,
  type DecodedRecord,
  type RecordBatchView,
} from '@samsa/protocol'
import { CorruptRecordError } from '../errors.ts'
import { syncFile, syncFileSync } from '../fs/durable-write.ts'
import type { FileHandle, FileSystem } from '../fs/file-system.ts'
import { type BatchLocation, findBatchLocation, scanBatches } from './batch-scanner.ts'
import {
  DELETED_FILE_SUFFIX,
  INDEX_FILE_SUFFIX,
  LOG_FILE_SUFFIX,
  TIME_INDEX_FILE_SUFFIX,
  offsetFileName,
} from './file-names.ts'
import { OffsetIndex } from './offset-index.ts'
import { TimeIndex } from './time-index.ts'
import { CorruptTransactionIndexError, TXN_INDEX_FILE_SUFFIX, TransactionIndex } from './transaction-index.ts'

const MAX_RELATIVE_OFFSET = 0x7fffffffn

/** Header facts of one batch and where it sits in the segment file. */
const allocUnsafe = (size: number): Buffer => Buffer.allocUnsafe(size)

export type { BatchLocation } from './batch-scanner.ts'

/** A record found by timestamp: ListOffsets' answer. */
export interface TimestampAndOffset {
  offset: bigint
  timestamp: bigint
  leaderEpoch: number
}

export interface SegmentOptions {
  /** segment.index.bytes when the segment was created (fixed for its life, as in Kafka). */
  maxIndexBytes: number
  nowMs: number
  /** Appended to `<base>.log`, e.g. `.cleaned` while the cleaner writes a replacement segment. */
  fileSuffix?: string
}

export class LogSegment {
  readonly baseOffset: bigint
  readonly #fs: FileSystem
  readonly #dir: string
  #fileSuffix: string
  #file: FileHandle
  #size = 0
  #nextOffset: bigint
  #offsetIndex: OffsetIndex
  #timeIndex: TimeIndex
  readonly #txnIndex = new TransactionIndex()
  readonly #maxIndexBytes: number
  #maxTimestampSoFar = -1n
  /** Last offset of the batch that holds maxTimestampSoFar (Kafka's shallowOffsetOfMaxTimestampSoFar). */
  #offsetOfMaxTimestampSoFar: bigint
  #bytesSinceLastIndexEntry = 0
  /** The first batch's maxTimestamp, which segment.ms counts from; undefined until looked up. */
  #firstBatchTimestamp: bigint | null | undefined = undefined
  readonly #createdMs: number
  #hasUnflushedLog = false
  /** Index files written but not yet fdatasynced. */
  readonly #unsyncedIndexPaths = new Set<string>()
  #syncsInFlight = 0
  #isClosed = false
  #closeWhenIdle = false

  private constructor(fs: FileSystem, dir: string, baseOffset: bigint, file: FileHandle, options: SegmentOptions) {
    this.#fs = fs
    this.#dir = dir
    this.baseOffset = baseOffset
    this.#file = file
    this.#fileSuffix = options.fileSuffix ?? ''
    this.#maxIndexBytes = options.maxIndexBytes
    this.#nextOffset = baseOffset
    this.#offsetOfMaxTimestampSoFar = baseOffset
    this.#offsetIndex = new OffsetIndex(baseOffset, options.maxIndexBytes)
    this.#timeIndex = new TimeIndex(baseOffset, options.maxIndexBytes)
    this.#createdMs = options.nowMs
  }

  /**
   * A new, empty segment. Its index files are created now too, so an empty segment looks like Kafka's on disk —
   * except under a file suffix (the cleaner's `.cleaned`), where `<base>.index` still belongs to the live segment.
   */
  static create(fs: FileSystem, dir: string, baseOffset: bigint, options: SegmentOptions): LogSegment {
    const file = fs.open(segmentPath(dir, baseOffset, options), { create: true })
    const segment = new LogSegment(fs, dir, baseOffset, file, options)
    segment.markIndexesUnpersisted()
    segment.#writeIndexChanges()
    return segment
  }

  /** An existing segment; the caller then calls loadIndexes() (flushed segments) or recover() (the rest). */
  static open(fs: FileSystem, dir: string, baseOffset: bigint, options: SegmentOptions): LogSegment {
    const segment = new LogSegment(fs, dir, baseOffset, fs.open(segmentPath(dir, baseOffset, options)), options)
    segment.#size = segment.#file.size()
    return segment
  }

  get fs(): FileSystem {
    return this.#fs
  }

  get size(): number {
    return this.#size
  }

  /** The offset after the last batch (the base offset while empty). */
  get nextOffset(): bigint {
    return this.#nextOffset
  }

  /** The largest batch maxTimestamp in the segment, or -1 (retention.ms compares against this). */
  get largestTimestamp(): bigint {
    return this.#maxTimestampSoFar
  }

  get logPath(): string {
    return segmentPath(this.#dir, this.baseOffset, { fileSuffix: this.#fileSuffix })
  }

  get hasUnflushedChanges(): boolean {
    return (
      this.#hasUnflushedLog ||
      this.#unsyncedIndexPaths.size > 0 ||
      this.#offsetIndex.entries.hasUnpersistedChanges ||
      this.#timeIndex.entries.hasUnpersistedChanges ||
      this.#txnIndex.hasUnpersistedChanges
    )
  }

  get isIndexFull(): boolean {
    return this.#offsetIndex.isFull || this.#timeIndex.isFull
  }

  get offsetIndex(): OffsetIndex {
    return this.#offsetIndex
  }

  get timeIndex(): TimeIndex {
    return this.#timeIndex
  }

  /** The transactions aborted by markers in this segment (`.txnindex`). */
  get txnIndex(): TransactionIndex {
    return this.#txnIndex
  }

  /** The first batch's maxTimestamp (-1 if none): max.compaction.lag.ms counts from it. */
  get firstBatchTimestamp(): bigint {
    if (this.#firstBatchTimestamp === undefined) this.#firstBatchTimestamp = this.#readFirstBatchTimestamp()
    return this.#firstBatchTimestamp ?? -1n
  }

  /** Whether `offset` can be stored here as a relative offset (an int32 from the base offset). */
  canHoldOffset(offset: bigint): boolean {
    return offset - this.baseOffset <= MAX_RELATIVE_OFFSET && offset >= this.baseOffset
  }

  /** How long this segment has been filling, in Kafka's terms (LogSegment.timeWaitedForRoll). */
  timeWaitedForRoll(nowMs: number, messageTimestamp: bigint): number {
    if (this.#firstBatchTimestamp === undefined) this.#firstBatchTimestamp = this.#readFirstBatchTimestamp()
    const first = this.#firstBatchTimestamp
    if (first !== null && first >= 0n) return Number(messageTimestamp - first)
    return nowMs - this.#createdMs
  }

  /**
   * Writes `data` (the batches `views` look at, offsets already assigned) at the end with one write, then indexes
   * them: an offset index entry whenever more than index.interval.bytes went by since the last one.
   */
  append(data: Buffer, views: readonly RecordBatchView[], indexIntervalBytes: number, background = false): void {
    const wasEmpty = this.#size === 0
    this.#file.write(data, this.#size, background ? { background } : undefined)
    let position = this.#size
    for (const view of views) {
      this.#indexBatch(view, position, indexIntervalBytes)
      position += view.byteLength
    }
    if (wasEmpty && views[0] !== undefined) this.#firstBatchTimestamp = views[0].maxTimestamp
    this.#size = position
    this.#hasUnflushedLog = true
  }

  /** Batches from file position `from` to the end (views valid until the iteration moves on). */
  scan(from = 0): ReturnType<typeof scanBatches> {
    return scanBatches(this.#file, from, this.#size)
  }

  /** Reads file[position, position + length). */
  readBytes(position: number, length: number, allocate: (size: number) => Buffer = allocUnsafe): Buffer {
    const buffer = allocate(length)
    const read = this.#file.read(buffer, position, length)
    return buffer.subarray(0, read)
  }

  /**
   * Rebuilds the indexes and the in-memory state by reading every batch, checking CRCs and offsets, and cuts the
   * file at the first batch that is torn or corrupt (Kafka's LogSegment.recover). Returns the bytes cut and why.
   */
  recover(
    indexIntervalBytes: number,
    onBatch: (view: RecordBatchView) => void,
  ): { truncatedBytes: number; reason: string | null } {
    this.#resetIndexes()
    const fileSize = this.#file.size()
    let validBytes = 0
    let reason: string | null = null
    for (const scanned of scanBatches(this.#file, 0, fileSize)) {
      const view = scanned.view
      reason = view === null ? scanned.problem : (view.problem() ?? this.#offsetProblem(view))
      if (view === null || reason !== null) {
        reason = `at position ${scanned.position}: ${reason}`
        break
      }
      this.#indexBatch(view, scanned.position, indexIntervalBytes)
      if (validBytes === 0) this.#firstBatchTimestamp = view.maxTimestamp
      onBatch(view)
      validBytes = scanned.position + view.byteLength
    }
    if (validBytes < fileSize) this.#file.truncate(validBytes)
    // Whatever recovery read came from the page cache as much as from the disk: sync it with the next flush.
    this.#hasUnflushedLog = true
    this.#size = validBytes
    if (validBytes === 0) this.#firstBatchTimestamp = null
    return { truncatedBytes: fileSize - validBytes, reason }
  }

  /**
   * For a segment below the recovery point: trusts the log, loads the index files (checking them as Kafka's
   * sanityCheck does) and reads only the batches after the last index entry. Returns false if an index is missing
   * or fails the checks; the caller then recovers the segment, which rebuilds them.
   */
  loadIndexes(): boolean {
    const indexPath = this.#siblingPath(INDEX_FILE_SUFFIX)
    const timeIndexPath = this.#siblingPath(TIME_INDEX_FILE_SUFFIX)
    if (!this.#fs.exists(indexPath) || !this.#fs.exists(timeIndexPath)) return false
    if (!this.#offsetIndex.loadChecked(this.#fs.readFile(indexPath), this.#size)) return false
    if (!this.#loadTxnIndex()) return false
    const tailStart = this.#offsetIndex.lastEntry?.position ?? 0
    this.#nextOffset = this.baseOffset
    let tailMaxTimestamp = -1n
    let tailMaxTimestampOffset = this.baseOffset
    for (const scanned of scanBatches(this.#file, tailStart, this.#size)) {
      if (scanned.view === null || this.#offsetProblem(scanned.view) !== null) return false
      if (scanned.view.maxTimestamp > tailMaxTimestamp) {
        tailMaxTimestamp = scanned.view.maxTimestamp
        tailMaxTimestampOffset = scanned.view.lastOffset
      }
      this.#nextOffset = scanned.view.nextOffset
    }
    if (this.#size > 0 && this.#nextOffset === this.baseOffset) return false
    this.#bytesSinceLastIndexEntry = this.#size - tailStart
    if (!this.#timeIndex.loadChecked(this.#fs.readFile(timeIndexPath), this.#nextOffset)) return false
    const lastTimeEntry = this.#timeIndex.lastEntry
    this.#maxTimestampSoFar = lastTimeEntry?.timestamp ?? -1n
    this.#offsetOfMaxTimestampSoFar = lastTimeEntry?.offset ?? this.baseOffset
    if (tailMaxTimestamp > this.#maxTimestampSoFar) {
      this.#maxTimestampSoFar = tailMaxTimestamp
      this.#offsetOfMaxTimestampSoFar = tailMaxTimestampOffset
    }
    return true
  }

  /** The first batch whose last offset is ≥ offset, found through the index then a short header scan. */
  translateOffset(offset: bigint): BatchLocation | null {
    return findBatchLocation(this.#file, this.#offsetIndex.lookup(offset).position, this.#size, offset)
  }

  /**
   * Whole batches from the one holding `startOffset`, stopping before a batch whose last offset is ≥ maxOffset and
   * at maxBytes (but with minOneMessage, the first batch even if it is larger: KIP-74). Null when no batch here
   * reaches startOffset, so the caller moves on to the next segment.
   */
  read(
    startOffset: bigint,
    maxOffset: bigint,
    maxBytes: number,
    minOneMessage: boolean,
    allocate: (size: number) => Buffer = allocUnsafe,
  ): Buffer | null {
    const start = this.translateOffset(startOffset)
    if (start === null) return null
    if (start.lastOffset >= maxOffset) return EMPTY
    const wanted = minOneMessage ? Math.max(maxBytes, start.size) : maxBytes
    const length = Math.min(this.#size - start.position, wanted)
    if (length < start.size) return EMPTY
    const bytes = this.readBytes(start.position, length, allocate)
    let end = 0
    while (end + LOG_OVERHEAD <= bytes.length) {
      const size = LOG_OVERHEAD + bytes.readInt32BE(end + BATCH_LENGTH_OFFSET)
      if (end + size > bytes.length) break
      // Header fields read in place rather than through a view: this loop runs for every batch of every fetch.
      const lastOffset =
        bytes.readBigInt64BE(end + BASE_OFFSET_OFFSET) + BigInt(bytes.readInt32BE(end + LAST_OFFSET_DELTA_OFFSET))
      if (lastOffset >= maxOffset) break
      end += size
    }
    return bytes.subarray(0, end)
  }

  /** ListOffsets by time within this segment: the first record at or after startingOffset with timestamp ≥ target. */
  findOffsetByTimestamp(target: bigint, startingOffset: bigint): TimestampAndOffset | null {
    const entry = this.#timeIndex.lastEntryBefore(target)
    const from = entry === null ? 0 : this.#offsetIndex.lookup(entry.offset).position
    for (const scanned of scanBatches(this.#file, from, this.#size)) {
      const view = scanned.view
      if (view === null) return null
      if (view.maxTimestamp < target || view.lastOffset < startingOffset) continue
      for (const record of resolveRecords(view, this.#decode(view))) {
        if (record.timestamp >= target && record.offset >= startingOffset) {
          return { offset: record.offset, timestamp: record.timestamp, leaderEpoch: view.partitionLeaderEpoch }
        }
      }
    }
    return null
  }

  /** ListOffsets MAX_TIMESTAMP within this segment: the first record carrying the largest timestamp. */
  offsetOfMaxTimestamp(): TimestampAndOffset | null {
    const timestamp = this.#maxTimestampSoFar
    if (timestamp < 0n) return null
    const batchLastOffset = this.#offsetOfMaxTimestampSoFar
    for (const scanned of scanBatches(this.#file, this.#offsetIndex.lookup(batchLastOffset).position, this.#size)) {
      const view = scanned.view
      if (view === null || view.lastOffset > batchLastOffset) break
      if (view.lastOffset < batchLastOffset) continue
      const record = resolveRecords(view, this.#decode(view)).find((r) => r.timestamp === timestamp)
      return { offset: record?.offset ?? view.lastOffset, timestamp, leaderEpoch: view.partitionLeaderEpoch }
    }
    return null
  }

  /**
   * Removes the batch holding `offset` and everything after it (batch granularity, like Kafka), durably: the file
   * and the index files are synced before this returns, so a crash cannot bring truncated batches back.
   * Returns the bytes removed.
   */
  truncateTo(offset: bigint): number {
    if (offset >= this.#nextOffset) return 0
    const cut = offset <= this.baseOffset ? { position: 0, baseOffset: this.baseOffset } : this.translateOffset(offset)
    if (cut === null) return 0
    const removed = this.#size - cut.position
    this.#file.truncate(cut.position)
    this.#size = cut.position
    this.#offsetIndex.truncateToPosition(cut.position)
    this.#timeIndex.truncateTo(cut.baseOffset)
    this.#txnIndex.truncateTo(cut.baseOffset)
    this.#recomputeTail()
    this.#file.datasyncSync()
    this.#hasUnflushedLog = false
    for (const path of this.#writeIndexChanges()) syncFileSync(this.#fs, path)
    return removed
  }

  /** The segment stops being the active one: its last time index entry becomes its largest timestamp (Kafka). */
  onBecomeInactive(): void {
    if (this.#maxTimestampSoFar >= 0n) {
      this.#timeIndex.maybeAppend(this.#maxTimestampSoFar, this.#offsetOfMaxTimestampSoFar, true)
    }
  }

  /**
   * Writes new index entries and fdatasyncs the log file, and the index files too when `syncIndexes`. The log
   * leaves the active segment's index files unsynced: that segment is always re-read at recovery, which rebuilds
   * them, so a flush.messages=1 produce pays one fdatasync, not three. They are synced once the segment is rolled
   * (from then on recovery trusts them) and at close (the clean-shutdown marker skips recovery). The exception is
   * a changed `.txnindex` (an abort, rare): a roll's flush may not finish before a crash while the recovery point
   * already covers the segment, and a missing offset index entry only costs a longer scan, a missing aborted
   * transaction would show aborted records to read_committed consumers.
   */
  async flush(syncIndexes = true): Promise<void> {
    if (this.#isClosed || !this.hasUnflushedChanges) return
    const hadUnflushedLog = this.#hasUnflushedLog
    this.#hasUnflushedLog = false
    this.#syncsInFlight++
    let indexPaths: string[] = []
    try {
      for (const path of this.#writeIndexChanges()) this.#unsyncedIndexPaths.add(path)
      if (syncIndexes) {
        indexPaths = [...this.#unsyncedIndexPaths]
        this.#unsyncedIndexPaths.clear()
      } else {
        const txnIndexPath = this.#siblingPath(TXN_INDEX_FILE_SUFFIX)
        if (this.#unsyncedIndexPaths.delete(txnIndexPath)) indexPaths = [txnIndexPath]
      }
      await Promise.all([
        hadUnflushedLog ? this.#file.datasync() : undefined,
        ...indexPaths.map((path) => syncFile(this.#fs, path)),
      ])
    } catch (error) {
      if (hadUnflushedLog) this.#hasUnflushedLog = true
      for (const path of indexPaths) this.#unsyncedIndexPaths.add(path)
      throw error
    } finally {
      this.#syncsInFlight--
      if (this.#closeWhenIdle && this.#syncsInFlight === 0) this.#closeNow()
    }
  }

  /** Renames this segment's files (e.g. `.log.cleaned` → `.log.swap` → `.log`); index files follow on persist. */
  changeFileSuffix(fileSuffix: string): void {
    const from = this.logPath
    this.#fileSuffix = fileSuffix
    this.#fs.rename(from, this.logPath)
  }

  /** Index files written from scratch on the next flush (a segment the cleaner built under a temporary name). */
  markIndexesUnpersisted(): void {
    this.#offsetIndex.entries.markAllUnpersisted()
    this.#timeIndex.entries.markAllUnpersisted()
    this.#txnIndex.markAllUnpersisted()
  }

  /**
   * Takes the segment out of the log: its files get the `.deleted` suffix now (so a restart never sees them as
   * part of the log) and are closed; the caller removes the returned paths after file.delete.delay.ms.
   */
  markDeleted(): string[] {
    const renamed: string[] = []
    for (const path of [
      this.logPath,
      this.#siblingPath(INDEX_FILE_SUFFIX),
      this.#siblingPath(TIME_INDEX_FILE_SUFFIX),
      this.#siblingPath(TXN_INDEX_FILE_SUFFIX),
    ]) {
      if (!this.#fs.exists(path)) continue
      this.#fs.rename(path, path + DELETED_FILE_SUFFIX)
      renamed.push(path + DELETED_FILE_SUFFIX)
    }
    this.close()
    return renamed
  }

  /** Closes the .log file, waiting for fdatasyncs in flight. */
  close(): void {
    if (this.#isClosed || this.#closeWhenIdle) return
    if (this.#syncsInFlight > 0) this.#closeWhenIdle = true
    else this.#closeNow()
  }

  #closeNow(): void {
    this.#isClosed = true
    this.#file.close()
  }

  /** The records of a stored batch; records that do not decode (a CRC-valid batch from a broken client) are a CorruptRecordError. */
  #decode(view: RecordBatchView): DecodedRecord[] {
    try {
      return decodeBatchRecords(view)
    } catch (error) {
      if (!(error instanceof ProtocolDecodeError)) throw error
      throw new CorruptRecordError(
        `the batch at offset ${view.baseOffset} of ${this.logPath} does not decode: ${error.message}`,
      )
    }
  }

  #indexBatch(view: RecordBatchView, position: number, indexIntervalBytes: number): void {
    if (view.maxTimestamp > this.#maxTimestampSoFar) {
      this.#maxTimestampSoFar = view.maxTimestamp
      this.#offsetOfMaxTimestampSoFar = view.lastOffset
    }
    if (this.#bytesSinceLastIndexEntry > indexIntervalBytes) {
      this.#offsetIndex.append(view.lastOffset, position)
      this.#timeIndex.maybeAppend(this.#maxTimestampSoFar, this.#offsetOfMaxTimestampSoFar)
      this.#bytesSinceLastIndexEntry = 0
    }
    this.#bytesSinceLastIndexEntry += view.byteLength
    this.#nextOffset = view.nextOffset
  }

  /** Why a batch cannot sit at this point of this segment, or null. */
  #offsetProblem(view: RecordBatchView): string | null {
    if (view.lastOffsetDelta < 0) return `lastOffsetDelta ${view.lastOffsetDelta} is negative`
    if (view.baseOffset < this.#nextOffset) {
      return `batch base offset ${view.baseOffset} is below the previous batch's next offset ${this.#nextOffset}`
    }
    if (!this.canHoldOffset(view.lastOffset)) {
      return `offset ${view.lastOffset} does not fit a segment based at ${this.baseOffset}`
    }
    return null
  }

  #resetIndexes(): void {
    this.#offsetIndex = new OffsetIndex(this.baseOffset, this.#maxIndexBytes)
    this.#timeIndex = new TimeIndex(this.baseOffset, this.#maxIndexBytes)
    // The log rebuilds the transaction index from the replayed batches (it needs the producer state to).
    this.#txnIndex.reset()
    this.markIndexesUnpersisted()
    this.#nextOffset = this.baseOffset
    this.#maxTimestampSoFar = -1n
    this.#offsetOfMaxTimestampSoFar = this.baseOffset
    this.#bytesSinceLastIndexEntry = 0
    this.#firstBatchTimestamp = undefined
  }

  /** After a truncation: next offset and largest timestamp from the kept index entries plus a short tail scan. */
  #recomputeTail(): void {
    const lastTimeEntry = this.#timeIndex.lastEntry
    this.#maxTimestampSoFar = lastTimeEntry?.timestamp ?? -1n
    this.#offsetOfMaxTimestampSoFar = lastTimeEntry?.offset ?? this.baseOffset
    const tailStart = this.#offsetIndex.lastEntry?.position ?? 0
    this.#nextOffset = this.baseOffset
    for (const scanned of scanBatches(this.#file, tailStart, this.#size)) {
      const view = scanned.view
      if (view === null) break
      if (view.maxTimestamp > this.#maxTimestampSoFar) {
        this.#maxTimestampSoFar = view.maxTimestamp
        this.#offsetOfMaxTimestampSoFar = view.lastOffset
      }
      this.#nextOffset = view.nextOffset
    }
    this.#bytesSinceLastIndexEntry = this.#size - tailStart
    if (this.#size === 0) this.#firstBatchTimestamp = null
  }

  /**
   * Writes new index entries to the index files (no fsync); returns the paths written, for the caller to sync.
   * A segment under a temporary suffix writes none: its index files would clash with the live segment's.
   */
  #writeIndexChanges(): string[] {
    if (this.#fileSuffix !== '') return []
    const written: string[] = []
    for (const [entries, suffix] of [
      [this.#offsetIndex.entries, INDEX_FILE_SUFFIX],
      [this.#timeIndex.entries, TIME_INDEX_FILE_SUFFIX],
    ] as const) {
      const path = this.#siblingPath(suffix)
      if (entries.writeChanges(this.#fs, path)) written.push(path)
    }
    const txnIndexPath = this.#siblingPath(TXN_INDEX_FILE_SUFFIX)
    if (this.#txnIndex.writeChanges(this.#fs, txnIndexPath)) written.push(txnIndexPath)
    return written
  }

  /** Loads `<base>.txnindex` if there is one; false if it does not decode (recovery then rebuilds it). */
  #loadTxnIndex(): boolean {
    const path = this.#siblingPath(TXN_INDEX_FILE_SUFFIX)
    if (!this.#fs.exists(path)) return true
    try {
      this.#txnIndex.load(this.#fs.readFile(path))
      return true
    } catch (error) {
      if (error instanceof CorruptTransactionIndexError) return false
      throw error
    }
  }

  #readFirstBatchTimestamp(): bigint | null {
    for (const scanned of scanBatches(this.#file, 0, this.#size)) return scanned.view?.maxTimestamp ?? null
    return null
  }

  #siblingPath(suffix: string): string {
    return posix.join(this.#dir, offsetFileName(this.baseOffset, suffix))
  }
}

const EMPTY = Buffer.alloc(0)

function segmentPath(dir: string, baseOffset: bigint, options: { fileSuffix?: string }): string {
  return posix.join(dir, offsetFileName(baseOffset, LOG_FILE_SUFFIX) + (options.fileSuffix ?? ''))
}
