// The shape of @samsa/storage as the broker sees it. Storage speaks domain types (topic/partition, bigint offsets,
// record-batch bytes), never wire messages (the Tansu lesson, ARCHITECTURE.md §9.3). The broker's partitions/ layer
// owns leadership, the high watermark's meaning, delayed produce/fetch and replication; storage owns bytes on disk.
//
// This file is the contract between the storage package and the broker. Change it deliberately, with both sides.
//
// Changes since the first version (all additions; nothing the broker already uses changed shape):
// - append() writes offsets, the leader epoch and LogAppendTime into the caller's buffer in place (zero-copy), and
//   stamps leaderEpoch only on leader appends (assignOffsets: true): follower appends keep the leader's epochs.
//   Follower batches may start above the log end offset (a gap the leader's compaction left), never below.
// - read() serves batches from one segment per call, as Kafka does; the caller fetches again from the next offset.
// - highWatermark is clamped to [logStartOffset, logEndOffset] on assignment, as Kafka's updateHighWatermark is.
// - deleteRecordsBefore() throws OffsetOutOfRangeError beyond the high watermark or below 0.
// - PartitionLog gained topicId (from partition.metadata) and truncateFullyAndStartAt() (a follower whose fetch
//   offset fell below the leader's log start offset).
// - PartitionLog.batchHeaders(): the header of every batch from an offset on, for rebuilding producer state
//   (idempotence, transactions) after a restart; storage keeps no producer-state snapshots yet.
// - LogManager (the broker's entry point: open at start-up, create/delete logs, close) and its options, below.
// - PartitionLog.producerState: per-producer state (KIP-98) kept by every append, snapshotted to `.snapshot` files
//   at segment roll and close, rebuilt from the latest snapshot plus the log after it at start-up.
// - Transactions (KIP-98): BatchHeader.marker (COMMIT/ABORT control batches), PartitionLog.firstUnstableOffset and
//   abortedTransactions(), ReadOptions.collectAbortedTransactions / ReadResult.abortedTransactions (the `.txnindex`).
//   Markers are appended with the ordinary append(); ProducerStateEntry.coordinatorEpoch is the last marker's.

/** Topic-level settings that matter to the log, already resolved from topic overrides and broker defaults. */
export interface LogConfig {
  /** segment.bytes (log.segment.bytes), default 1073741824 */
  segmentBytes: number
  /** segment.ms (log.roll.ms / log.roll.hours), default 604800000 */
  segmentMs: number
  /** segment.index.bytes (log.index.size.max.bytes), default 10485760 */
  segmentIndexBytes: number
  /** index.interval.bytes (log.index.interval.bytes), default 4096 */
  indexIntervalBytes: number
  /** retention.ms (log.retention.ms|minutes|hours), default 604800000; -1 = unlimited */
  retentionMs: number
  /** retention.bytes (log.retention.bytes), default -1 = unlimited */
  retentionBytes: number
  /** cleanup.policy (log.cleanup.policy): "delete", "compact" or both */
  cleanupPolicy: ReadonlyArray<'delete' | 'compact'>
  /** min.cleanable.dirty.ratio (log.cleaner.min.cleanable.ratio), default 0.5 */
  minCleanableDirtyRatio: number
  /** min.compaction.lag.ms (log.cleaner.min.compaction.lag.ms), default 0 */
  minCompactionLagMs: number
  /** max.compaction.lag.ms (log.cleaner.max.compaction.lag.ms), default Long.MAX_VALUE (use Number.MAX_SAFE_INTEGER) */
  maxCompactionLagMs: number
  /** delete.retention.ms (log.cleaner.delete.retention.ms), default 86400000 */
  deleteRetentionMs: number
  /** flush.messages (log.flush.interval.messages), default Long.MAX_VALUE = never by count */
  flushMessages: number
  /** flush.ms (log.flush.interval.ms), default Long.MAX_VALUE = never by time (rely on the page cache) */
  flushMs: number
  /** file.delete.delay.ms (log.segment.delete.delay.ms), default 60000 */
  fileDeleteDelayMs: number
}

/** What the broker passes when appending batches it has already validated. */
export interface AppendOptions {
  /** Stamped into every batch's partitionLeaderEpoch (outside the CRC). */
  leaderEpoch: number
  /**
   * When set (message.timestamp.type=LogAppendTime), every batch gets the timestamp-type bit and this maxTimestamp,
   * and its CRC is recomputed.
   */
  logAppendTimeMs?: number
  /**
   * Leader appends assign offsets (baseOffset := log end offset). Follower appends (replication) keep the leader's
   * offsets; then the batches must start at the log end offset.
   */
  assignOffsets: boolean
  /**
   * The segment write may finish on a background thread (see fs/background-writer.ts). The caller must not
   * acknowledge the append or expose it to consumers before LogManager.appendsWritten() resolves. In exchange the
   * log keeps nothing of `batches` once append() returns: the caller may reuse their memory.
   */
  background?: boolean
}

