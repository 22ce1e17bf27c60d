// One partition's log (Kafka's UnifiedLog, local part only): a list of segments of which the last is active,
// the log start offset, the recovery point, the high watermark the broker sets, and the leader epoch cache.
// Appends go to the active segment with one write per call; reads find their segment by binary search and their
// position through the segment's index. Transactions: producer state tracks the open ones (firstUnstableOffset);
// an ABORT marker's append indexes the aborted transaction in the active segment's `.txnindex` (log-read.ts
// searches them).

import type { RecordBatchView } from '@samsa/protocol'
import type {
  AbortedTransaction,
  AppendOptions,
  AppendResult,
  BatchHeader,
  LogConfig,
  PartitionLog,
  ReadOptions,
  ReadResult,
} from '../api.ts'
import type { Clock, TimerHandle } from '../clock.ts'
import { CorruptRecordError, LogClosedError, OffsetOutOfRangeError } from '../errors.ts'
import type { FileSystem } from '../fs/file-system.ts'
import { isNever } from '../log-config.ts'
import { ProducerStateManager } from '../producer-state/producer-state-manager.ts'
import { checkFollowerOffsets, splitForAppend } from './append-validation.ts'
import { batchHeaderOf } from './batch-header.ts'
import type { LeaderEpochFileCache } from './leader-epoch-cache.ts'
import { loadLog, type LoadedLog } from './log-loader.ts'
import {
  batchHeadersFrom,
  collectAbortedTransactions,
  offsetForTimestamp,
  offsetOfMaxTimestamp,
  readLog,
} from './log-read.ts'
import { LogSegment, type TimestampAndOffset } from './log-segment.ts'
import { rethrowLater } from './segment-search.ts'
import { txnIndexRebuild } from './txn-index-rebuild.ts'

export interface UnifiedLogOptions {
  topic: string
  partition: number
  dir: string
  fs: FileSystem
  clock: Clock
  config: LogConfig
  loaded: LoadedLog
  /** From replication-offset-checkpoint; clamped to [logStartOffset, logEndOffset]. */
  highWatermark: bigint | undefined
  /** Failures of work the log started on its own (a flush after a roll, flush.ms, delayed file removal). */
  onBackgroundError: (error: unknown, context: string) => void
  producerIdExpirationMs?: number // producer.id.expiration.ms, default one day
  warn?: (message: string) => void
}

/** What opening a partition directory needs beyond the log itself; checkpoint values default to "absent". */
export interface OpenLogOptions extends Omit<UnifiedLogOptions, 'loaded' | 'highWatermark' | 'onBackgroundError'> {
  recoveryPoint?: bigint
  logStartOffset?: bigint
  highWatermark?: bigint
  hadCleanShutdown?: boolean
  warn?: (message: string) => void
  onBackgroundError?: (error: unknown, context: string) => void
}

export class UnifiedLog implements PartitionLog {
  readonly topic: string
  readonly partition: number
  readonly dir: string
  config: LogConfig
  topicId: string | null
  readonly #fs: FileSystem
  readonly #clock: Clock
  readonly #segments: LogSegment[]
  readonly #leaderEpochCache: LeaderEpochFileCache
  readonly #onBackgroundError: (error: unknown, context: string) => void
  readonly #warn: (message: string) => void
  readonly #producerState: ProducerStateManager
  #logStartOffset: bigint
  #highWatermark: bigint
  #recoveryPoint: bigint
  #unflushedMessages = 0
  #flushTimer: TimerHandle | null = null
  #flushChain: Promise<void> = Promise.resolve()
  /** A new segment file exists whose directory entry has not been synced yet. */
  #isDirectoryDirty = false
  /** Bumped by every truncation, so a flush that raced with one does not advance the recovery point. */
  #truncations = 0
  readonly #pendingFileRemovals = new Map<TimerHandle, string[]>()
  #isClosed = false
  #isClosing = false
  #wasRecovered = false

