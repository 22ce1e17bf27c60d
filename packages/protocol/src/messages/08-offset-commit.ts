// OffsetCommit (8): a consumer stores the positions it has processed up to in its group's coordinator, so a restart
// or a rebalance resumes from there. v0-1 are pre-KIP-896 versions that Kafka 4 dropped and we keep for old
// clients: v0 carries only group, topics and offsets; v1 adds the member's generationIdOrMemberEpoch and memberId
// plus a per-partition commitTimestamp (valid in v1 only). v2 replaces that timestamp with a request-wide
// retentionTimeMs; v3 adds the response's throttleTimeMs; v4 throttles after answering (KIP-219); v5 drops
// retentionTimeMs again, leaving retention to the broker's offsets.retention.minutes (KIP-211); v6 adds the
// committedLeaderEpoch used to detect truncation (KIP-320); v7 adds groupInstanceId (KIP-345 static membership);
// v8 is the first flexible version (KIP-482); v9 keeps the v8 shape but may be sent by KIP-848 consumer-group
// members, whose member epoch then travels in generationIdOrMemberEpoch; v10 names topics by topicId instead of
// by name (KIP-848).

import { api, f, type RequestOf, type ResponseOf } from '../schema.ts'

export const OffsetCommit = api({
  key: 8,
  name: 'OffsetCommit',
  validVersions: '0-10',
  flexibleVersions: '8+',
  request: {
    groupId: f.string('0+', { entity: 'groupId' }),
    generationIdOrMemberEpoch: f.int32('1+', { default: -1, ignorable: true }),
    memberId: f.string('1+', { ignorable: true }),
    groupInstanceId: f.string('7+', { nullableVersions: '7+', default: null }),
    retentionTimeMs: f.int64('2-4', { default: -1n, ignorable: true }),
    topics: f.array('0+', {
      name: f.string('0-9', { entity: 'topicName', ignorable: true }),
      topicId: f.uuid('10+', { ignorable: true }),
      partitions: f.array('0+', {
        partitionIndex: f.int32('0+'),
        committedOffset: f.int64('0+'),
        committedLeaderEpoch: f.int32('6+', { default: -1, ignorable: true }),
        commitTimestamp: f.int64('1', { default: -1n }),
        committedMetadata: f.string('0+', { nullableVersions: '0+' }),
      }),
    }),
  },
  response: {
    throttleTimeMs: f.int32('3+', { ignorable: true }),
    topics: f.array('0+', {
      name: f.string('0-9', { entity: 'topicName', ignorable: true }),
      topicId: f.uuid('10+', { ignorable: true }),
      partitions: f.array('0+', {
        partitionIndex: f.int32('0+'),
        errorCode: f.int16('0+'),
      }),
    }),
  },
})

export type OffsetCommitRequest = RequestOf<typeof OffsetCommit>
export type OffsetCommitResponse = ResponseOf<typeof OffsetCommit>
