// One `__transaction_state` partition's worth of transactional ids (Kafka's TransactionStateManager for one
// partition). Replay of TxnRecords is the only mutator; the coordinator computes records from what it reads here.
// A producer-id index shared by all shards lets a partition leader ask, for a transactional batch, whether its
// producer's ongoing transaction includes the partition (KIP-890 part 1's verification, in-process).

import { TransactionStatus } from '@samsa/protocol'
import type { RuntimeTimers } from '../runtime/coordinator-runtime.ts'
import type { TxnRecord, TxnState } from './txn-records.ts'

export interface TxnMetadata extends TxnState {
  transactionalId: string
  /** The epoch before the last bump by InitProducerId, to recognise a retried InitProducerId (KIP-360); -1 if none. */
  lastProducerEpoch: number
}

/** producer id → transactional id, across every loaded shard. */
export type ProducerIndex = Map<bigint, string>

export class TxnShard {
  readonly partition: number
  readonly timers: RuntimeTimers<TxnRecord>
  readonly #txns = new Map<string, TxnMetadata>()
  readonly #producers: ProducerIndex

  constructor(partition: number, timers: RuntimeTimers<TxnRecord>, producers: ProducerIndex) {
    this.partition = partition
    this.timers = timers
    this.#producers = producers
  }

  get(transactionalId: string): TxnMetadata | undefined {
    return this.#txns.get(transactionalId)
  }

  all(): Iterable<TxnMetadata> {
    return this.#txns.values()
  }

  replay(record: TxnRecord): void {
    const before = this.#txns.get(record.transactionalId)
    if (before !== undefined && this.#producers.get(before.producerId) === record.transactionalId) {
      this.#producers.delete(before.producerId)
    }
    if (record.value === null) {
      this.#txns.delete(record.transactionalId)
      return
    }
    const v = record.value
    const sameProducer = before?.producerId === v.producerId
    // A transactions-v2 record names its own id as the previous one: the previous epoch is one less, even when the
    // records before it were compacted away.
    const lastProducerEpoch =
      before !== undefined && sameProducer
        ? before.producerEpoch !== v.producerEpoch
          ? before.producerEpoch
          : before.lastProducerEpoch
        : v.previousProducerId === v.producerId
          ? v.producerEpoch - 1
          : -1
    this.#txns.set(record.transactionalId, {
      ...record.value,
      transactionalId: record.transactionalId,
      lastProducerEpoch,
    })
    this.#producers.set(record.value.producerId, record.transactionalId)
  }
}

/** Whether the transaction has partitions in it that may still see data (Ongoing) or wait for markers (Prepare*). */
export function isPrepared(status: TransactionStatus): boolean {
  return status === TransactionStatus.PREPARE_COMMIT || status === TransactionStatus.PREPARE_ABORT
}

/** A copy of `m` as a record value with the given changes. */
export function nextState(m: TxnMetadata, changes: Partial<TxnState>): TxnState {
  return {
    producerId: m.producerId,
    previousProducerId: m.previousProducerId,
    nextProducerId: m.nextProducerId,
    producerEpoch: m.producerEpoch,
    clientTransactionVersion: m.clientTransactionVersion,
    timeoutMs: m.timeoutMs,
    status: m.status,
    partitions: m.partitions,
    startTimestamp: m.startTimestamp,
    lastUpdateTimestamp: m.lastUpdateTimestamp,
    ...changes,
  }
}
