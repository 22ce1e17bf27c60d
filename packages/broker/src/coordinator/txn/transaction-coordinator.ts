// The transaction coordinator (KIP-98; Kafka's TransactionCoordinator over TransactionStateManager), on the
// coordinator runtime over `__transaction_state`: shard = abs(transactionalId.hashCode) % 50 partitions. Every
// state change is a TxnRecord appended and then replayed; what a request is answered with follows Kafka's
// state machine:
//   Empty/CompleteCommit/CompleteAbort --AddPartitionsToTxn--> Ongoing --EndTxn--> PrepareCommit|PrepareAbort
//   --markers written to every partition--> CompleteCommit|CompleteAbort
// InitProducerId bumps the epoch (fencing zombies of the same transactional.id); if a transaction is still Ongoing
// it is aborted first with a bumped epoch, and the caller is told CONCURRENT_TRANSACTIONS so it retries. A
// transaction Ongoing for longer than its timeout is aborted the same way on a timer
// (transaction.abort.timed.out.transaction.cleanup.interval.ms); ids idle for transactional.id.expiration.ms are
// forgotten (transaction.remove.expired.transaction.cleanup.interval.ms).
//
// On one node the markers are appended synchronously right after the Prepare record, so EndTxn answers with the
// transaction complete. A marker that cannot be written is retried every second; the partition's LSO waits.
// Transactions v2 (KIP-890 part 2: epoch bump per transaction, implicit AddPartitions) is not implemented, and the
// transaction.version feature is not advertised, so clients use v1.

import { ErrorCode, TransactionStatus } from '@samsa/protocol'
import type { Logger } from '../../logger.ts'
import type { TxnMarker } from '../../partitions/index.ts'
import type { CoordinatorRuntime, RuntimeResult } from '../runtime/coordinator-runtime.ts'
import type { TxnRecord, TxnState } from './txn-records.ts'
import { isPrepared, nextState, type ProducerIndex, type TxnMetadata, type TxnShard } from './txn-shard.ts'
import {
  MAX_EPOCH,
  TRANSACTIONS_V2,
  addPartitions,
  completed,
  endTransaction,
  producerError,
  type EndTxnTransition,
  type TopicPartitions,
  type Transition,
} from './txn-transitions.ts'

export type TxnRuntime = CoordinatorRuntime<TxnShard, TxnRecord>

const MARKER_RETRY_MS = 1000

export interface TxnConfigs {
  'transaction.max.timeout.ms': number
  'transactional.id.expiration.ms': number
}

export interface MarkerWriter {
  /** Appends the marker to one partition (`__consumer_offsets` through the group coordinator); Kafka's error code. */
  write(topic: string, partition: number, marker: TxnMarker): number
  /** The coordinator epoch markers carry: the leader epoch of the `__transaction_state` partition. */
  coordinatorEpoch(txnPartition: number): number
}

export type { TopicPartitions }

export interface InitProducerIdResult {
  errorCode: number
  producerId: bigint
  producerEpoch: number
}

export interface TransactionCoordinatorDeps {
  runtime: TxnRuntime
  producers: ProducerIndex
  markers: MarkerWriter
  generateProducerId(): bigint
  configs(): TxnConfigs
  logger: Logger
  onClose?: () => void
}

const NO_PRODUCER: InitProducerIdResult = { errorCode: ErrorCode.NONE, producerId: -1n, producerEpoch: -1 }

export class TransactionCoordinator {
  readonly #runtime: TxnRuntime
  readonly #deps: TransactionCoordinatorDeps
  /** Partitions whose marker is still to be written, per transactional id (only while retrying). */
  readonly #pendingMarkers = new Map<string, { topic: string; partition: number }[]>()

  constructor(deps: TransactionCoordinatorDeps) {
    this.#runtime = deps.runtime
    this.#deps = deps
  }

  /** FindCoordinator for a transactional id: `__transaction_state` exists before clients are pointed here. */
  async prepare(): Promise<void> {
    await this.#runtime.ready()
  }

