// Moves one member from its current assignment towards its target (Kafka's CurrentAssignmentBuilder, KIP-848's
// reconciliation). The rules that make the protocol safe without a global barrier:
// - a member first gives up (revokes) the partitions it owns that are not in its target, and stays at its epoch
//   in UNREVOKED_PARTITIONS until a heartbeat no longer lists them among the partitions it owns;
// - only then may it move to a newer epoch and take new partitions, and it takes only the partitions nobody owns
//   any more (partition epoch -1); the others it waits for in UNRELEASED_PARTITIONS;
// - a member at the target epoch owning exactly its target is STABLE.

import { intersects, type Assignment } from './assignment.ts'
import { fail } from './group-error.ts'
import { MemberState, type ConsumerGroupMember } from './member.ts'

export interface ReconcileInput {
  member: ConsumerGroupMember
  targetEpoch: number
  target: Assignment
  /** The epoch at which a partition is owned by some member, -1 when free. */
  currentPartitionEpoch: (topicId: string, partition: number) => number
  /** What the member reports owning in this heartbeat; null when it did not say (then it is assumed to own all). */
  owned: Assignment | null
}

export function reconcile(input: ReconcileInput): ConsumerGroupMember {
  const { member } = input
  switch (member.state) {
    case MemberState.STABLE:
      return member.memberEpoch === input.targetEpoch ? member : nextAssignment(input, member.memberEpoch)
    case MemberState.UNREVOKED_PARTITIONS:
      if (stillOwns(input.owned, member.partitionsPendingRevocation)) return member
      // Revocation acknowledged: the member moves on to the next epoch (and possibly further, to the target).
      return nextAssignment(input, member.memberEpoch + 1)
    case MemberState.UNRELEASED_PARTITIONS:
      return nextAssignment(input, member.memberEpoch)
    case MemberState.UNKNOWN:
      // A state this broker does not know (written by a newer one): start the member over, as Kafka does.
      if (input.owned === null || input.owned.size > 0) {
        fail('FENCED_MEMBER_EPOCH', 'The member is in an unknown state; it must give up its partitions and rejoin.')
      }
      return nextAssignment(input, input.targetEpoch)
  }
}

function stillOwns(owned: Assignment | null, pending: Assignment): boolean {
  return owned === null || intersects(owned, pending)
}

function nextAssignment(input: ReconcileInput, memberEpoch: number): ConsumerGroupMember {
  const { member, target, targetEpoch } = input
  const keep = new Map<string, Set<number>>()
  const revoke = new Map<string, Set<number>>()
  const add = new Map<string, Set<number>>()
  let unreleased = false
  for (const topicId of new Set([...target.keys(), ...member.assignedPartitions.keys()])) {
    const wanted = target.get(topicId) ?? new Set<number>()
    const current = member.assignedPartitions.get(topicId) ?? new Set<number>()
    for (const p of current) addTo(wanted.has(p) ? keep : revoke, topicId, p)
    for (const p of wanted) {
      if (current.has(p)) continue
      // A partition still owned by someone (another member not yet done revoking it) is not handed out yet.
      if (input.currentPartitionEpoch(topicId, p) !== -1) unreleased = true
      else addTo(add, topicId, p)
    }
  }

  if (revoke.size > 0 && stillOwns(input.owned, revoke)) {
    return withEpoch(member, memberEpoch, MemberState.UNREVOKED_PARTITIONS, keep, revoke)
  }
  for (const [topicId, partitions] of add) for (const p of partitions) addTo(keep, topicId, p)
  const state = unreleased ? MemberState.UNRELEASED_PARTITIONS : MemberState.STABLE
  return withEpoch(member, targetEpoch, state, keep, new Map())
}

function addTo(map: Map<string, Set<number>>, topicId: string, partition: number): void {
  let set = map.get(topicId)
  if (set === undefined) map.set(topicId, (set = new Set()))
  set.add(partition)
}

function withEpoch(
  member: ConsumerGroupMember,
  memberEpoch: number,
  state: MemberState,
  assignedPartitions: Assignment,
  partitionsPendingRevocation: Assignment,
): ConsumerGroupMember {
  // Kafka's updateMemberEpoch: the epoch the member had is remembered, so that a heartbeat still carrying it
  // (its response with the new epoch was lost) is accepted.
  return {
    ...member,
    memberEpoch,
    previousMemberEpoch: member.memberEpoch,
    state,
    assignedPartitions,
    partitionsPendingRevocation,
  }
}
