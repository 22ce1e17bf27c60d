// The shape of @samsa/storage as the broker sees it. Storage speaks domain types (topic/partition, bigint offsets,
// record-batch bytes), never wire messages (the Tansu lesson, ARCHITECTURE.md §9.3). The broker's partitions/ layer
// owns leadership, the high watermark's meaning, delayed produce/fetch and replication; storage owns bytes on disk.
//
// This file is the contract between the storage package and the broker. Change it deliberately, with both sides.

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
}

export interface ReadResult {
  /** Whole batches as they are stored, ready to hand to the socket; never copied into one buffer. */
  chunks: Buffer[]
  /** Sum of chunk lengths. */
  byteLength: number
}

/** One partition's log (Kafka's UnifiedLog without the replication state). */
export interface PartitionLog {
  readonly topic: string
  readonly partition: number
  /** The first offset still readable (moved by retention and DeleteRecords). */
  readonly logStartOffset: bigint
  /** The offset the next appended record gets. */
  readonly logEndOffset: bigint
  /** Bytes in all segments. */
  readonly sizeInBytes: number
  config: LogConfig

  /** Appends one or more batches (already CRC-checked by the broker). */
  append(batches: Buffer, options: AppendOptions): AppendResult
  /** Reads whole batches; throws OffsetOutOfRangeError when fetchOffset < logStartOffset or > logEndOffset. */
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
  /** Replication: drop everything at and after `offset`. */
  truncateTo(offset: bigint): void
  /** Persisted by the log manager's checkpoint files (replication-offset-checkpoint). */
  highWatermark: bigint
  flush(): Promise<void>
}
