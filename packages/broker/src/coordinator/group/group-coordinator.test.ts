// The group coordinator through a real broker and raw protocol: a classic group's join/sync/heartbeat/commit and a
// KIP-848 group's heartbeat/commit, then a broker restart on the same data, after which the groups and offsets
// are rebuilt by replaying __consumer_offsets.

import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  ConsumerGroupDescribe,
  ConsumerGroupHeartbeat,
  DeleteGroups,
  DescribeGroups,
  ErrorCode,
  FindCoordinator,
  Heartbeat,
  JoinGroup,
  LeaveGroup,
  ListGroups,
  OffsetCommit,
  OffsetDelete,
  OffsetFetch,
  SyncGroup,
} from '@samsa/protocol'
import { createTopic, startTestBroker } from '../../testing.ts'

const FAST = { 'group.initial.rebalance.delay.ms': 0, 'offsets.topic.num.partitions': 5 }

test('classic group: join, sync, heartbeat, commit; offsets and the group survive a restart', async () => {
  let tb = await startTestBroker({ config: FAST })
  const dir = tb.dir
  try {
    let conn = await tb.connect()
    await createTopic(conn, 'orders', 2)
    const found = await conn.request(FindCoordinator, 3, FindCoordinator.request.make({ key: 'g1', keyType: 0 }))
    assert.equal(found.errorCode, ErrorCode.NONE)
    assert.equal(found.nodeId, 0)

    const join = (memberId: string) =>
      conn.request(
        JoinGroup,
        7,
        JoinGroup.request.make({
          groupId: 'g1',
          sessionTimeoutMs: 10_000,
          rebalanceTimeoutMs: 10_000,
          memberId,
          protocolType: 'consumer',
          protocols: [{ name: 'range', metadata: Buffer.from('subscription') }],
        }),
      )
    const first = await join('')
    assert.equal(first.errorCode, ErrorCode.MEMBER_ID_REQUIRED)
    const joined = await join(first.memberId)
    assert.equal(joined.errorCode, ErrorCode.NONE)
    assert.equal(joined.leader, joined.memberId)
    assert.equal(joined.protocolName, 'range')
    assert.equal(joined.members.length, 1)

    const synced = await conn.request(
      SyncGroup,
      5,
      SyncGroup.request.make({
        groupId: 'g1',
        generationId: joined.generationId,
        memberId: joined.memberId,
        protocolType: 'consumer',
        protocolName: 'range',
        assignments: [{ memberId: joined.memberId, assignment: Buffer.from('both partitions') }],
      }),
    )
    assert.equal(synced.errorCode, ErrorCode.NONE)
    assert.equal(synced.assignment.toString(), 'both partitions')
    const beat = await conn.request(
      Heartbeat,
      4,
      Heartbeat.request.make({ groupId: 'g1', generationId: joined.generationId, memberId: joined.memberId }),
    )
    assert.equal(beat.errorCode, ErrorCode.NONE)

    const commit = (generationIdOrMemberEpoch: number, offset: bigint) =>
      conn.request(
        OffsetCommit,
        8,
        OffsetCommit.request.make({
          groupId: 'g1',
          generationIdOrMemberEpoch,
          memberId: joined.memberId,
          topics: [
            {
              name: 'orders',
              partitions: [
                { partitionIndex: 0, committedOffset: offset, committedMetadata: 'm' },
                { partitionIndex: 5, committedOffset: 1n, committedMetadata: null },
              ],
            },
          ],
        }),
      )
    const stale = await commit(joined.generationId + 1, 1n)
    assert.deepEqual(
      stale.topics[0]?.partitions.map((p) => p.errorCode),
      [ErrorCode.ILLEGAL_GENERATION, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
    )
    const good = await commit(joined.generationId, 42n)
    assert.deepEqual(
      good.topics[0]?.partitions.map((p) => p.errorCode),
      [ErrorCode.NONE, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
    )

    const listed = await conn.request(ListGroups, 5, ListGroups.request.make({}))
    assert.deepEqual(
      listed.groups.map((g) => [g.groupId, g.protocolType, g.groupState, g.groupType]),
      [['g1', 'consumer', 'Stable', 'classic']],
    )
    const notEmpty = await conn.request(DeleteGroups, 2, DeleteGroups.request.make({ groupsNames: ['g1', 'nope'] }))
    assert.deepEqual(
      notEmpty.results.map((r) => r.errorCode),
      [ErrorCode.NON_EMPTY_GROUP, ErrorCode.GROUP_ID_NOT_FOUND],
    )

    // Restart on the same data: the group and its offsets come back from __consumer_offsets.
    await tb.stop(false)
    tb = await startTestBroker({ config: FAST, dir })
    conn = await tb.connect()
    const fetched = await conn.request(
      OffsetFetch,
      8,
      OffsetFetch.request.make({ groups: [{ groupId: 'g1', topics: [{ name: 'orders', partitionIndexes: [0, 1] }] }] }),
    )
    assert.deepEqual(
      fetched.groups[0]?.topics[0]?.partitions.map((p) => [p.partitionIndex, p.committedOffset, p.metadata]),
      [
        [0, 42n, 'm'],
        [1, -1n, ''],
      ],
    )
    const described = await conn.request(DescribeGroups, 5, DescribeGroups.request.make({ groups: ['g1'] }))
    const group = described.groups[0]
    assert.equal(group?.groupState, 'Stable')
    assert.equal(group?.protocolData, 'range')
    assert.deepEqual(
      group?.members.map((m) => [m.memberId, m.memberAssignment.toString()]),
      [[joined.memberId, 'both partitions']],
    )

    const left = await conn.request(
      LeaveGroup,
      4,
      LeaveGroup.request.make({ groupId: 'g1', members: [{ memberId: joined.memberId }] }),
    )
    assert.equal(left.errorCode, ErrorCode.NONE)
    const offsetDeleted = await conn.request(
      OffsetDelete,
      0,
      OffsetDelete.request.make({ groupId: 'g1', topics: [{ name: 'orders', partitions: [{ partitionIndex: 0 }] }] }),
    )
    assert.equal(offsetDeleted.errorCode, ErrorCode.NONE)
    const deleted = await conn.request(DeleteGroups, 2, DeleteGroups.request.make({ groupsNames: ['g1'] }))
    assert.equal(deleted.results[0]?.errorCode, ErrorCode.NONE)
    const afterDelete = await conn.request(ListGroups, 5, ListGroups.request.make({}))
    assert.deepEqual(afterDelete.groups, [])
  } finally {
    await tb.stop()
  }
})

test('KIP-848 group: a member joins, gets every partition, commits with its epoch; the group survives a restart', async () => {
  let tb = await startTestBroker({ config: FAST })
  const dir = tb.dir
  try {
    let conn = await tb.connect()
    await createTopic(conn, 'events', 3)
    const joined = await conn.request(
      ConsumerGroupHeartbeat,
      0,
      ConsumerGroupHeartbeat.request.make({
        groupId: 'g848',
        memberEpoch: 0,
        rebalanceTimeoutMs: 10_000,
        subscribedTopicNames: ['events'],
        topicPartitions: [],
      }),
    )
    assert.equal(joined.errorCode, ErrorCode.NONE, joined.errorMessage ?? '')
    assert.ok(joined.memberId !== null && joined.memberId !== '')
    assert.ok(joined.memberEpoch > 0)
    assert.deepEqual(joined.assignment?.topicPartitions.flatMap((t) => t.partitions).sort(), [0, 1, 2])

    const commit = await conn.request(
      OffsetCommit,
      9,
      OffsetCommit.request.make({
        groupId: 'g848',
        generationIdOrMemberEpoch: joined.memberEpoch,
        memberId: joined.memberId ?? '',
        topics: [{ name: 'events', partitions: [{ partitionIndex: 2, committedOffset: 7n, committedMetadata: '' }] }],
      }),
    )
    assert.equal(commit.topics[0]?.partitions[0]?.errorCode, ErrorCode.NONE)
    const staleCommit = await conn.request(
      OffsetCommit,
      9,
      OffsetCommit.request.make({
        groupId: 'g848',
        generationIdOrMemberEpoch: joined.memberEpoch + 5,
        memberId: joined.memberId ?? '',
        topics: [{ name: 'events', partitions: [{ partitionIndex: 2, committedOffset: 8n, committedMetadata: '' }] }],
      }),
    )
    assert.equal(staleCommit.topics[0]?.partitions[0]?.errorCode, ErrorCode.STALE_MEMBER_EPOCH)
    // JoinGroup cannot take over a consumer group's id.
    const classicJoin = await conn.request(
      JoinGroup,
      5,
      JoinGroup.request.make({ groupId: 'g848', sessionTimeoutMs: 10_000, memberId: '', protocolType: 'consumer' }),
    )
    assert.equal(classicJoin.errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL)

    await tb.stop(false)
    tb = await startTestBroker({ config: FAST, dir })
    conn = await tb.connect()
    const described = await conn.request(
      ConsumerGroupDescribe,
      0,
      ConsumerGroupDescribe.request.make({ groupIds: ['g848'] }),
    )
    const group = described.groups[0]
    assert.equal(group?.errorCode, ErrorCode.NONE)
    assert.deepEqual(
      group?.members.map((m) => [m.memberId, m.subscribedTopicNames]),
      [[joined.memberId, ['events']]],
    )
    const fetched = await conn.request(
      OffsetFetch,
      9,
      OffsetFetch.request.make({
        groups: [{ groupId: 'g848', memberId: null, topics: [{ name: 'events', partitionIndexes: [2] }] }],
      }),
    )
    assert.equal(fetched.groups[0]?.topics[0]?.partitions[0]?.committedOffset, 7n)
    const listed = await conn.request(ListGroups, 5, ListGroups.request.make({ typesFilter: ['consumer'] }))
    assert.deepEqual(
      listed.groups.map((g) => [g.groupId, g.groupType]),
      [['g848', 'consumer']],
    )
  } finally {
    await tb.stop()
  }
})