  constructor(options: UnifiedLogOptions) {
    this.topic = options.topic
    this.partition = options.partition
    this.dir = options.dir
    this.config = options.config
    this.#fs = options.fs
    this.#clock = options.clock
    this.#onBackgroundError = options.onBackgroundError
    this.#warn = options.warn ?? (() => {})
    this.#producerState = new ProducerStateManager(this.#fs, this.dir, options.producerIdExpirationMs)
    this.#segments = options.loaded.segments
    this.#leaderEpochCache = options.loaded.leaderEpochCache
    this.#logStartOffset = options.loaded.logStartOffset
    this.#recoveryPoint = options.loaded.recoveryPoint
    this.topicId = options.loaded.topicId
    this.#highWatermark = this.#clampToLog(options.highWatermark ?? this.#logStartOffset)
  }

  /** Opens (creating if needed) and recovers a partition directory. */
  static open(options: OpenLogOptions): UnifiedLog {
    options.fs.mkdirp(options.dir)
    const loaded = loadLog({
      fs: options.fs,
      dir: options.dir,
      nowMs: options.clock.now(),
      maxIndexBytes: options.config.segmentIndexBytes,
      indexIntervalBytes: options.config.indexIntervalBytes,
      recoveryPoint: options.recoveryPoint ?? 0n,
      logStartOffset: options.logStartOffset,
      hadCleanShutdown: options.hadCleanShutdown ?? false,
      warn: options.warn ?? (() => {}),
    })
    const log = new UnifiedLog({
      ...options,
      loaded,
      highWatermark: options.highWatermark,
      onBackgroundError: options.onBackgroundError ?? rethrowLater,
    })
    log.#wasRecovered = loaded.recovered
    log.#loadProducerState(loaded.recoveredSegments)
    return log
  }

  /** Opening the log recovered segments (so a flush now saves the next start-up from doing it again). */
  get wasRecovered(): boolean {
    return this.#wasRecovered
  }

  get logStartOffset(): bigint {
    return this.#logStartOffset
  }

  /** Producer state (KIP-98), kept in step with the log by append, roll, truncation and close. */
  get producerState(): ProducerStateManager {
    return this.#producerState
  }

  get logEndOffset(): bigint {
    return this.activeSegment.nextOffset
  }

