// ListOffsets (2): looks up an offset per partition by timestamp, or by one of the special timestamps (-1 latest,
// -2 earliest, and the newer ones below). v0 (pre-KIP-896, dropped in Kafka 4) could return several offsets per
// partition via maxNumOffsets/oldStyleOffsets; v1 returns exactly one offset with its timestamp (KIP-79). v2 adds
// isolationLevel (KIP-98) and the response's throttleTimeMs; v3 matches v2; v4 adds currentLeaderEpoch fencing
// and the returned leaderEpoch (KIP-320); v5 may answer OFFSET_NOT_AVAILABLE; v6 is the first flexible version
// (KIP-482). Later versions only add lookup modes: v7 max timestamp (KIP-734), v8 local log start (KIP-405), v9
// last tiered offset (KIP-1005), v10 adds timeoutMs for asynchronous remote lookups (KIP-1075), v11 earliest
// pending upload offset (KIP-1023).

import { api, f, type RequestOf, type ResponseOf } from '../schema.ts'

export const ListOffsets = api({
  key: 2,
  name: 'ListOffsets',
  validVersions: '0-11',
  flexibleVersions: '6+',
  request: {
    replicaId: f.int32('0+', { entity: 'brokerId' }),
    isolationLevel: f.int8('2+'),
    topics: f.array('0+', {
      name: f.string('0+', { entity: 'topicName' }),
      partitions: f.array('0+', {
        partitionIndex: f.int32('0+'),
        currentLeaderEpoch: f.int32('4+', { default: -1, ignorable: true }),
        timestamp: f.int64('0+'),
        maxNumOffsets: f.int32('0', { default: 1 }),
      }),
    }),
    timeoutMs: f.int32('10+', { ignorable: true }),
  },
  response: {
    throttleTimeMs: f.int32('2+', { ignorable: true }),
    topics: f.array('0+', {
      name: f.string('0+', { entity: 'topicName' }),
      partitions: f.array('0+', {
        partitionIndex: f.int32('0+'),
        errorCode: f.int16('0+'),
        oldStyleOffsets: f.array('0', 'int64'),
        timestamp: f.int64('1+', { default: -1n }),
        offset: f.int64('1+', { default: -1n }),
        leaderEpoch: f.int32('4+', { default: -1 }),
      }),
    }),
  },
})

export type ListOffsetsRequest = RequestOf<typeof ListOffsets>
export type ListOffsetsResponse = ResponseOf<typeof ListOffsets>
