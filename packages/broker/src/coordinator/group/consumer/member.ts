// A member of a consumer group as the records describe it: its metadata (ConsumerGroupMemberMetadata) and its
// reconciliation state (ConsumerGroupCurrentMemberAssignment). Members are immutable values: a new state is a
// new object, so an operation can compare the member before and after (Kafka's ConsumerGroupMember).

import { EMPTY_ASSIGNMENT, sameAssignment, type Assignment } from './assignment.ts'

/** Kafka's MemberState, with the byte it is persisted as. */
export const MemberState = {
  /** Owns exactly its target at the target's epoch (or nothing is pending). */
  STABLE: 0,
  /** Must give up partitionsPendingRevocation before it may move to the next epoch (KIP-848 revocation). */
  UNREVOKED_PARTITIONS: 1,
  /** At the target epoch, but some target partitions are still owned by other members. */
  UNRELEASED_PARTITIONS: 2,
  UNKNOWN: 127,
} as const
export type MemberState = (typeof MemberState)[keyof typeof MemberState]

export function memberStateOf(byte: number): MemberState {
  return byte === 0 || byte === 1 || byte === 2 ? byte : MemberState.UNKNOWN
}

/** The epoch a member leaves with (KIP-848). */
export const LEAVE_GROUP_MEMBER_EPOCH = -1
/** The epoch a static member leaves with when it will come back (it keeps its assignment meanwhile). */
export const LEAVE_GROUP_STATIC_MEMBER_EPOCH = -2

export interface ConsumerGroupMember {
  readonly memberId: string
  readonly instanceId: string | null
  readonly rackId: string | null
  readonly clientId: string
  readonly clientHost: string
  readonly subscribedTopicNames: readonly string[]
  readonly subscribedTopicRegex: string | null
  readonly rebalanceTimeoutMs: number
  readonly serverAssignor: string | null
  readonly memberEpoch: number
  readonly previousMemberEpoch: number
  readonly state: MemberState
  readonly assignedPartitions: Assignment
  readonly partitionsPendingRevocation: Assignment
}

export function newMember(memberId: string): ConsumerGroupMember {
  return {
    memberId,
    instanceId: null,
    rackId: null,
    clientId: '',
    clientHost: '',
    subscribedTopicNames: [],
    subscribedTopicRegex: null,
    rebalanceTimeoutMs: -1,
    serverAssignor: null,
    memberEpoch: 0,
    previousMemberEpoch: 0,
    state: MemberState.STABLE,
    assignedPartitions: EMPTY_ASSIGNMENT,
    partitionsPendingRevocation: EMPTY_ASSIGNMENT,
  }
}

/** Whether the persisted metadata (record 5) of two member states differs. */
export function metadataChanged(a: ConsumerGroupMember, b: ConsumerGroupMember): boolean {
  return (
    a.instanceId !== b.instanceId ||
    a.rackId !== b.rackId ||
    a.clientId !== b.clientId ||
    a.clientHost !== b.clientHost ||
    !sameNames(a.subscribedTopicNames, b.subscribedTopicNames) ||
    a.subscribedTopicRegex !== b.subscribedTopicRegex ||
    a.rebalanceTimeoutMs !== b.rebalanceTimeoutMs ||
    a.serverAssignor !== b.serverAssignor
  )
}

/** Whether the subscription changed, which bumps the group epoch (Kafka's hasMemberSubscriptionChanged). */
export function subscriptionChanged(a: ConsumerGroupMember, b: ConsumerGroupMember): boolean {
  return !sameNames(a.subscribedTopicNames, b.subscribedTopicNames) || a.subscribedTopicRegex !== b.subscribedTopicRegex
}

/** Whether the reconciliation state (record 8) of two member states differs. */
export function assignmentStateChanged(a: ConsumerGroupMember, b: ConsumerGroupMember): boolean {
  return (
    a.memberEpoch !== b.memberEpoch ||
    a.previousMemberEpoch !== b.previousMemberEpoch ||
    a.state !== b.state ||
    !sameAssignment(a.assignedPartitions, b.assignedPartitions) ||
    !sameAssignment(a.partitionsPendingRevocation, b.partitionsPendingRevocation)
  )
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false
  const set = new Set(a)
  return b.every((name) => set.has(name))
}
