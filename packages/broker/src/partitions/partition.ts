// One partition replica on this broker (Kafka's Partition): its log, leader epoch, replicas and ISR, and the
// high watermark. With a single node the ISR is {self}, so the high watermark follows the log end offset on every
// append and acks=all is satisfied as soon as the leader has written. Appends are synchronous (the storage append
// is), which keeps per-partition ordering without a queue: a request's appends run in the order the requests
// arrived on the event loop.
//
// Idempotent producers (KIP-98): a batch with producerId ≥ 0 is checked against the log's producer state
// (producer-state-validation.ts); a retried batch is answered with its original offsets and not written again.
//
// Transactions (KIP-98): a transactional batch is accepted only when the transaction coordinator has the
// partition in the producer's ongoing transaction (the `verifyTransaction` hook, KIP-890 part 1's verification,
// done in-process); a plain write from a producer with an open transaction here is INVALID_TXN_STATE. Markers
// (appendTxnMarker) end a producer's transaction; the last stable offset is the first offset of the oldest open
// transaction, bounded by the high watermark, and read_committed reads stop there.
//
// Not implemented yet: followers and ISR changes (replication/).

import {
  ControlRecordTypes,
  ErrorCode,
  buildTransactionMarkerBatch,
  isKafkaError,
  type RecordBatchView,
} from '@samsa/protocol'
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
  /**
   * Set for a background append (AppendOrigin `background`): the log end offset after it. The high watermark stays
   * where it was; the caller advances it (advanceHighWatermark) once the log manager reports the write done.
   */
  pendingEndOffset?: bigint
}

export interface PartitionReadResult {
  errorCode: number
  highWatermark: bigint
  lastStableOffset: bigint
  logStartOffset: bigint
  records: Buffer[]
  byteLength: number
  /** read_committed: the aborted transactions among the returned batches; null for read_uncommitted. */
  abortedTransactions: { producerId: bigint; firstOffset: bigint }[] | null
}

/** A transaction marker the coordinator writes (WriteTxnMarkers' per-partition content). */
export interface TxnMarker {
  producerId: bigint
  producerEpoch: number
  coordinatorEpoch: number
  committed: boolean
}

/** Who is appending: a client (every producer check applies) or a coordinator writing its internal topic. */
export type AppendOrigin =
  | {
      kind: 'client'
      verifyTransaction?: TransactionVerifier
      /** Let the segment write finish on the storage's background writer (see pendingEndOffset). */
      background?: boolean
    }
  | { kind: 'coordinator' }

/**
 * Asks the transaction coordinator whether (producerId, producerEpoch) has this partition in its ongoing
 * transaction: ErrorCode.NONE, or the error the Produce answers (INVALID_TXN_STATE, PRODUCER_FENCED…). With
 * `addIfMissing` (Produce v12+, a transactions-v2 client, KIP-890 part 2) the coordinator adds it instead.
 */
export type TransactionVerifier = (
  producerId: bigint,
  producerEpoch: number,
  topic: string,
  partition: number,
  addIfMissing: boolean,
) => number