  get sizeInBytes(): number {
    let total = 0
    for (const segment of this.#segments) total += segment.size
    return total
  }

  get highWatermark(): bigint {
    return this.#highWatermark
  }

  /** Kept within [logStartOffset, logEndOffset], as Kafka's updateHighWatermark does. */
  set highWatermark(offset: bigint) {
    this.#highWatermark = this.#clampToLog(offset)
    this.#producerState.onHighWatermarkUpdated(this.#highWatermark)
  }

  /**
   * The first offset of the oldest transaction still open, or completed by a marker the high watermark has not
   * passed yet (as in Kafka), never below the log start offset; null if there is none.
   */
  get firstUnstableOffset(): bigint | null {
    const offset = this.#producerState.firstUnstableOffset
    if (offset === null) return null
    return offset < this.#logStartOffset ? this.#logStartOffset : offset
  }

  /** Everything below this offset is known to be on disk (recovery-point-offset-checkpoint). */
  get recoveryPoint(): bigint {
    return this.#recoveryPoint
  }

  get activeSegment(): LogSegment {
    return this.#segments[this.#segments.length - 1] as LogSegment
  }

  /** The segments, oldest first (the last is active). A snapshot: the log may change it on the next call. */
  get segments(): readonly LogSegment[] {
    return [...this.#segments]
  }

  /** How many truncations this log has seen: work built on its old content (the cleaner's) must not commit. */
  get truncationCount(): number {
    return this.#truncations
  }

  get isClosed(): boolean {
    return this.#isClosed
  }

  get leaderEpochCache(): LeaderEpochFileCache {
    return this.#leaderEpochCache
  }

  append(batches: Buffer, options: AppendOptions): AppendResult {
    this.#checkOpen()
    const views = splitForAppend(batches, this.#name, this.config.segmentBytes)
    const logEndOffset = this.logEndOffset
    if (options.assignOffsets) {
      let nextOffset = logEndOffset
      for (const view of views) {
        view.baseOffset = nextOffset
        view.partitionLeaderEpoch = options.leaderEpoch
        if (options.logAppendTimeMs !== undefined) view.setLogAppendTime(options.logAppendTimeMs)
        nextOffset = view.nextOffset
      }
    } else {
      checkFollowerOffsets(views, logEndOffset, this.#name)
    }
    let maxTimestamp = -1n
    let records = 0
    for (const view of views) {
      if (view.maxTimestamp > maxTimestamp) maxTimestamp = view.maxTimestamp
      records += view.lastOffsetDelta + 1
    }
    const first = views[0] as RecordBatchView
    const last = views[views.length - 1] as RecordBatchView
    const firstOffset = first.baseOffset
    const lastOffset = last.lastOffset
    const segment = this.#maybeRoll(batches.length, firstOffset, lastOffset, maxTimestamp)
    segment.append(batches, views, this.config.indexIntervalBytes, options.background === true)
    for (const view of views) this.#leaderEpochCache.assign(view.partitionLeaderEpoch, view.baseOffset)
    for (const view of views) {
      if (view.producerId < 0n) continue
      const aborted = this.#producerState.update(batchHeaderOf(view))
      if (aborted !== null) segment.txnIndex.append(aborted)
    }
    this.#producerState.updateMapEndOffset(lastOffset + 1n)
    this.#unflushedMessages += records
    this.#scheduleFlushPolicy()
    return {
      firstOffset,
      lastOffset,
      logEndOffset: lastOffset + 1n,
      logAppendTimeMs: options.assignOffsets && options.logAppendTimeMs !== undefined ? options.logAppendTimeMs : -1,
      maxTimestamp,
    }
  }

  read(options: ReadOptions): ReadResult {
    this.#checkOpen()
    return readLog(this.#segments, this.#logStartOffset, options, () => this.#name)
  }

  abortedTransactions(fromOffset: bigint, upperBoundOffset: bigint): AbortedTransaction[] {
    this.#checkOpen()
    return collectAbortedTransactions(this.#segments, fromOffset, upperBoundOffset)
  }

  offsetForTimestamp(timestampMs: bigint): TimestampAndOffset | null {
    this.#checkOpen()
    return offsetForTimestamp(this.#segments, timestampMs, this.#logStartOffset)
  }

  offsetOfMaxTimestamp(): TimestampAndOffset | null {
    this.#checkOpen()
    return offsetOfMaxTimestamp(this.#segments)
  }

  endOffsetForEpoch(leaderEpoch: number): { leaderEpoch: number; endOffset: bigint } | null {
    this.#checkOpen()
    return this.#leaderEpochCache.endOffsetFor(leaderEpoch, this.logEndOffset)
  }

  batchHeaders(fromOffset: bigint): Generator<BatchHeader, void, undefined> {
    this.#checkOpen()
    return batchHeadersFrom([...this.#segments], fromOffset)
  }

  /** The leader epoch of the record at `offset`, from the epoch cache (ListOffsets' leaderEpoch). */
  epochForOffset(offset: bigint): number | null {
    return this.#leaderEpochCache.epochForOffset(offset)
  }

  deleteRecordsBefore(offset: bigint): bigint {
    this.#checkOpen()
    if (offset < 0n || offset > this.#highWatermark) {
      throw new OffsetOutOfRangeError(
        `cannot move the log start offset of ${this.#name} to ${offset}: it must be within [0, high watermark ${this.#highWatermark}]`,
        offset,
        this.#logStartOffset,
        this.logEndOffset,
      )
    }
    if (offset > this.#logStartOffset) {
      this.#logStartOffset = offset
      this.#leaderEpochCache.truncateFromStart(offset)
      this.#deleteSegmentsWhile((_, next) => next.baseOffset <= this.#logStartOffset)
    }
    return this.#logStartOffset
  }

  truncateTo(offset: bigint): void {
    this.#checkOpen()
    if (offset < 0n) {
      throw new OffsetOutOfRangeError(`cannot truncate ${this.#name} to negative offset ${offset}`, offset, 0n, 0n)
    }
    if (offset >= this.logEndOffset) return
    if (offset < (this.#segments[0] as LogSegment).baseOffset) {
      this.truncateFullyAndStartAt(offset)
      return
    }
    this.#truncations++
    const doomed = this.#segments.filter((s) => s.baseOffset > offset)
    this.#removeSegments(doomed)
    this.activeSegment.truncateTo(offset)
    this.#fs.syncDirectorySync(this.dir)
    this.#afterTruncation()
  }

  /** Empties the log and restarts it at `offset` (a follower whose fetch offset fell below the leader's log start). */
  truncateFullyAndStartAt(offset: bigint): void {
    this.#checkOpen()
    this.#truncations++
    // The old files go first: the new segment may have the same base offset, hence the same file names.
    this.#removeSegments([...this.#segments])
    this.#segments.push(this.#createSegment(offset))
    this.#fs.syncDirectorySync(this.dir)
    this.#logStartOffset = offset
    this.#leaderEpochCache.clear()
    this.#afterTruncation()
  }

  /** Starts a new active segment at the log end offset (Kafka's roll; also for tests and the cleaner's tests). */
  roll(): LogSegment {
    this.#checkOpen()
    return this.#roll(this.logEndOffset)
  }

  /** Writes pending index entries and fdatasyncs every segment with unsynced data; advances the recovery point. */
  flush(): Promise<void> {
    if (this.#flushTimer !== null) {
      this.#clock.clearTimer(this.#flushTimer)
      this.#flushTimer = null
    }
    const run = this.#flushChain.then(() => this.#flushNow())
    // The chain must survive a failed flush, or every later flush would fail with it.
    this.#flushChain = run.catch(() => undefined)
    return run
  }

  /**
   * Retention (Kafka's deleteOldSegments): with cleanup.policy delete, whole segments older than retention.ms (by
   * their largest timestamp) or beyond retention.bytes; under any policy, segments wholly below the log start
   * offset. Never the active segment, never a segment with offsets at or above the high watermark.
   * Returns the number of segments deleted.
   */
  deleteOldSegments(): number {
    if (this.#isClosed) return 0
    let deleted = 0
    const { retentionMs, retentionBytes, cleanupPolicy } = this.config
    if (cleanupPolicy.includes('delete')) {
      const nowMs = this.#clock.now()
      if (retentionMs >= 0) {
        deleted += this.#deleteSegmentsWhile(
          // An empty inactive segment (all its records compacted away) holds nothing worth keeping.
          (segment) =>
            segment.size === 0 ||
            (segment.largestTimestamp >= 0n && nowMs - Number(segment.largestTimestamp) > retentionMs),
        )
      }
      if (retentionBytes >= 0) {
        let excess = this.sizeInBytes - retentionBytes
        deleted += this.#deleteSegmentsWhile((segment) => {
          if (excess - segment.size < 0) return false
          excess -= segment.size
          return true
        })
      }
    }
    deleted += this.#deleteSegmentsWhile((_, next) => next.baseOffset <= this.#logStartOffset)
    return deleted
  }

  /**
   * The cleaner's commit: `replacement` (fully written and synced under a temporary name) takes the place of
   * `replaced`, which must still be consecutive, inactive segments of this log. If they are not (the log changed
   * while the cleaner worked), returns false and changes nothing. Otherwise calls `commit` first (which makes the
   * replacement durable as the new truth, Kafka's rename to `.swap`), then retires the replaced segments.
   */
  replaceSegments(replacement: LogSegment, replaced: readonly LogSegment[], commit: () => void): boolean {
    const start = this.#segments.indexOf(replaced[0] as LogSegment)
    const isIntact =
      start >= 0 &&
      replaced.every((segment, i) => this.#segments[start + i] === segment) &&
      start + replaced.length < this.#segments.length
    if (!isIntact || this.#isClosed) return false
    commit()
    this.#segments.splice(start, replaced.length, replacement)
    this.#schedulePathRemoval(replaced.flatMap((segment) => segment.markDeleted()))
    return true
  }

  /** Flushes, then closes every file. Pending `.deleted` files are removed now rather than after their delay. */
  async close(): Promise<void> {
    if (this.#isClosed) return
    this.#isClosing = true
    await this.flush()
    // Kafka snapshots producer state on clean shutdown, so the next start replays nothing.
    if (!this.#isClosed) this.#producerState.takeSnapshot()
    this.#closeFiles()
  }

  /** Closes the files without flushing (the log's directory is about to be deleted). */
  closeWithoutFlush(): void {
    if (!this.#isClosed) this.#closeFiles()
  }

  #closeFiles(): void {
    this.#isClosed = true
    if (this.#flushTimer !== null) this.#clock.clearTimer(this.#flushTimer)
    for (const segment of this.#segments) segment.close()
    for (const [timer, paths] of this.#pendingFileRemovals) {
      this.#clock.clearTimer(timer)
      for (const path of paths) this.#fs.remove(path)
    }
    this.#pendingFileRemovals.clear()
  }

  async #flushNow(): Promise<void> {
    if (this.#isClosed) return
    const target = this.logEndOffset
    const truncations = this.#truncations
    this.#unflushedMessages = 0
    const syncDirectory = this.#isDirectoryDirty
    this.#isDirectoryDirty = false
    try {
      await Promise.all([
        ...this.#segments
          .filter((s) => s.hasUnflushedChanges)
          .map((s) => s.flush(this.#isClosing || s !== this.activeSegment)),
        syncDirectory ? this.#fs.syncDirectory(this.dir) : undefined,
      ])
    } catch (error) {
      if (syncDirectory) this.#isDirectoryDirty = true
      throw error
    }
    if (truncations === this.#truncations && target > this.#recoveryPoint) this.#recoveryPoint = target
  }

  /** Kafka's shouldRoll: the segment would outgrow segment.bytes, is older than segment.ms, or its index is full. */
  #maybeRoll(messagesBytes: number, firstOffset: bigint, lastOffset: bigint, maxTimestamp: bigint): LogSegment {
    const segment = this.activeSegment
    const { segmentBytes, segmentMs } = this.config
    const isNonEmpty = segment.size > 0
    const shouldRoll =
      (isNonEmpty && segment.size + messagesBytes > segmentBytes) ||
      (isNonEmpty && segment.timeWaitedForRoll(this.#clock.now(), maxTimestamp) > segmentMs) ||
      segment.isIndexFull ||
      !segment.canHoldOffset(lastOffset)
    if (!shouldRoll) return segment
    const rolled = this.#roll(firstOffset)
    if (!rolled.canHoldOffset(lastOffset)) {
      throw new CorruptRecordError(`batches spanning offsets ${firstOffset} to ${lastOffset} cannot fit one segment`)
    }
    return rolled
  }

  #roll(baseOffset: bigint): LogSegment {
    const active = this.activeSegment
    if (active.size === 0) {
      if (active.baseOffset === baseOffset) return active
      // An empty active segment at another offset (a follower jumping over a gap): replace it.
      this.#segments.pop()
      this.#schedulePathRemoval(active.markDeleted())
    } else {
      active.onBecomeInactive()
    }
    const segment = this.#createSegment(baseOffset)
    this.#segments.push(segment)
    // The snapshot at each segment's base offset bounds the replay after a crash to the active segment.
    this.#producerState.updateMapEndOffset(baseOffset)
    this.#producerState.takeSnapshot()
    // Kafka flushes the segment it rolled away from in the background, moving the recovery point to the new one.
    this.#flushInBackground('flush after segment roll')
    return segment
  }

  #createSegment(baseOffset: bigint): LogSegment {
    this.#isDirectoryDirty = true
    return LogSegment.create(this.#fs, this.dir, baseOffset, {
      maxIndexBytes: this.config.segmentIndexBytes,
      nowMs: this.#clock.now(),
    })
  }

  /** flush.messages counts records since the last flush; flush.ms starts counting at the first unflushed append. */
  #scheduleFlushPolicy(): void {
    const { flushMessages, flushMs } = this.config
    if (!isNever(flushMessages) && this.#unflushedMessages >= flushMessages) {
      this.#flushInBackground('flush.messages')
      return
    }
    if (!isNever(flushMs) && this.#flushTimer === null) {
      this.#flushTimer = this.#clock.setTimer(flushMs, () => {
        this.#flushTimer = null
        this.#flushInBackground('flush.ms')
      })
    }
  }

  #flushInBackground(context: string): void {
    this.flush().catch((error: unknown) => this.#onBackgroundError(error, `${context} of ${this.#name}`))
  }

  /** Deletes segments from the oldest while `predicate` holds, stopping at the active segment and the high watermark. */
  #deleteSegmentsWhile(predicate: (segment: LogSegment, next: LogSegment) => boolean): number {
    let count = 0
    while (count + 1 < this.#segments.length) {
      const segment = this.#segments[count] as LogSegment
      const next = this.#segments[count + 1] as LogSegment
      if (next.baseOffset > this.#highWatermark || !predicate(segment, next)) break
      count++
    }
    if (count === 0) return 0
    this.#removeSegments(this.#segments.slice(0, count))
    const firstOffset = (this.#segments[0] as LogSegment).baseOffset
    if (firstOffset > this.#logStartOffset) {
      this.#logStartOffset = firstOffset
      this.#leaderEpochCache.truncateFromStart(firstOffset)
    }
    return count
  }

  /** Takes segments out of the log: renamed to `.deleted` now, removed after file.delete.delay.ms (Kafka's way). */
  #removeSegments(doomed: readonly LogSegment[]): void {
    if (doomed.length === 0) return
    const set = new Set(doomed)
    for (let i = this.#segments.length - 1; i >= 0; i--) {
      if (set.has(this.#segments[i] as LogSegment)) this.#segments.splice(i, 1)
    }
    this.#schedulePathRemoval(doomed.flatMap((segment) => segment.markDeleted()))
    for (const segment of doomed) this.#producerState.deleteSnapshot(segment.baseOffset)
  }

  #schedulePathRemoval(paths: string[]): void {
    if (paths.length === 0) return
    const timer = this.#clock.setTimer(this.config.fileDeleteDelayMs, () => {
      this.#pendingFileRemovals.delete(timer)
      try {
        for (const path of paths) this.#fs.remove(path)
      } catch (error) {
        this.#onBackgroundError(error, `removing deleted segment files of ${this.#name}`)
      }
    })
    this.#pendingFileRemovals.set(timer, paths)
  }

  #afterTruncation(): void {
    const logEndOffset = this.logEndOffset
    this.#leaderEpochCache.truncateFromEnd(logEndOffset)
    if (this.#logStartOffset > logEndOffset) this.#logStartOffset = logEndOffset
    this.#highWatermark = this.#clampToLog(this.#highWatermark)
    if (this.#recoveryPoint > logEndOffset) this.#recoveryPoint = logEndOffset
    this.#producerState.reloadFor(this, this.#clock.now(), this.#warn)
    this.#producerState.onHighWatermarkUpdated(this.#highWatermark)
  }

  /** Kafka's loadProducerState, rebuilding the `.txnindex` of the segments recovery re-read on the way. */
  #loadProducerState(recovered: ReadonlySet<LogSegment>): void {
    const rebuild = txnIndexRebuild(this.#segments, recovered)
    this.#producerState.reloadFor(this, this.#clock.now(), this.#warn, rebuild)
    this.#producerState.onHighWatermarkUpdated(this.#highWatermark)
  }

  #clampToLog(offset: bigint): bigint {
    if (offset < this.#logStartOffset) return this.#logStartOffset
    const logEndOffset = this.logEndOffset
    return offset > logEndOffset ? logEndOffset : offset
  }

  #checkOpen(): void {
    if (this.#isClosed) throw new LogClosedError(`the log of ${this.#name} is closed`)
  }

  get #name(): string {
    return `${this.topic}-${this.partition}`
  }
}