export interface AppendResult {
  /** Offset of the first record appended. */
  firstOffset: bigint
  /** Offset of the last record appended. */
  lastOffset: bigint
  /** The new log end offset (lastOffset + 1). */
  logEndOffset: bigint
  /** The log append time stamped, or -1 for CreateTime. */
  logAppendTimeMs: number
  /** The largest record timestamp among the appended batches, and the offset of its batch's last record. */
  maxTimestamp: bigint
}

export interface ReadOptions {
  /** Read from the batch that contains this offset (the whole batch: the client drops records below its position). */
  fetchOffset: bigint
  /** Stop before any batch whose last offset is ≥ this (high watermark or last stable offset). */
  maxOffset: bigint
  /** Upper bound on bytes returned... */
  maxBytes: number
  /** ...except that at least one whole batch is returned even if larger (KIP-74), when this is true. */
  minOneMessage: boolean
  /**
   * Where the bytes are read into (default Buffer.allocUnsafe). The broker passes recycled memory: reading into
   * fresh allocations page-faults and costs several times the copy itself.
   */
  allocate?: (size: number) => Buffer
  /** read_committed: also return the aborted transactions overlapping the returned batches. */
  collectAbortedTransactions?: boolean
}

export interface ReadResult {
  /** Whole batches as they are stored, ready to hand to the socket; never copied into one buffer. */
  chunks: Buffer[]
  /** Sum of chunk lengths. */
  byteLength: number
  /**
   * With collectAbortedTransactions: aborted transactions whose range overlaps [fetchOffset, end of the last
   * returned batch]; [] otherwise.
   */
  abortedTransactions?: AbortedTransaction[]
}

/** An aborted transaction a read_committed consumer must skip (Fetch's AbortedTransaction). */
export interface AbortedTransaction {
  producerId: bigint
  /** The offset of the transaction's first record (its last is before the ABORT marker). */
  firstOffset: bigint
}

/** A stored batch's header, without its records. */
export interface BatchHeader {
  baseOffset: bigint
  lastOffset: bigint
  partitionLeaderEpoch: number
  maxTimestamp: bigint
  producerId: bigint
  producerEpoch: number
  baseSequence: number
  isTransactional: boolean
  isControlBatch: boolean
  recordsCount: number
  /** Set only for control batches whose record is a COMMIT or ABORT transaction marker. */
  marker?: { type: 'COMMIT' | 'ABORT'; coordinatorEpoch: number }
}

/** One of a producer's last appended data batches (Kafka's BatchMetadata). */
export interface ProducerBatchMetadata {
  firstSeq: number
  lastSeq: number
  firstOffset: bigint
  lastOffset: bigint
  /** The batch's maxTimestamp. */
  timestamp: bigint
}

/** What a partition remembers of one producer id (Kafka's ProducerStateEntry). */
export interface ProducerStateEntry {
  producerId: bigint
  producerEpoch: number
  /** The last (at most 5) data batches of the current epoch, oldest first. */
  batches: readonly ProducerBatchMetadata[]
  lastTimestamp: bigint
  /** The coordinator epoch of the producer's last COMMIT/ABORT marker; -1 before any. */
  coordinatorEpoch: number
  /** The first offset of the producer's open transaction, or -1. */
  currentTxnFirstOffset: bigint
}

/** The producer state of one partition, as the broker reads it to validate idempotent appends. */
export interface ProducerStateView {
  /** The producer's state, or undefined for a producer this partition does not know (never seen, or expired). */
  get(producerId: bigint): ProducerStateEntry | undefined
  activeProducers(): Iterable<ProducerStateEntry>
}

/** One partition's log (Kafka's UnifiedLog without the replication state). */
export interface PartitionLog {
  readonly topic: string
  readonly partition: number
  /** The topic id in partition.metadata, or null for a directory without one. */
  readonly topicId: string | null
  /** The first offset still readable (moved by retention and DeleteRecords). */
  readonly logStartOffset: bigint
  /** The offset the next appended record gets. */
  readonly logEndOffset: bigint
  /** Bytes in all segments. */
  readonly sizeInBytes: number
  config: LogConfig
  /**
   * The first offset of the oldest open (undecided) transaction, or null. The broker's last stable offset (LSO) is
   * min(this, high watermark). As in Kafka, a transaction stays here after its marker is appended until the high
   * watermark passes the marker (so setting highWatermark moves it), and it is never below logStartOffset.
   */
  readonly firstUnstableOffset: bigint | null

