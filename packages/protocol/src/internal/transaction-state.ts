// The records of the `__transaction_state` topic, where a transaction coordinator persists, per transactional
// id, the producer id and epoch it handed out and the state of the current transaction. Key and value are each
// an int16 version followed by the struct (see framing.ts); a null value removes an expired transactional id.
//
// TransactionLogKey has only version 0.
// TransactionLogValue: v1 is the first flexible version (KIP-915). Its tagged fields come from KIP-890 (part 2),
// where the epoch is bumped at the end of every transaction: the producer id of the previous transaction and the
// one handed out next (both -1 when unused), and the transaction version the client speaks. Which version a
// broker writes follows the cluster's transaction.version feature level, so a log stays readable by older brokers.

import { dataSchema, f, type DataOf } from '../schema.ts'

export const TransactionLogKey = dataSchema({
  name: 'TransactionLogKey',
  validVersions: '0',
  flexibleVersions: 'none',
  fields: {
    transactionalId: f.string('0', { entity: 'transactionalId' }),
  },
})
export type TransactionLogKeyData = DataOf<typeof TransactionLogKey>

export const TransactionLogValue = dataSchema({
  name: 'TransactionLogValue',
  validVersions: '0-1',
  flexibleVersions: '1+',
  fields: {
    producerId: f.int64('0+', { entity: 'producerId' }),
    previousProducerId: f.int64('1+', { tag: 0, taggedVersions: '1+', default: -1n, entity: 'producerId' }),
    nextProducerId: f.int64('1+', { tag: 1, taggedVersions: '1+', default: -1n, entity: 'producerId' }),
    producerEpoch: f.int16('0+'),
    transactionTimeoutMs: f.int32('0+'),
    /** One of TransactionStatus. */
    transactionStatus: f.int8('0+'),
    // Null rather than empty when no partition is part of the transaction (the Empty state).
    transactionPartitions: f.array(
      '0+',
      {
        topic: f.string('0+', { entity: 'topicName' }),
        partitionIds: f.array('0+', 'int32'),
      },
      { nullableVersions: '0+' },
    ),
    transactionLastUpdateTimestampMs: f.int64('0+'),
    transactionStartTimestampMs: f.int64('0+'),
    clientTransactionVersion: f.int16('1+', { tag: 2, taggedVersions: '1+', default: 0 }),
  },
})
export type TransactionLogValueData = DataOf<typeof TransactionLogValue>

/** The byte stored in `transactionStatus`: Kafka's TransactionState ids. */
export const TransactionStatus = {
  EMPTY: 0,
  ONGOING: 1,
  PREPARE_COMMIT: 2,
  PREPARE_ABORT: 3,
  COMPLETE_COMMIT: 4,
  COMPLETE_ABORT: 5,
  DEAD: 6,
  PREPARE_EPOCH_FENCE: 7,
} as const
export type TransactionStatus = (typeof TransactionStatus)[keyof typeof TransactionStatus]
