// What the transaction coordinator persists per transactional id (Kafka's TransactionMetadata as written to
// `__transaction_state`): key = TransactionLogKey v0, value = TransactionLogValue, or null once the id expired.
// Values are written at v0, the version Kafka writes while the transaction.version feature is below 2 (KIP-890
// part 2 is not implemented); v1 values are read too, their tagged fields included.

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
  /** The producer id before the last rollover (epoch exhaustion), or -1. */
  previousProducerId: bigint
  producerEpoch: number
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

const VALUE_VERSION = 0

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
    VALUE_VERSION,
    TransactionLogValue.make({
      producerId: state.producerId,
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
      producerEpoch: v.producerEpoch,
      timeoutMs: v.transactionTimeoutMs,
      status: v.transactionStatus as TransactionStatus,
      partitions,
      startTimestamp: Number(v.transactionStartTimestampMs),
      lastUpdateTimestamp: Number(v.transactionLastUpdateTimestampMs),
    },
  }
}
