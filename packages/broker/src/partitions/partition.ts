// One partition replica on this broker (Kafka's Partition): its log, leader epoch, replicas and ISR, and the
// high watermark. With a single node the ISR is {self}, so the high watermark follows the log end offset on every
// append and acks=all is satisfied as soon as the leader has written. Appends are synchronous (the storage append
// is), which keeps per-partition ordering without a queue: a request's appends run in the order the requests
// arrived on the event loop.
//
// Idempotent producers (KIP-98): a batch with producerId ≥ 0 is checked against the log's producer state
// (producer-state-validation.ts); a retried batch is answered with its original offsets and not written again.
//
// Not implemented yet: followers and ISR changes (replication/), transactional checks (a non-transactional write
// inside an open transaction), LSO below the high watermark (no transactions yet, so LSO = high watermark and no
// aborted transactions).

import { ErrorCode, isKafkaError, type RecordBatchView } from '@samsa/protocol'
import { OffsetOutOfRangeError, type PartitionLog } from '@samsa/storage'
import { validateProducedRecords, type RecordError } from './produce-validation.ts'
import { checkProducerState } from './producer-state-validation.ts'
import type { TopicSettings } from './topic-settings.ts'

export interface PartitionAppendResult {
  errorCode: number
  errorMessage: string | null
  baseOffset: bigint
  /** The LogAppendTime stamped, or -1 for CreateTime topics. */
  logAppendTimeMs: bigint
  logStartOffset: bigint
  recordErrors: RecordError[]
  /** Bytes appended (0 on error), for waking delayed fetches. */
  appendedBytes: number
}

export interface PartitionReadResult {
  errorCode: number
  highWatermark: bigint
  lastStableOffset: bigint
  logStartOffset: bigint
  records: Buffer[]
  byteLength: number
}

export interface PartitionState {
  leaderId: number
  leaderEpoch: number
  replicas: readonly number[]
  isr: readonly number[]
}

/** Kafka's isolation levels (Fetch and ListOffsets isolationLevel). */
export const IsolationLevel = { READ_UNCOMMITTED: 0, READ_COMMITTED: 1 } as const

export class Partition {
  readonly topic: string
  readonly partitionIndex: number
  readonly topicId: string
  /** __consumer_offsets / __transaction_state: written by coordinators only. */
  readonly isInternal: boolean
  readonly log: PartitionLog
  #settings: TopicSettings
  #state: PartitionState

  constructor(topicId: string, isInternal: boolean, log: PartitionLog, settings: TopicSettings, state: PartitionState) {
    this.topic = log.topic
    this.partitionIndex = log.partition
    this.topicId = topicId
    this.isInternal = isInternal
    this.log = log
    this.#settings = settings
    this.#state = state
    // Single node: everything in the log is replicated to the whole ISR.
    this.log.highWatermark = this.log.logEndOffset
  }

  get settings(): TopicSettings {
    return this.#settings
  }

  set settings(settings: TopicSettings) {
    this.#settings = settings
    this.log.config = settings.logConfig
  }

  get state(): PartitionState {
    return this.#state
  }

  set state(state: PartitionState) {
    this.#state = state
  }

  get leaderEpoch(): number {
    return this.#state.leaderEpoch
  }

  get highWatermark(): bigint {
    return this.log.highWatermark
  }

  /** No transactions yet: the last stable offset is the high watermark. */
  get lastStableOffset(): bigint {
    return this.log.highWatermark
  }

  get logStartOffset(): bigint {
    return this.log.logStartOffset
  }

  get logEndOffset(): bigint {
    return this.log.logEndOffset
  }

