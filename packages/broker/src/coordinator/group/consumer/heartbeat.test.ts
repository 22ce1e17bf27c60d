// ConsumerGroupHeartbeat end to end through a fake runtime (consumer-harness.ts): joining, KIP-848's
// revoke-before-assign rebalance with its epochs, leaving, session and rebalance timeouts, static membership,
// fencing, and request validation.

import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ErrorCode } from '@samsa/protocol'
import { byName, Client, Coordinator } from './consumer-harness.ts'

function setup(partitions = 4) {
  const c = new Coordinator()
  c.topics.create('orders', partitions)
  return c
}

function describeGroup(c: Coordinator, groupId = 'g') {
  const [group] = c.groups.describe([groupId], false)
  assert.ok(group)
  return group
}

test('a first member joins and gets every partition at epoch 1', () => {
  const c = setup()
  const m1 = new Client(c, 'm1')
  const res = m1.join({ topics: ['orders'] })
  assert.equal(res.errorCode, ErrorCode.NONE)
  assert.equal(res.memberId, 'm1')
  assert.equal(res.memberEpoch, 1)
  assert.equal(res.heartbeatIntervalMs, 5000)
  assert.deepEqual(m1.partitions(), { orders: [0, 1, 2, 3] })
  assert.deepEqual(
    c.log.map((r) => r.type),
    [
      'consumerGroupMemberMetadata',
      'consumerGroupPartitionMetadata',
      'consumerGroupMetadata',
      'consumerGroupTargetAssignmentMember',
      'consumerGroupTargetAssignmentMetadata',
      'consumerGroupCurrentMemberAssignment',
    ],
  )
  const group = describeGroup(c)
  assert.equal(group.groupState, 'Stable')
  assert.equal(group.groupEpoch, 1)
  assert.equal(group.assignmentEpoch, 1)
  assert.equal(group.assignorName, 'uniform')
  // A steady heartbeat writes nothing and sends no assignment.
  const before = c.log.length
  const steady = m1.beat()
  assert.equal(steady.assignment, null)
  assert.equal(steady.memberEpoch, 1)
  assert.equal(c.log.length, before)
})

test('a second member gets its partitions only after the first revoked them', () => {
  const c = setup()
  const m1 = new Client(c, 'm1')
  const m2 = new Client(c, 'm2')
  m1.join({ topics: ['orders'] })

  // m2 joins: epoch 2, target {m1: 0-1, m2: 2-3}, but 2 and 3 are still m1's, so m2 gets nothing yet.
  const joined = m2.join({ topics: ['orders'] })
  assert.equal(joined.memberEpoch, 2)
  assert.deepEqual(m2.partitions(), {})
  assert.equal(describeGroup(c).groupState, 'Reconciling')

  // m1 is asked to revoke 2 and 3 and stays at epoch 1 until it does.
  const revoke = m1.beat()
  assert.equal(revoke.memberEpoch, 1)
  assert.deepEqual(m1.partitions(), { orders: [0, 1] })
  // m2 still waits: m1 has not acknowledged yet.
  assert.equal(m2.beat().assignment, null)
  assert.deepEqual(m2.partitions(), {})

  // m1's next heartbeat no longer lists 2 and 3: it moves to epoch 2; its assignment did not change.
  const acked = m1.beat()
  assert.equal(acked.memberEpoch, 2)
  assert.equal(acked.assignment, null)
  // Now the partitions are free and m2 gets them.
  const given = m2.beat()
  assert.equal(given.memberEpoch, 2)
  assert.deepEqual(m2.partitions(), { orders: [2, 3] })
  const group = describeGroup(c)
  assert.equal(group.groupState, 'Stable')
  assert.deepEqual(
    group.members.map((m) => [m.memberId, m.memberEpoch, byName(c.topics, m.assignment.topicPartitions)]),
    [
      ['m1', 2, { orders: [0, 1] }],
      ['m2', 2, { orders: [2, 3] }],
    ],
  )
})

test('a member that leaves (-1) is removed and its partitions go to the others', () => {
  const c = setup()
  const m1 = new Client(c, 'm1')
  const m2 = new Client(c, 'm2')
  m1.join({ topics: ['orders'] })
  m2.join({ topics: ['orders'] })
  m1.beat()
  m1.beat()
  m2.beat()
  const left = m2.leave()
  assert.equal(left.errorCode, ErrorCode.NONE)
  assert.equal(left.memberEpoch, -1)
  assert.deepEqual(
    c.log.slice(-4).map((r) => [r.type, r.value === null]),
    [
      ['consumerGroupCurrentMemberAssignment', true],
      ['consumerGroupTargetAssignmentMember', true],
      ['consumerGroupMemberMetadata', true],
      ['consumerGroupMetadata', false],
    ],
  )
  assert.equal(describeGroup(c).groupState, 'Assigning')
  const res = m1.beat()
  assert.equal(res.memberEpoch, 3)
  assert.deepEqual(m1.partitions(), { orders: [0, 1, 2, 3] })
  assert.equal(c.timers.pending.size, 1, 'only m1 has a session timer left')
})

