import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ErrorCode, Metadata } from '@samsa/protocol'
import { isStaleMetadataError, MetadataCache } from './metadata-cache.ts'

const partition = (partitionIndex: number, leaderId: number, errorCode = 0) => ({
  partitionIndex,
  leaderId,
  errorCode,
  leaderEpoch: 3,
  replicaNodes: [leaderId],
  isrNodes: [leaderId],
})

test('answers merge per topic; a topic error removes the topic', () => {
  const cache = new MetadataCache()
  cache.update(
    Metadata.response.make({
      brokers: [{ nodeId: 1, host: 'h', port: 9092 }],
      controllerId: 1,
      topics: [
        { name: 'a', partitions: [partition(0, 1), partition(1, 1, ErrorCode.LEADER_NOT_AVAILABLE)] },
        { name: 'b', partitions: [partition(0, 1)] },
      ],
    }),
    12,
  )
  assert.equal(cache.leaderOf('a', 0), 1)
  assert.equal(cache.leaderOf('a', 1), -1, 'no leader while LEADER_NOT_AVAILABLE')
  assert.deepEqual(cache.availablePartitions('a'), [0])
  assert.equal(cache.partitionCount('a'), 2)
  cache.update(
    Metadata.response.make({ brokers: [], topics: [{ name: 'b', errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION }] }),
    12,
  )
  assert.equal(cache.topics.has('b'), false)
  assert.equal(cache.topicErrors.get('b'), ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
  assert.equal(cache.topics.has('a'), true, 'topics not in the answer stay')
  assert.equal(cache.leaderOf('zzz', 0), -1)
})

test('the stale-metadata codes are the leader and topic ones', () => {
  for (const code of [
    ErrorCode.NOT_LEADER_OR_FOLLOWER,
    ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    ErrorCode.LEADER_NOT_AVAILABLE,
  ]) {
    assert.ok(isStaleMetadataError(code))
  }
  assert.ok(!isStaleMetadataError(ErrorCode.MESSAGE_TOO_LARGE))
})