  /**
   * KIP-320 fencing: a request's currentLeaderEpoch (-1 = not checked) older than ours is FENCED_LEADER_EPOCH, newer
   * is UNKNOWN_LEADER_EPOCH (this broker has not heard of that epoch yet).
   */
  checkLeaderEpoch(currentLeaderEpoch: number): number {
    if (currentLeaderEpoch < 0 || currentLeaderEpoch === this.#state.leaderEpoch) return ErrorCode.NONE
    return currentLeaderEpoch < this.#state.leaderEpoch ? ErrorCode.FENCED_LEADER_EPOCH : ErrorCode.UNKNOWN_LEADER_EPOCH
  }

  appendRecordsToLeader(
    records: Buffer | null,
    requiredAcks: number,
    apiVersion: number,
    nowMs: number,
  ): PartitionAppendResult {
    const failed = (errorCode: number, errorMessage: string | null, recordErrors: RecordError[] = []) => ({
      errorCode,
      errorMessage,
      baseOffset: -1n,
      logAppendTimeMs: -1n,
      logStartOffset: -1n,
      recordErrors,
      appendedBytes: 0,
    })
    const settings = this.#settings
    // acks=all checks the ISR before writing anything (NOT_ENOUGH_REPLICAS; AFTER_APPEND needs followers).
    if (requiredAcks === -1 && this.#state.isr.length < settings.minInsyncReplicas) {
      return failed(
        ErrorCode.NOT_ENOUGH_REPLICAS,
        `The size of the current ISR ${this.#state.isr.length} is insufficient to satisfy the min.isr requirement of ${settings.minInsyncReplicas} for partition ${this.topic}-${this.partitionIndex}`,
      )
    }
    const validation = validateProducedRecords(records, apiVersion, settings, nowMs)
    if (!validation.ok) return failed(validation.errorCode, validation.errorMessage, validation.recordErrors)
    const batch: RecordBatchView = validation.batch
    if (batch.producerId >= 0n) {
      const name = `${this.topic}-${this.partitionIndex}`
      const check = checkProducerState(batch, this.log.producerState.get(batch.producerId), name)
      if (check.kind === 'error') return failed(check.errorCode, check.errorMessage)
      if (check.kind === 'duplicate') {
        // Kafka answers a duplicate with the original batch's first offset and no append time.
        return {
          errorCode: ErrorCode.NONE,
          errorMessage: null,
          baseOffset: check.batch.firstOffset,
          logAppendTimeMs: -1n,
          logStartOffset: this.log.logStartOffset,
          recordErrors: [],
          appendedBytes: 0,
        }
      }
    }
    const logAppendTimeMs = settings.timestampType === 'LogAppendTime' ? nowMs : undefined
    try {
      const result = this.log.append(batch.bytes, {
        leaderEpoch: this.#state.leaderEpoch,
        assignOffsets: true,
        ...(logAppendTimeMs === undefined ? {} : { logAppendTimeMs }),
      })
      this.log.highWatermark = result.logEndOffset
      return {
        errorCode: ErrorCode.NONE,
        errorMessage: null,
        baseOffset: result.firstOffset,
        logAppendTimeMs: BigInt(result.logAppendTimeMs),
        logStartOffset: this.log.logStartOffset,
        recordErrors: [],
        appendedBytes: batch.byteLength,
      }
    } catch (e) {
      // Storage refuses with KafkaErrors carrying the code (RECORD_LIST_TOO_LARGE, CORRUPT_MESSAGE…).
      if (isKafkaError(e)) return failed(e.code, e.message)
      throw e
    }
  }

  /** Reads whole batches from fetchOffset up to the high watermark (or LSO for read_committed). */
  read(
    fetchOffset: bigint,
    maxBytes: number,
    minOneMessage: boolean,
    isolationLevel: number,
    allocate?: (size: number) => Buffer,
  ): PartitionReadResult {
    const highWatermark = this.highWatermark
    const lastStableOffset = this.lastStableOffset
    const logStartOffset = this.logStartOffset
    const result = (errorCode: number, records: Buffer[] = [], byteLength = 0): PartitionReadResult => ({
      errorCode,
      highWatermark,
      lastStableOffset,
      logStartOffset,
      records,
      byteLength,
    })
    const maxOffset = isolationLevel === IsolationLevel.READ_COMMITTED ? lastStableOffset : highWatermark
    // A consumer may not read past the high watermark; between it and the log end offset it just gets nothing.
    if (fetchOffset >= maxOffset && fetchOffset <= this.logEndOffset) return result(ErrorCode.NONE)
    try {
      const read = this.log.read({ fetchOffset, maxOffset, maxBytes, minOneMessage, ...(allocate ? { allocate } : {}) })
      return result(ErrorCode.NONE, read.chunks, read.byteLength)
    } catch (e) {
      if (e instanceof OffsetOutOfRangeError) return result(ErrorCode.OFFSET_OUT_OF_RANGE)
      if (isKafkaError(e)) return result(e.code)
      throw e
    }
  }
}