  initProducerId(
    transactionalId: string,
    timeoutMs: number,
    expected: { producerId: bigint; producerEpoch: number },
  ): Promise<InitProducerIdResult> {
    const fail = (errorCode: number): RuntimeResult<InitProducerIdResult, TxnRecord> => ({
      records: [],
      response: { ...NO_PRODUCER, errorCode },
    })
    return this.#runtime.run<InitProducerIdResult>(transactionalId, (shard, now) => {
      if (timeoutMs <= 0 || timeoutMs > this.#deps.configs()['transaction.max.timeout.ms']) {
        return fail(ErrorCode.INVALID_TRANSACTION_TIMEOUT)
      }
      const m = shard.get(transactionalId)
      const ready = (state: TxnState): RuntimeResult<InitProducerIdResult, TxnRecord> => ({
        records: [{ transactionalId, value: state }],
        response: { errorCode: ErrorCode.NONE, producerId: state.producerId, producerEpoch: state.producerEpoch },
      })
      if (m === undefined) {
        return ready({
          producerId: this.#deps.generateProducerId(),
          previousProducerId: -1n,
          nextProducerId: -1n,
          producerEpoch: 0,
          clientTransactionVersion: 0,
          timeoutMs,
          status: TransactionStatus.EMPTY,
          partitions: new Map(),
          startTimestamp: -1,
          lastUpdateTimestamp: now,
        })
      }
      const hasExpectation = expected.producerId >= 0n
      if (hasExpectation && !isKnownProducer(m, expected)) return fail(ErrorCode.PRODUCER_FENCED)
      switch (m.status) {
        case TransactionStatus.PREPARE_COMMIT:
        case TransactionStatus.PREPARE_ABORT:
        case TransactionStatus.PREPARE_EPOCH_FENCE:
        case TransactionStatus.DEAD:
          return fail(ErrorCode.CONCURRENT_TRANSACTIONS)
        case TransactionStatus.ONGOING: {
          // A new instance of the producer: fence the old one by aborting its transaction with a bumped epoch.
          const aborted = this.#abortWithBumpedEpoch(shard, m, now)
          return { ...aborted, response: { ...NO_PRODUCER, errorCode: ErrorCode.CONCURRENT_TRANSACTIONS } }
        }
        case TransactionStatus.EMPTY:
        case TransactionStatus.COMPLETE_COMMIT:
        case TransactionStatus.COMPLETE_ABORT: {
          // A retry of an InitProducerId that already bumped the epoch gets the same answer again (KIP-360).
          if (
            hasExpectation &&
            expected.producerEpoch === m.lastProducerEpoch &&
            expected.producerId === m.producerId
          ) {
            return {
              records: [],
              response: { errorCode: ErrorCode.NONE, producerId: m.producerId, producerEpoch: m.producerEpoch },
            }
          }
          const exhausted = m.producerEpoch >= MAX_EPOCH - 1
          return ready(
            nextState(m, {
              producerId: exhausted ? this.#deps.generateProducerId() : m.producerId,
              previousProducerId: exhausted ? m.producerId : m.previousProducerId,
              producerEpoch: exhausted ? 0 : m.producerEpoch + 1,
              timeoutMs,
              status: TransactionStatus.EMPTY,
              partitions: new Map(),
              startTimestamp: -1,
              lastUpdateTimestamp: now,
            }),
          )
        }
      }
    })
  }

  /** AddPartitionsToTxn (and AddOffsetsToTxn with the group's `__consumer_offsets` partition). */
  addPartitions(
    transactionalId: string,
    producerId: bigint,
    producerEpoch: number,
    topics: readonly TopicPartitions[],
    transactionVersion = 0,
  ): Promise<number> {
    return this.#runtime.run<number>(transactionalId, (shard, now) =>
      recorded(
        transactionalId,
        addPartitions(shard.get(transactionalId), producerId, producerEpoch, topics, now, transactionVersion),
      ),
    )
  }

  /**
   * A transactions-v2 client's first write to a partition in a transaction (Produce v12+, TxnOffsetCommit v5+)
   * adds it to the transaction (KIP-890 part 2), synchronously, in place of the client's AddPartitionsToTxn.
   */
  addPartitionImplicitly(producerId: bigint, producerEpoch: number, topic: string, partition: number): number {
    const transactionalId = this.#deps.producers.get(producerId)
    if (transactionalId === undefined) return ErrorCode.INVALID_PRODUCER_ID_MAPPING
    const txnPartition = this.#runtime.partitionFor(transactionalId)
    return this.#runtime.runOn<number>(txnPartition, (shard, now) => {
      const m = shard.get(transactionalId)
      if (m !== undefined && producerEpoch < m.producerEpoch)
        return { records: [], response: ErrorCode.INVALID_PRODUCER_EPOCH }
      const topics = [{ topic, partitions: [partition] }]
      return recorded(transactionalId, addPartitions(m, producerId, producerEpoch, topics, now, TRANSACTIONS_V2))
    })
  }

  /** AddPartitionsToTxn v4+ verifyOnly: per partition, whether it is already in the ongoing transaction. */
  verifyPartitions(
    transactionalId: string,
    producerId: bigint,
    producerEpoch: number,
    topics: readonly TopicPartitions[],
  ): Promise<{ topic: string; partition: number; errorCode: number }[]> {
    return this.#runtime.run(transactionalId, (shard) => {
      const m = shard.get(transactionalId)
      const error = producerError(m, producerId, producerEpoch)
      const response = topics.flatMap((t) =>
        t.partitions.map((partition) => ({
          topic: t.topic,
          partition,
          errorCode:
            error !== ErrorCode.NONE
              ? error
              : m?.status === TransactionStatus.ONGOING && m.partitions.get(t.topic)?.has(partition) === true
                ? ErrorCode.NONE
                : ErrorCode.INVALID_TXN_STATE,
        })),
      )
      return { records: [], response }
    })
  }

  /**
   * The Produce-time check (KIP-890 part 1, in-process): is this partition in the producer's ongoing transaction?
   * Synchronous; shards are loaded at start-up (start()) so the index knows every transactional producer.
   */
  verify(producerId: bigint, producerEpoch: number, topic: string, partition: number): number {
    const transactionalId = this.#deps.producers.get(producerId)
    if (transactionalId === undefined) return ErrorCode.INVALID_PRODUCER_ID_MAPPING
    const m = this.#runtime.loadedShardFor(transactionalId)?.get(transactionalId)
    if (m === undefined || m.producerId !== producerId) return ErrorCode.INVALID_PRODUCER_ID_MAPPING
    if (producerEpoch < m.producerEpoch) return ErrorCode.INVALID_PRODUCER_EPOCH
    if (producerEpoch > m.producerEpoch) return ErrorCode.INVALID_TXN_STATE
    if (m.status !== TransactionStatus.ONGOING || m.partitions.get(topic)?.has(partition) !== true) {
      return ErrorCode.INVALID_TXN_STATE
    }
    return ErrorCode.NONE
  }

  /** EndTxn: the error code, and (transactions v2) the producer id and epoch the next transaction uses. */
  endTransaction(
    transactionalId: string,
    producerId: bigint,
    producerEpoch: number,
    commit: boolean,
    transactionVersion = 0,
  ): Promise<EndTxnTransition> {
    return this.#runtime.run<EndTxnTransition>(transactionalId, (shard, now) => {
      const decided = endTransaction(
        shard.get(transactionalId),
        { producerId, producerEpoch, commit, transactionVersion },
        now,
        () => this.#deps.generateProducerId(),
      )
      if (decided.next === undefined) return { records: [], response: decided }
      return {
        records: [{ transactionalId, value: decided.next }],
        response: decided,
        then: [() => this.#writeMarkers(shard, transactionalId)],
      }
    })
  }

  /** DescribeTransactions: the metadata of each id, or undefined for an unknown one. */
  async describe(transactionalIds: readonly string[]): Promise<(TxnMetadata | undefined)[]> {
    const out: (TxnMetadata | undefined)[] = []
    for (const id of transactionalIds) {
      out.push(await this.#runtime.run(id, (shard) => ({ records: [], response: shard.get(id) })))
    }
    return out
  }

  /** ListTransactions: every transactional id this coordinator knows. */
  async list(): Promise<TxnMetadata[]> {
    const out: TxnMetadata[] = []
    for (const shard of await this.#runtime.allShards()) out.push(...shard.all())
    return out
  }

  /** Aborts transactions Ongoing past their timeout (the cleanup timer of each shard). */
  abortTimedOut(shard: TxnShard, now: number): RuntimeResult<void, TxnRecord> {
    const records: TxnRecord[] = []
    const then: (() => void)[] = []
    for (const m of shard.all()) {
      if (m.status !== TransactionStatus.ONGOING || now - m.startTimestamp <= m.timeoutMs) continue
      this.#deps.logger.info(
        `transaction coordinator: aborting transaction of ${m.transactionalId} (producer ${m.producerId}), open for ${now - m.startTimestamp} ms > transaction.timeout.ms ${m.timeoutMs}`,
      )
      const aborted = this.#abortWithBumpedEpoch(shard, m, now)
      records.push(...aborted.records)
      then.push(...(aborted.then ?? []))
    }
    return { records, response: undefined, then }
  }

  /** Forgets ids idle for transactional.id.expiration.ms (tombstones), as Kafka's removeExpiredTransactionalIds. */
  expireIdle(shard: TxnShard, now: number): RuntimeResult<void, TxnRecord> {
    const expirationMs = this.#deps.configs()['transactional.id.expiration.ms']
    const records: TxnRecord[] = []
    for (const m of shard.all()) {
      const idle =
        m.status === TransactionStatus.EMPTY ||
        m.status === TransactionStatus.COMPLETE_COMMIT ||
        m.status === TransactionStatus.COMPLETE_ABORT
      if (idle && now - m.lastUpdateTimestamp >= expirationMs)
        records.push({ transactionalId: m.transactionalId, value: null })
    }
    return { records, response: undefined }
  }

  /** After a shard loads: transactions left Prepared by a crash get their markers (Kafka does this on election). */
  resumePrepared(shard: TxnShard): void {
    for (const m of shard.all()) if (isPrepared(m.status)) this.#scheduleMarkers(shard, m.transactionalId, 0)
  }

  close(): void {
    this.#deps.onClose?.()
    this.#runtime.close()
  }

  #abortWithBumpedEpoch(shard: TxnShard, m: TxnMetadata, now: number): RuntimeResult<void, TxnRecord> {
    const state = nextState(m, {
      producerEpoch: Math.min(m.producerEpoch + 1, MAX_EPOCH),
      status: TransactionStatus.PREPARE_ABORT,
      lastUpdateTimestamp: now,
    })
    return {
      records: [{ transactionalId: m.transactionalId, value: state }],
      response: undefined,
      then: [() => this.#writeMarkers(shard, m.transactionalId)],
    }
  }

  /** Writes the markers of a Prepared transaction, then records it complete; retries partitions that failed. */
  #writeMarkers(shard: TxnShard, transactionalId: string): void {
    const m = shard.get(transactionalId)
    if (m === undefined || !isPrepared(m.status)) return
    const marker: TxnMarker = {
      producerId: m.producerId,
      producerEpoch: m.producerEpoch,
      coordinatorEpoch: this.#deps.markers.coordinatorEpoch(shard.partition),
      committed: m.status === TransactionStatus.PREPARE_COMMIT,
    }
    const targets =
      this.#pendingMarkers.get(transactionalId) ??
      [...m.partitions].flatMap(([topic, ids]) => [...ids].map((partition) => ({ topic, partition })))
    const pending = targets.filter(({ topic, partition }) => {
      const errorCode = this.#deps.markers.write(topic, partition, marker)
      // A deleted partition needs no marker; a newer producer epoch there means this one was fenced anyway.
      const done =
        errorCode === ErrorCode.NONE ||
        errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION ||
        errorCode === ErrorCode.INVALID_PRODUCER_EPOCH
      if (!done) {
        this.#deps.logger.warn(
          `transaction coordinator: marker for ${topic}-${partition} failed with error ${errorCode}; retrying`,
        )
      }
      return !done
    })
    if (pending.length > 0) {
      this.#pendingMarkers.set(transactionalId, pending)
      this.#scheduleMarkers(shard, transactionalId, MARKER_RETRY_MS)
      return
    }
    this.#pendingMarkers.delete(transactionalId)
    this.#runtime.runOn(shard.partition, (s, now) => {
      const current = s.get(transactionalId)
      if (current === undefined || !isPrepared(current.status)) return { records: [], response: undefined }
      return { records: [{ transactionalId, value: completed(current, now) }], response: undefined }
    })
  }

  #scheduleMarkers(shard: TxnShard, transactionalId: string, delayMs: number): void {
    shard.timers.schedule(`markers:${transactionalId}`, delayMs, () => {
      this.#writeMarkers(shard, transactionalId)
      return { records: [], response: undefined }
    })
  }
}

/** Whether (producerId, epoch) from a KIP-360 InitProducerId is this id's current or previous producer. */
function isKnownProducer(m: TxnMetadata, expected: { producerId: bigint; producerEpoch: number }): boolean {
  if (expected.producerId === m.producerId) {
    return expected.producerEpoch === m.producerEpoch || expected.producerEpoch === m.lastProducerEpoch
  }
  return expected.producerId === m.previousProducerId
}

/** A transition as a runtime result: its state as a record (when it changed) and its error code as the answer. */
function recorded(transactionalId: string, t: Transition): RuntimeResult<number, TxnRecord> {
  return { records: t.next === undefined ? [] : [{ transactionalId, value: t.next }], response: t.errorCode }
}