test('a member that stops heartbeating is removed when its session times out', () => {
  const c = setup()
  const m1 = new Client(c, 'm1')
  const m2 = new Client(c, 'm2')
  m1.join({ topics: ['orders'] })
  m2.join({ topics: ['orders'] })
  m1.beat()
  m1.beat()
  m2.beat()
  c.advance(40_000)
  m1.beat() // m1 re-arms its session; m2 stays silent
  c.advance(5_001)
  assert.deepEqual(
    describeGroup(c).members.map((m) => m.memberId),
    ['m1'],
  )
  assert.equal(m1.beat().memberEpoch, 3)
  assert.deepEqual(m1.partitions(), { orders: [0, 1, 2, 3] })
  c.advance(45_000)
  assert.equal(describeGroup(c).groupState, 'Empty')
  assert.equal(m1.beat().errorCode, ErrorCode.UNKNOWN_MEMBER_ID)
})

test('a member that does not revoke within its rebalance timeout is fenced', () => {
  const c = setup()
  const m1 = new Client(c, 'm1', { rebalanceTimeoutMs: 10_000 })
  const m2 = new Client(c, 'm2')
  m1.join({ topics: ['orders'] })
  m2.join({ topics: ['orders'] })
  // m1 hears it must revoke, but keeps reporting all four partitions.
  const stuck = c.heartbeat({ memberId: 'm1', memberEpoch: 1, topicPartitions: m1.owned })
  assert.equal(stuck.memberEpoch, 1)
  c.heartbeat({
    memberId: 'm1',
    memberEpoch: 1,
    topicPartitions: [{ topicId: c.topics.id('orders'), partitions: [0, 1, 2, 3] }],
  })
  c.advance(10_000)
  assert.deepEqual(
    describeGroup(c).members.map((m) => m.memberId),
    ['m2'],
  )
  m2.beat()
  assert.deepEqual(m2.partitions(), { orders: [0, 1, 2, 3] })
})

test('a static member leaving with -2 keeps its assignment and gets it back when its instance rejoins', () => {
  const c = setup()
  const s1 = new Client(c, 's1', { instanceId: 'i1' })
  const m2 = new Client(c, 'm2')
  s1.join({ topics: ['orders'] })
  m2.join({ topics: ['orders'] })
  s1.beat()
  s1.beat()
  m2.beat()
  const epochBefore = describeGroup(c).groupEpoch

  const left = s1.leave(-2)
  assert.equal(left.memberEpoch, -2)
  const held = describeGroup(c)
  assert.equal(held.groupEpoch, epochBefore, 'a temporary leave does not rebalance')
  assert.deepEqual(
    held.members.map((m) => [m.memberId, m.memberEpoch]),
    [
      ['m2', 2],
      ['s1', -2],
    ],
  )
  // The instance comes back under a new member id: it takes over the held assignment at once, at the same
  // group epoch. A second claim of the instance, now that it is active again, is refused.
  const s1b = new Client(c, 's1b', { instanceId: 'i1' })
  const back = s1b.join({ topics: ['orders'] })
  assert.equal(back.memberEpoch, epochBefore)
  assert.deepEqual(s1b.partitions(), { orders: [0, 1] })
  assert.equal(describeGroup(c).groupEpoch, epochBefore)
  const intruder = new Client(c, 's1c', { instanceId: 'i1' }).join({ topics: ['orders'] })
  assert.equal(intruder.errorCode, ErrorCode.UNRELEASED_INSTANCE_ID)
  // The old member id is gone, and using the instance id with it is fenced.
  assert.equal(
    c.heartbeat({ memberId: 's1', memberEpoch: 2, instanceId: 'i1' }).errorCode,
    ErrorCode.FENCED_INSTANCE_ID,
  )
  assert.deepEqual(
    describeGroup(c).members.map((m) => m.memberId),
    ['m2', 's1b'],
  )
})

test('a static member that does not come back is removed at its session timeout', () => {
  const c = setup()
  const s1 = new Client(c, 's1', { instanceId: 'i1' })
  s1.join({ topics: ['orders'] })
  s1.leave(-2)
  c.advance(45_000)
  assert.equal(describeGroup(c).groupState, 'Empty')
})

