// OffsetFetch (9): a consumer (or an admin tool) reads the offsets a group has committed. v0 is a pre-KIP-896
// version that Kafka 4 dropped and we keep for old clients: it read offsets kept in ZooKeeper, while v1 reads the
// __consumer_offsets topic with the same wire shape. v2 lets a null topics array ask for every committed partition
// and adds a top-level errorCode (KIP-88); v3 adds throttleTimeMs; v4 throttles after answering (KIP-219); v5
// returns each offset's committedLeaderEpoch (KIP-320); v6 is the first flexible version (KIP-482); v7 adds
// requireStable so pending transactional commits are reported as UNSTABLE_OFFSET_COMMIT instead of hidden
// (KIP-447); v8 batches several groups in one request, moving the per-group fields into `groups` (KIP-709); v9
// adds memberId and memberEpoch for KIP-848 consumer-group members; v10 names topics by topicId instead of by
// name (KIP-848).

import { api, f, type RequestOf, type ResponseOf } from '../schema.ts'

export const OffsetFetch = api({
  key: 9,
  name: 'OffsetFetch',
  validVersions: '0-10',
  flexibleVersions: '6+',
  request: {
    groupId: f.string('0-7', { entity: 'groupId' }),
    topics: f.array(
      '0-7',
      {
        name: f.string('0-7', { entity: 'topicName' }),
        partitionIndexes: f.array('0-7', 'int32'),
      },
      { nullableVersions: '2-7' },
    ),
    groups: f.array('8+', {
      groupId: f.string('8+', { entity: 'groupId' }),
      memberId: f.string('9+', { nullableVersions: '9+', default: null, ignorable: true }),
      memberEpoch: f.int32('9+', { default: -1, ignorable: true }),
      topics: f.array(
        '8+',
        {
          name: f.string('8-9', { entity: 'topicName', ignorable: true }),
          topicId: f.uuid('10+', { ignorable: true }),
          partitionIndexes: f.array('8+', 'int32'),
        },
        { nullableVersions: '8+' },
      ),
    }),
    requireStable: f.bool('7+'),
  },
  response: {
    throttleTimeMs: f.int32('3+', { ignorable: true }),
    topics: f.array('0-7', {
      name: f.string('0-7', { entity: 'topicName' }),
      partitions: f.array('0-7', {
        partitionIndex: f.int32('0-7'),
        committedOffset: f.int64('0-7'),
        committedLeaderEpoch: f.int32('5-7', { default: -1, ignorable: true }),
        metadata: f.string('0-7', { nullableVersions: '0-7' }),
        errorCode: f.int16('0-7'),
      }),
    }),
    errorCode: f.int16('2-7', { ignorable: true }),
    groups: f.array('8+', {
      groupId: f.string('8+', { entity: 'groupId' }),
      topics: f.array('8+', {
        name: f.string('8-9', { entity: 'topicName', ignorable: true }),
        topicId: f.uuid('10+', { ignorable: true }),
        partitions: f.array('8+', {
          partitionIndex: f.int32('8+'),
          committedOffset: f.int64('8+'),
          committedLeaderEpoch: f.int32('8+', { default: -1, ignorable: true }),
          metadata: f.string('8+', { nullableVersions: '8+' }),
          errorCode: f.int16('8+'),
        }),
      }),
      errorCode: f.int16('8+'),
    }),
  },
})

export type OffsetFetchRequest = RequestOf<typeof OffsetFetch>
export type OffsetFetchResponse = ResponseOf<typeof OffsetFetch>
