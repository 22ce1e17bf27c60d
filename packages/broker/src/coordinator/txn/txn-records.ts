// What the transaction coordinator persists per transactional id (Kafka's TransactionMetadata as written to
// `__transaction_state`): key = TransactionLogKey v0, value = TransactionLogValue, or null once the id expired.
// A transaction of a transactions-v2 client (KIP-890 part 2: EndTxn v5, Produce v12) is written at value v1, whose
// tagged fields carry the previous and next producer ids and the client's transaction version; others at v0, as
// Kafka writes them, so a log of v1 clients only stays readable by older brokers.

import {
  TransactionLogKey,
  TransactionLogValue,
  TransactionStatus,
  decodeVersioned,
  encodeVersioned,
} from '@samsa/protocol'
import type { StoredRecord } from '../runtime/coordinator-log.ts'

/** The persisted state of one transactional id. */
export interface TxnState {
  producerId: bigint
  /**
   * The producer id of the previous epoch: the old id after a rollover (epoch exhaustion), the same id after a
   * transactions-v2 epoch bump (then the previous epoch is producerEpoch - 1), or -1.
   */
  previousProducerId: bigint
  /** Transactions v2: the id a Prepare record hands out when the epoch is exhausted, -1 otherwise. */
  nextProducerId: bigint
  producerEpoch: number
  /** 2 for a transactions-v2 client (the epoch is bumped by every EndTxn), 0 otherwise. */
  clientTransactionVersion: number
  timeoutMs: number
  status: TransactionStatus
  /** topic → partitions in the current transaction; empty outside Ongoing/Prepare*. */
  partitions: ReadonlyMap<string, ReadonlySet<number>>
  /** When the first partition was added to the current transaction; -1 outside one. */
  startTimestamp: number
  lastUpdateTimestamp: number
}

export interface TxnRecord {
  transactionalId: string
  /** null: the id expired and is forgotten (a tombstone). */
  value: TxnState | null
}

/** Kafka's TransactionState names, as DescribeTransactions and ListTransactions spell them. */
export const TXN_STATUS_NAMES: Readonly<Record<TransactionStatus, string>> = {
  [TransactionStatus.EMPTY]: 'Empty',
  [TransactionStatus.ONGOING]: 'Ongoing',
  [TransactionStatus.PREPARE_COMMIT]: 'PrepareCommit',
  [TransactionStatus.PREPARE_ABORT]: 'PrepareAbort',
  [TransactionStatus.COMPLETE_COMMIT]: 'CompleteCommit',
  [TransactionStatus.COMPLETE_ABORT]: 'CompleteAbort',
  [TransactionStatus.DEAD]: 'Dead',
  [TransactionStatus.PREPARE_EPOCH_FENCE]: 'PrepareEpochFence',
}

export function encodeTxnRecord(record: TxnRecord): StoredRecord {
  const key = encodeVersioned(TransactionLogKey, 0, { transactionalId: record.transactionalId })
  const state = record.value
  if (state === null) return { key, value: null }
  const topics = [...state.partitions].map(([topic, ids]) => ({ topic, partitionIds: [...ids].sort((a, b) => a - b) }))
  const value = encodeVersioned(
    TransactionLogValue,
    state.clientTransactionVersion >= 2 ? 1 : 0,
    TransactionLogValue.make({
      producerId: state.producerId,
      ...(state.clientTransactionVersion >= 2
        ? {
            previousProducerId: state.previousProducerId,
            nextProducerId: state.nextProducerId,
            clientTransactionVersion: state.clientTransactionVersion,
          }
        : {}),
      producerEpoch: state.producerEpoch,
      transactionTimeoutMs: state.timeoutMs,
      transactionStatus: state.status,
      transactionPartitions: topics.length === 0 ? null : topics,
      transactionLastUpdateTimestampMs: BigInt(state.lastUpdateTimestamp),
      transactionStartTimestampMs: BigInt(state.startTimestamp),
    }),
  )
  return { key, value }
}

/** null for a record that is not a transaction log record of a known version. */
export function decodeTxnRecord(key: Buffer, value: Buffer | null): TxnRecord | null {
  const decodedKey = decodeVersioned(TransactionLogKey, key)
  const transactionalId = decodedKey.value.transactionalId
  if (value === null) return { transactionalId, value: null }
  const v = decodeVersioned(TransactionLogValue, value).value
  const partitions = new Map<string, Set<number>>()
  for (const t of v.transactionPartitions ?? []) partitions.set(t.topic, new Set(t.partitionIds))
  return {
    transactionalId,
    value: {
      producerId: v.producerId,
      previousProducerId: v.previousProducerId,
      nextProducerId: v.nextProducerId,
      producerEpoch: v.producerEpoch,
      clientTransactionVersion: v.clientTransactionVersion,
      timeoutMs: v.transactionTimeoutMs,
      status: v.transactionStatus as TransactionStatus,
      partitions,
      startTimestamp: Number(v.transactionStartTimestampMs),
      lastUpdateTimestamp: Number(v.transactionLastUpdateTimestampMs),
    },
  }
}