test('wrong epochs are fenced; the previous epoch is accepted while the member owns a subset', () => {
  const c = setup()
  const m1 = new Client(c, 'm1')
  const m2 = new Client(c, 'm2')
  m1.join({ topics: ['orders'] })
  m2.join({ topics: ['orders'] })
  m1.beat()
  m1.beat() // m1: epoch 2 (previous 1), owns 0-1
  const orders = c.topics.id('orders')
  const ahead = c.heartbeat({ memberId: 'm1', memberEpoch: 3, topicPartitions: [] })
  assert.equal(ahead.errorCode, ErrorCode.FENCED_MEMBER_EPOCH)
  // The response carrying epoch 2 was lost: the previous epoch with a subset of the assignment is fine.
  const lost = c.heartbeat({ memberId: 'm1', memberEpoch: 1, topicPartitions: [{ topicId: orders, partitions: [0] }] })
  assert.equal(lost.errorCode, ErrorCode.NONE)
  assert.equal(lost.memberEpoch, 2)
  const notSubset = c.heartbeat({
    memberId: 'm1',
    memberEpoch: 1,
    topicPartitions: [{ topicId: orders, partitions: [3] }],
  })
  assert.equal(notSubset.errorCode, ErrorCode.FENCED_MEMBER_EPOCH)
  const tooOld = c.heartbeat({ memberId: 'm1', memberEpoch: 0, topicPartitions: null })
  assert.equal(tooOld.errorCode, ErrorCode.INVALID_REQUEST, 'a join must be a full request')
  assert.equal(c.heartbeat({ memberId: 'nobody', memberEpoch: 1 }).errorCode, ErrorCode.UNKNOWN_MEMBER_ID)
  assert.equal(c.heartbeat({ memberId: 'm1', memberEpoch: 1 }, 'other').errorCode, ErrorCode.UNKNOWN_MEMBER_ID)
})

test('a fenced member rejoining with its member id and epoch 0 starts over and gets its target back', () => {
  const c = setup()
  const m1 = new Client(c, 'm1')
  m1.join({ topics: ['orders'] })
  const again = m1.join({ topics: ['orders'] })
  assert.equal(again.errorCode, ErrorCode.NONE)
  assert.equal(again.memberEpoch, 1)
  assert.deepEqual(m1.partitions(), { orders: [0, 1, 2, 3] })
})

test('errors write nothing: max size, unsupported assignor, invalid requests', () => {
  const c = setup()
  for (const id of ['m1', 'm2', 'm3']) new Client(c, id).join({ topics: ['orders'] })
  const logged = c.log.length
  const full = new Client(c, 'm4').join({ topics: ['orders'] })
  assert.equal(full.errorCode, ErrorCode.GROUP_MAX_SIZE_REACHED)
  const assignor = new Client(c, 'm5', { groupId: 'g2', serverAssignor: 'sticky' }).join({ topics: ['orders'] })
  assert.equal(assignor.errorCode, ErrorCode.UNSUPPORTED_ASSIGNOR)
  const invalid: [string, Parameters<Coordinator['heartbeat']>[0], number][] = [
    [
      'no member id in v1',
      { memberId: '', memberEpoch: 0, rebalanceTimeoutMs: 1, subscribedTopicNames: [], topicPartitions: [] },
      1,
    ],
    ['no rebalance timeout', { memberId: 'x', memberEpoch: 0, subscribedTopicNames: [], topicPartitions: [] }, 1],
    ['no subscription', { memberId: 'x', memberEpoch: 0, rebalanceTimeoutMs: 1, topicPartitions: [] }, 1],
    [
      'owned partitions on join',
      {
        memberId: 'x',
        memberEpoch: 0,
        rebalanceTimeoutMs: 1,
        subscribedTopicNames: [],
        topicPartitions: [{ topicId: 'a', partitions: [0] }],
      },
      1,
    ],
    ['-2 without instance id', { memberId: 'x', memberEpoch: -2 }, 1],
    ['epoch below -2', { memberId: 'x', memberEpoch: -3 }, 1],
    ['empty instance id', { memberId: 'x', memberEpoch: 1, instanceId: '' }, 1],
  ]
  for (const [why, input, version] of invalid) {
    assert.equal(c.heartbeat(input, 'g', version).errorCode, ErrorCode.INVALID_REQUEST, why)
  }
  assert.equal(c.log.length, logged)
})

test('v0: the coordinator hands out the member id of a member joining without one', () => {
  const c = setup()
  const res = c.heartbeat(
    { memberId: '', memberEpoch: 0, rebalanceTimeoutMs: 30_000, subscribedTopicNames: ['orders'], topicPartitions: [] },
    'g',
    0,
  )
  assert.equal(res.errorCode, ErrorCode.NONE)
  assert.equal(res.memberId, 'generated-1')
  assert.equal(res.memberEpoch, 1)
})
