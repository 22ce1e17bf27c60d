// OffsetForLeaderEpoch (23): asks a partition leader where a given leader epoch ended, so a follower (or a
// consumer after a leader change) can truncate a diverged log instead of trusting the high watermark (KIP-101).
// v0-1 are pre-KIP-896 versions Kafka 4 dropped, kept for old clients: v1 returns the epoch actually found
// (KIP-279). v2 adds currentLeaderEpoch fencing (KIP-320) and the response's throttleTimeMs; v3 adds replicaId
// so consumers can use the API too, defaulting to -2, the "debug" replica id that may read past the high
// watermark; v4 is the first flexible version (KIP-482).

import { api, f, type RequestOf, type ResponseOf } from '../schema.ts'

export const OffsetForLeaderEpoch = api({
  key: 23,
  name: 'OffsetForLeaderEpoch',
  validVersions: '0-4',
  flexibleVersions: '4+',
  request: {
    replicaId: f.int32('3+', { default: -2, ignorable: true, entity: 'brokerId' }),
    topics: f.array('0+', {
      topic: f.string('0+', { entity: 'topicName', mapKey: true }),
      partitions: f.array('0+', {
        partition: f.int32('0+'),
        currentLeaderEpoch: f.int32('2+', { default: -1, ignorable: true }),
        leaderEpoch: f.int32('0+'),
      }),
    }),
  },
  response: {
    throttleTimeMs: f.int32('2+', { ignorable: true }),
    topics: f.array('0+', {
      topic: f.string('0+', { entity: 'topicName', mapKey: true }),
      partitions: f.array('0+', {
        errorCode: f.int16('0+'),
        partition: f.int32('0+'),
        leaderEpoch: f.int32('1+', { default: -1, ignorable: true }),
        endOffset: f.int64('0+', { default: -1n }),
      }),
    }),
  },
})

export type OffsetForLeaderEpochRequest = RequestOf<typeof OffsetForLeaderEpoch>
export type OffsetForLeaderEpochResponse = ResponseOf<typeof OffsetForLeaderEpoch>
