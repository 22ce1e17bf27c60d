// AddPartitionsToTxn (24): before a transactional producer writes to a partition for the first time in a
// transaction, it registers the partition with its transaction coordinator, so the coordinator knows where to
// write commit or abort markers (KIP-98). v1 changes only throttling (KIP-219); v2 may answer PRODUCER_FENCED
// (KIP-588); v3 is the first flexible version (KIP-482).
// v4 (KIP-890 part 1) changes the shape: brokers, not clients, send it, batching several transactions per request,
// and a transaction with verifyOnly set only asks whether its partitions are already in the transaction (so a
// partition leader can reject a stray transactional write) without adding them. The response gains a top-level
// errorCode and per-transaction results. v5 may answer TRANSACTION_ABORTABLE (KIP-890).
// As in Kafka's spec, both shapes live in one schema: the v3AndBelow* fields are the client shape (v0-3), the
// transactions / resultsByTransaction arrays the broker shape (v4+).

import { api, f, type RequestOf, type ResponseOf } from '../schema.ts'

const topicFields = {
  name: f.string('0+', { mapKey: true, entity: 'topicName' }),
  partitions: f.array('0+', 'int32'),
}

const topicResultFields = {
  name: f.string('0+', { mapKey: true, entity: 'topicName' }),
  resultsByPartition: f.array('0+', {
    partitionIndex: f.int32('0+', { mapKey: true }),
    partitionErrorCode: f.int16('0+'),
  }),
}

export const AddPartitionsToTxn = api({
  key: 24,
  name: 'AddPartitionsToTxn',
  validVersions: '0-5',
  flexibleVersions: '3+',
  request: {
    transactions: f.array('4+', {
      transactionalId: f.string('4+', { mapKey: true, entity: 'transactionalId' }),
      producerId: f.int64('4+', { entity: 'producerId' }),
      producerEpoch: f.int16('4+'),
      verifyOnly: f.bool('4+', { default: false }),
      topics: f.array('4+', topicFields),
    }),
    v3AndBelowTransactionalId: f.string('0-3', { entity: 'transactionalId' }),
    v3AndBelowProducerId: f.int64('0-3', { entity: 'producerId' }),
    v3AndBelowProducerEpoch: f.int16('0-3'),
    v3AndBelowTopics: f.array('0-3', topicFields),
  },
  response: {
    throttleTimeMs: f.int32('0+'),
    errorCode: f.int16('4+', { ignorable: true }),
    resultsByTransaction: f.array('4+', {
      transactionalId: f.string('4+', { mapKey: true, entity: 'transactionalId' }),
      topicResults: f.array('4+', topicResultFields),
    }),
    resultsByTopicV3AndBelow: f.array('0-3', topicResultFields),
  },
})

export type AddPartitionsToTxnRequest = RequestOf<typeof AddPartitionsToTxn>
export type AddPartitionsToTxnResponse = ResponseOf<typeof AddPartitionsToTxn>
