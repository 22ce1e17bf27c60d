// The reconciliation rules of KIP-848 (Kafka's CurrentAssignmentBuilder) on single members.

import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ErrorCode } from '@samsa/protocol'
import { fromEntries, toEntries, type Assignment } from './assignment.ts'
import { GroupError } from './group-error.ts'
import { MemberState, newMember, type ConsumerGroupMember } from './member.ts'
import { reconcile } from './reconcile.ts'

const T = 'topic-id'
const parts = (...partitions: number[]): Assignment => fromEntries([{ topicId: T, partitions }])
const free = () => -1

function member(epoch: number, assigned: Assignment, state: MemberState = MemberState.STABLE, pending = parts()) {
  const m: ConsumerGroupMember = {
    ...newMember('m'),
    memberEpoch: epoch,
    previousMemberEpoch: epoch - 1,
    state,
    assignedPartitions: assigned,
    partitionsPendingRevocation: pending,
  }
  return m
}

function summary(m: ConsumerGroupMember) {
  return {
    epoch: m.memberEpoch,
    previous: m.previousMemberEpoch,
    state: m.state,
    assigned: toEntries(m.assignedPartitions)[0]?.partitions ?? [],
    pending: toEntries(m.partitionsPendingRevocation)[0]?.partitions ?? [],
  }
}

test('a member at the target epoch is left alone', () => {
  const m = member(3, parts(0, 1))
  assert.equal(reconcile({ member: m, targetEpoch: 3, target: parts(0), currentPartitionEpoch: free, owned: null }), m)
})

test('revocation first: the member keeps its epoch until it no longer owns the revoked partitions', () => {
  const m = member(3, parts(0, 1, 2))
  const revoking = reconcile({
    member: m,
    targetEpoch: 4,
    target: parts(0, 5),
    currentPartitionEpoch: free,
    owned: parts(0, 1, 2),
  })
  assert.deepEqual(summary(revoking), {
    epoch: 3,
    previous: 3,
    state: MemberState.UNREVOKED_PARTITIONS,
    assigned: [0],
    pending: [1, 2],
  })
  // Still owning 2: no progress. Unknown ownership (null) counts as owning.
  for (const owned of [parts(0, 2), null]) {
    assert.equal(
      reconcile({ member: revoking, targetEpoch: 4, target: parts(0, 5), currentPartitionEpoch: free, owned }),
      revoking,
    )
  }
  const done = reconcile({
    member: revoking,
    targetEpoch: 4,
    target: parts(0, 5),
    currentPartitionEpoch: free,
    owned: parts(0),
  })
  assert.deepEqual(summary(done), { epoch: 4, previous: 3, state: MemberState.STABLE, assigned: [0, 5], pending: [] })
})

test('a member that already dropped the partitions to revoke skips the revocation step', () => {
  const m = member(3, parts(0, 1))
  const next = reconcile({ member: m, targetEpoch: 4, target: parts(0), currentPartitionEpoch: free, owned: parts(0) })
  assert.deepEqual(summary(next), { epoch: 4, previous: 3, state: MemberState.STABLE, assigned: [0], pending: [] })
})

test('partitions still owned elsewhere are withheld (UNRELEASED_PARTITIONS) and handed out once free', () => {
  const m = member(3, parts(0))
  const ownedElsewhere = (_: string, p: number) => (p === 1 ? 3 : -1)
  const waiting = reconcile({
    member: m,
    targetEpoch: 4,
    target: parts(0, 1, 2),
    currentPartitionEpoch: ownedElsewhere,
    owned: parts(0),
  })
  assert.deepEqual(summary(waiting), {
    epoch: 4,
    previous: 3,
    state: MemberState.UNRELEASED_PARTITIONS,
    assigned: [0, 2],
    pending: [],
  })
  const done = reconcile({
    member: waiting,
    targetEpoch: 4,
    target: parts(0, 1, 2),
    currentPartitionEpoch: free,
    owned: parts(0, 2),
  })
  assert.deepEqual(summary(done), {
    epoch: 4,
    previous: 4,
    state: MemberState.STABLE,
    assigned: [0, 1, 2],
    pending: [],
  })
})

test('a member in a state this broker does not know must start over', () => {
  const m = member(3, parts(0), MemberState.UNKNOWN)
  assert.throws(
    () => reconcile({ member: m, targetEpoch: 4, target: parts(0), currentPartitionEpoch: free, owned: parts(0) }),
    (e: unknown) => e instanceof GroupError && e.code === ErrorCode.FENCED_MEMBER_EPOCH,
  )
  const restarted = reconcile({
    member: m,
    targetEpoch: 4,
    target: parts(0),
    currentPartitionEpoch: free,
    owned: parts(),
  })
  assert.equal(restarted.state, MemberState.STABLE)
})