/** Produce v12 is sent only by transactions-v2 clients, whose writes add their partition to the transaction. */
const FIRST_TRANSACTIONS_V2_PRODUCE = 12

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

  /** The first offset of the oldest open transaction, or the high watermark when that is lower or none is open. */
  get lastStableOffset(): bigint {
    const firstUnstable = this.log.firstUnstableOffset
    const highWatermark = this.log.highWatermark
    return firstUnstable !== null && firstUnstable < highWatermark ? firstUnstable : highWatermark
  }

  get logStartOffset(): bigint {
    return this.log.logStartOffset
  }

  get logEndOffset(): bigint {
    return this.log.logEndOffset
  }

  /**
   * Moves the high watermark up to `offset` once a background append is written. Never backwards (a later
   * synchronous append, or a truncation, may have moved it already) and never past the log end.
   */
  advanceHighWatermark(offset: bigint): void {
    const target = offset < this.log.logEndOffset ? offset : this.log.logEndOffset
    if (target > this.log.highWatermark) this.log.highWatermark = target
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
    origin: AppendOrigin = { kind: 'client' },
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
    // Coordinators write their own transactional batches (TxnOffsetCommit); sequence checks are for clients only.
    if (batch.producerId >= 0n && origin.kind === 'client') {
      const name = `${this.topic}-${this.partitionIndex}`
      const entry = this.log.producerState.get(batch.producerId)
      const check = checkProducerState(batch, entry, name)
      if (check.kind === 'error') return failed(check.errorCode, check.errorMessage)
      if (check.kind === 'append') {
        const txnError = this.#checkTransaction(
          batch,
          entry?.currentTxnFirstOffset ?? -1n,
          apiVersion >= FIRST_TRANSACTIONS_V2_PRODUCE,
          origin.verifyTransaction,
        )
        if (txnError !== null) return failed(txnError.errorCode, txnError.errorMessage)
      }
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
    const background = origin.kind === 'client' && origin.background === true
    try {
      const result = this.log.append(batch.bytes, {
        leaderEpoch: this.#state.leaderEpoch,
        assignOffsets: true,
        ...(logAppendTimeMs === undefined ? {} : { logAppendTimeMs }),
        ...(background ? { background } : {}),
      })
      if (!background) this.log.highWatermark = result.logEndOffset
      return {
        ...(background ? { pendingEndOffset: result.logEndOffset } : {}),
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

  /**
   * Kafka's ProducerAppendInfo transaction checks: a plain batch may not interleave with the producer's open
   * transaction, and a transactional one must belong to a transaction the coordinator knows includes this partition.
   */
  #checkTransaction(
    batch: RecordBatchView,
    openTxnFirstOffset: bigint,
    addIfMissing: boolean,
    verifyTransaction: TransactionVerifier | undefined,
  ): { errorCode: number; errorMessage: string } | null {
    if (!batch.isTransactional) {
      if (openTxnFirstOffset < 0n) return null
      return {
        errorCode: ErrorCode.INVALID_TXN_STATE,
        errorMessage: `Expected transactional write from producer ${batch.producerId} at offset ${openTxnFirstOffset} in partition ${this.topic}-${this.partitionIndex}`,
      }
    }
    if (verifyTransaction === undefined) return null
    const errorCode = verifyTransaction(
      batch.producerId,
      batch.producerEpoch,
      this.topic,
      this.partitionIndex,
      addIfMissing,
    )
    if (errorCode === ErrorCode.NONE) return null
    return {
      errorCode,
      errorMessage: `Partition ${this.topic}-${this.partitionIndex} is not part of the ongoing transaction of producer ${batch.producerId} with epoch ${batch.producerEpoch}`,
    }
  }

  /**
   * Writes a COMMIT or ABORT marker ending the producer's transaction here (Kafka's appendAsLeader with
   * AppendOrigin.COORDINATOR). A marker from an older producer epoch is INVALID_PRODUCER_EPOCH and one from an
   * older coordinator TRANSACTION_COORDINATOR_FENCED, as ProducerAppendInfo.appendEndTxnMarker checks.
   * Returns the error code and the bytes appended.
   */
  appendTxnMarker(marker: TxnMarker, nowMs: number): { errorCode: number; appendedBytes: number } {
    const entry = this.log.producerState.get(marker.producerId)
    if (entry !== undefined && marker.producerEpoch < entry.producerEpoch) {
      return { errorCode: ErrorCode.INVALID_PRODUCER_EPOCH, appendedBytes: 0 }
    }
    if (entry !== undefined && marker.coordinatorEpoch < entry.coordinatorEpoch) {
      return { errorCode: ErrorCode.TRANSACTION_COORDINATOR_FENCED, appendedBytes: 0 }
    }
    const batch = buildTransactionMarkerBatch({
      type: marker.committed ? ControlRecordTypes.COMMIT : ControlRecordTypes.ABORT,
      producerId: marker.producerId,
      producerEpoch: marker.producerEpoch,
      coordinatorEpoch: marker.coordinatorEpoch,
      timestamp: nowMs,
    })
    try {
      const result = this.log.append(batch, { leaderEpoch: this.#state.leaderEpoch, assignOffsets: true })
      this.log.highWatermark = result.logEndOffset
      return { errorCode: ErrorCode.NONE, appendedBytes: batch.length }
    } catch (e) {
      if (isKafkaError(e)) return { errorCode: e.code, appendedBytes: 0 }
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
    const readCommitted = isolationLevel === IsolationLevel.READ_COMMITTED
    const result = (
      errorCode: number,
      records: Buffer[] = [],
      byteLength = 0,
      aborted: PartitionReadResult['abortedTransactions'] = readCommitted ? [] : null,
    ): PartitionReadResult => ({
      errorCode,
      highWatermark,
      lastStableOffset,
      logStartOffset,
      records,
      byteLength,
      abortedTransactions: aborted,
    })
    const maxOffset = readCommitted ? lastStableOffset : highWatermark
    // A consumer may not read past the high watermark; between it and the log end offset it just gets nothing.
    if (fetchOffset >= maxOffset && fetchOffset <= this.logEndOffset) return result(ErrorCode.NONE)
    try {
      const read = this.log.read({
        fetchOffset,
        maxOffset,
        maxBytes,
        minOneMessage,
        collectAbortedTransactions: readCommitted,
        ...(allocate ? { allocate } : {}),
      })
      return result(
        ErrorCode.NONE,
        read.chunks,
        read.byteLength,
        readCommitted ? (read.abortedTransactions ?? []) : null,
      )
    } catch (e) {
      if (e instanceof OffsetOutOfRangeError) return result(ErrorCode.OFFSET_OUT_OF_RANGE)
      if (isKafkaError(e)) return result(e.code)
      throw e
    }
  }
}