  /**
   * Appends one or more batches (already CRC-checked by the broker) with one write. Leader appends rewrite
   * baseOffset, partitionLeaderEpoch and (LogAppendTime) the timestamp fields inside `batches` itself.
   * Throws CorruptRecordError (not whole v2 batches), RecordBatchTooLargeError (a batch above segment.bytes),
   * UnexpectedAppendOffsetError (follower offsets below the log end offset).
   */
  append(batches: Buffer, options: AppendOptions): AppendResult
  /**
   * Reads whole batches from the segment holding fetchOffset; throws OffsetOutOfRangeError when
   * fetchOffset < logStartOffset or > logEndOffset.
   */
  read(options: ReadOptions): ReadResult
  /**
   * ListOffsets by timestamp: the offset of the first record whose timestamp ≥ ts, with that timestamp,
   * or null if there is none.
   */
  offsetForTimestamp(timestampMs: bigint): { offset: bigint; timestamp: bigint; leaderEpoch: number } | null
  /** ListOffsets MAX_TIMESTAMP (-3, KIP-734): the record with the largest timestamp. */
  offsetOfMaxTimestamp(): { offset: bigint; timestamp: bigint; leaderEpoch: number } | null
  /** OffsetForLeaderEpoch: the end offset of `leaderEpoch` (the start offset of the next larger epoch), or null. */
  endOffsetForEpoch(leaderEpoch: number): { leaderEpoch: number; endOffset: bigint } | null
  /** DeleteRecords: advance logStartOffset (never past the high watermark the caller allows). */
  deleteRecordsBefore(offset: bigint): bigint
  /** Replication: drop everything at and after `offset` (whole batches; durable when it returns). */
  truncateTo(offset: bigint): void
  /** Replication: empty the log and restart it at `offset` (log start = log end = high watermark = offset). */
  truncateFullyAndStartAt(offset: bigint): void
  /**
   * The header facts of every batch from the one holding `fromOffset` to the log end, oldest first, read with few
   * large reads and without decoding records. For rebuilding producer state at start-up.
   */
  batchHeaders(fromOffset: bigint): Iterable<BatchHeader>
  /**
   * Aborted transactions overlapping [fromOffset, upperBoundOffset), from the `.txnindex` files (ListOffsets and
   * read paths that don't read bytes), oldest first.
   */
  abortedTransactions(fromOffset: bigint, upperBoundOffset: bigint): AbortedTransaction[]
  /** Producer ids and their last batches, updated by every append (leader and follower) and truncation. */
  readonly producerState: ProducerStateView
  /** Persisted by the log manager's checkpoint files (replication-offset-checkpoint). */
  highWatermark: bigint
  flush(): Promise<void>
}

export interface CreateLogOptions {
  topic: string
  partition: number
  /** KIP-516 topic id (base64url), written to partition.metadata. */
  topicId: string
  /** The topic's resolved config; the manager's configFor(topic) when absent. */
  config?: LogConfig
}

export interface LogDirDescription {
  logDir: string
  /** KIP-858 directory.id from meta.properties. */
  directoryId: string
  partitions: Array<{ topic: string; partition: number; sizeInBytes: number }>
}

/**
 * All partition logs of a broker (Kafka's LogManager). Opening it recovers every log found in the log dirs; from
 * then on it runs retention (log.retention.check.interval.ms), the cleaner (log.cleaner.backoff.ms) and writes the
 * checkpoint files on timers of the injected Clock.
 */
export interface LogManager {
  readonly logDirs: readonly string[]
  getLog(topic: string, partition: number): PartitionLog | undefined
  /** The partition's log, created (in the log dir with the fewest partitions) if missing. */
  getOrCreateLog(options: CreateLogOptions): PartitionLog
  /** Removes the partition's log: its directory is renamed `…-delete` now and removed after file.delete.delay.ms. */
  deleteLog(topic: string, partition: number): boolean
  allLogs(): PartitionLog[]
  /** One retention pass over every log now (the timer does this periodically). Returns segments deleted. */
  deleteOldSegments(): number
  /** One cleaner pass now: compacts the dirtiest eligible log, if any. Returns whether one was cleaned. */
  cleanDirtiestLog(): Promise<boolean>
  /** Writes recovery-point, log-start-offset and replication-offset (high watermark) checkpoints now. */
  checkpoint(): Promise<void>
  describeLogDirs(): LogDirDescription[]
  /** Stops the timers, flushes every log, writes the checkpoints and the clean-shutdown marker. */
  close(): Promise<void>
  /** Resolves once every append made with `background` so far is written (rejects if a write failed). */
  appendsWritten(): Promise<void>
}
