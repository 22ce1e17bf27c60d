// TxnOffsetCommit (28): a transactional producer sends consumed offsets to the group coordinator as part of its
// transaction; they become visible only if the transaction commits (KIP-98, the consume-transform-produce loop).
// v1 changes only throttling (KIP-219); v2 adds each partition's committedLeaderEpoch (KIP-320); v3 is the first
// flexible version (KIP-482) and adds the consumer's generationId, memberId and groupInstanceId so the coordinator
// can fence zombie members rather than relying on one producer per input partition (KIP-447). v4 may answer
// TRANSACTION_ABORTABLE (KIP-890); v5 has the v4 shape but, under transactions v2 (KIP-890 part 2), also enlists
// the group in the transaction, replacing the separate AddOffsetsToTxn call.

import { api, f, type RequestOf, type ResponseOf } from '../schema.ts'

export const TxnOffsetCommit = api({
  key: 28,
  name: 'TxnOffsetCommit',
  validVersions: '0-5',
  flexibleVersions: '3+',
  request: {
    transactionalId: f.string('0+', { entity: 'transactionalId' }),
    groupId: f.string('0+', { entity: 'groupId' }),
    producerId: f.int64('0+', { entity: 'producerId' }),
    producerEpoch: f.int16('0+'),
    generationId: f.int32('3+', { default: -1 }),
    memberId: f.string('3+', { default: '' }),
    groupInstanceId: f.string('3+', { nullableVersions: '3+', default: null }),
    topics: f.array('0+', {
      name: f.string('0+', { entity: 'topicName' }),
      partitions: f.array('0+', {
        partitionIndex: f.int32('0+'),
        committedOffset: f.int64('0+'),
        committedLeaderEpoch: f.int32('2+', { default: -1, ignorable: true }),
        committedMetadata: f.string('0+', { nullableVersions: '0+' }),
      }),
    }),
  },
  response: {
    throttleTimeMs: f.int32('0+'),
    topics: f.array('0+', {
      name: f.string('0+', { entity: 'topicName' }),
      partitions: f.array('0+', {
        partitionIndex: f.int32('0+'),
        errorCode: f.int16('0+'),
      }),
    }),
  },
})

export type TxnOffsetCommitRequest = RequestOf<typeof TxnOffsetCommit>
export type TxnOffsetCommitResponse = ResponseOf<typeof TxnOffsetCommit>
