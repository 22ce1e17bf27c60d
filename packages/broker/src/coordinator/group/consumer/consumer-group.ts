// The persisted state of one KIP-848 consumer group, as its records build it (Kafka's ConsumerGroup): the group
// epoch, the target assignment and its epoch, the metadata of the subscribed topics, the members, and the epoch
// at which each partition is currently owned (which is how a member learns that a partition it should get is
// still held by another member that has not revoked it yet).
//
// Only `apply` (called by replay, or on an operation's scratch copy) changes it.

import { ConsumerGroupState } from '../types.ts'
import { EMPTY_ASSIGNMENT, fromEntries, type Assignment } from './assignment.ts'
import { LEAVE_GROUP_MEMBER_EPOCH, MemberState, memberStateOf, newMember, type ConsumerGroupMember } from './member.ts'
import type { ConsumerGroupRecord } from './records.ts'

/** One subscribed topic as ConsumerGroupPartitionMetadata stores it. */
export interface SubscribedTopic {
  topicId: string
  topicName: string
  numPartitions: number
}

export class ConsumerGroup {
  readonly groupId: string
  groupEpoch = 0
  assignmentEpoch = 0
  /** Sorted by topic name; written whenever the subscribed topics or their partition counts change. */
  subscribedTopics: readonly SubscribedTopic[] = []
  readonly members = new Map<string, ConsumerGroupMember>()
  readonly targetAssignments = new Map<string, Assignment>()
  private readonly staticMembers = new Map<string, string>()
  /** `topicId:partition` → the member that owns it (assigned or pending revocation) and at which epoch. */
  private readonly partitionOwners = new Map<string, { memberId: string; epoch: number }>()

  constructor(groupId: string) {
    this.groupId = groupId
  }

  /** A copy an operation can apply its records to, to compute from what it is about to write. */
  clone(): ConsumerGroup {
    const copy = new ConsumerGroup(this.groupId)
    copy.groupEpoch = this.groupEpoch
    copy.assignmentEpoch = this.assignmentEpoch
    copy.subscribedTopics = this.subscribedTopics
    for (const [k, v] of this.members) copy.members.set(k, v)
    for (const [k, v] of this.targetAssignments) copy.targetAssignments.set(k, v)
    for (const [k, v] of this.staticMembers) copy.staticMembers.set(k, v)
    for (const [k, v] of this.partitionOwners) copy.partitionOwners.set(k, v)
    return copy
  }

  /** Kafka's ConsumerGroup state: Empty, Assigning (the target lags the group epoch), Reconciling, Stable. */
  state(): ConsumerGroupState {
    if (this.members.size === 0) return ConsumerGroupState.Empty
    if (this.groupEpoch > this.assignmentEpoch) return ConsumerGroupState.Assigning
    for (const member of this.members.values()) {
      if (!isReconciledTo(member, this.assignmentEpoch)) return ConsumerGroupState.Reconciling
    }
    return ConsumerGroupState.Stable
  }

  /** The epoch at which a partition is owned, or -1 when it is free (Kafka's currentPartitionEpoch). */
  currentPartitionEpoch(topicId: string, partition: number): number {
    return this.partitionOwners.get(`${topicId}:${partition}`)?.epoch ?? -1
  }

  staticMember(instanceId: string): ConsumerGroupMember | undefined {
    const memberId = this.staticMembers.get(instanceId)
    return memberId === undefined ? undefined : this.members.get(memberId)
  }

  targetOf(memberId: string): Assignment {
    return this.targetAssignments.get(memberId) ?? EMPTY_ASSIGNMENT
  }

  /** The assignor most members asked for (ties to the first name), else the broker's default (Kafka's rule). */
  preferredAssignor(defaultAssignor: string): string {
    const votes = new Map<string, number>()
    for (const m of this.members.values()) {
      if (m.serverAssignor !== null) votes.set(m.serverAssignor, (votes.get(m.serverAssignor) ?? 0) + 1)
    }
    let best: [string, number] | undefined
    for (const [name, count] of [...votes].sort(([a], [b]) => (a < b ? -1 : 1))) {
      if (best === undefined || count > best[1]) best = [name, count]
    }
    return best?.[0] ?? defaultAssignor
  }

  /** Applies one record of this group; returns false when the record deletes the group. */
  apply(record: ConsumerGroupRecord): boolean {
    switch (record.type) {
      case 'consumerGroupMetadata':
        if (record.value === null) return false
        this.groupEpoch = record.value.epoch
        return true
      case 'consumerGroupPartitionMetadata':
        this.subscribedTopics = (record.value?.topics ?? [])
          .map((t) => ({ topicId: t.topicId, topicName: t.topicName, numPartitions: t.numPartitions }))
          .sort((a, b) => (a.topicName < b.topicName ? -1 : a.topicName > b.topicName ? 1 : 0))
        return true
      case 'consumerGroupMemberMetadata': {
        const { memberId } = record.key
        if (record.value === null) {
          this.removeMember(memberId)
          return true
        }
        const v = record.value
        this.setMember({
          ...(this.members.get(memberId) ?? newMember(memberId)),
          instanceId: v.instanceId,
          rackId: v.rackId,
          clientId: v.clientId,
          clientHost: v.clientHost,
          subscribedTopicNames: v.subscribedTopicNames,
          subscribedTopicRegex: v.subscribedTopicRegex,
          rebalanceTimeoutMs: v.rebalanceTimeoutMs,
          serverAssignor: v.serverAssignor,
        })
        return true
      }
      case 'consumerGroupTargetAssignmentMetadata':
        this.assignmentEpoch = record.value?.assignmentEpoch ?? 0
        return true
      case 'consumerGroupTargetAssignmentMember':
        if (record.value === null) this.targetAssignments.delete(record.key.memberId)
        else this.targetAssignments.set(record.key.memberId, fromEntries(record.value.topicPartitions))
        return true
      case 'consumerGroupCurrentMemberAssignment': {
        const existing = this.members.get(record.key.memberId)
        const v = record.value
        if (v === null) {
          // Kafka's replay: the member is fenced (epoch -1, nothing owned) until its metadata tombstone removes it.
          if (existing !== undefined) this.setMember(fenced(existing))
          return true
        }
        this.setMember({
          ...(existing ?? newMember(record.key.memberId)),
          memberEpoch: v.memberEpoch,
          previousMemberEpoch: v.previousMemberEpoch,
          state: memberStateOf(v.state),
          assignedPartitions: fromEntries(v.assignedPartitions),
          partitionsPendingRevocation: fromEntries(v.partitionsPendingRevocation),
        })
        return true
      }
    }
  }

  private setMember(member: ConsumerGroupMember): void {
    const previous = this.members.get(member.memberId)
    if (previous !== undefined) {
      this.releasePartitions(previous)
      if (previous.instanceId !== null && previous.instanceId !== member.instanceId) {
        this.staticMembers.delete(previous.instanceId)
      }
    }
    this.members.set(member.memberId, member)
    if (member.instanceId !== null) this.staticMembers.set(member.instanceId, member.memberId)
    for (const assignment of [member.assignedPartitions, member.partitionsPendingRevocation]) {
      for (const [topicId, partitions] of assignment) {
        for (const p of partitions) {
          this.partitionOwners.set(`${topicId}:${p}`, { memberId: member.memberId, epoch: member.memberEpoch })
        }
      }
    }
  }

  private removeMember(memberId: string): void {
    const member = this.members.get(memberId)
    if (member === undefined) return
    this.releasePartitions(member)
    if (member.instanceId !== null && this.staticMembers.get(member.instanceId) === memberId) {
      this.staticMembers.delete(member.instanceId)
    }
    this.members.delete(memberId)
  }

  private releasePartitions(member: ConsumerGroupMember): void {
    for (const assignment of [member.assignedPartitions, member.partitionsPendingRevocation]) {
      for (const [topicId, partitions] of assignment) {
        for (const p of partitions) {
          const key = `${topicId}:${p}`
          if (this.partitionOwners.get(key)?.memberId === member.memberId) this.partitionOwners.delete(key)
        }
      }
    }
  }
}

/** A member is reconciled when it is Stable at the target epoch (Kafka's isReconciledTo). */
export function isReconciledTo(member: ConsumerGroupMember, targetEpoch: number): boolean {
  return member.state === MemberState.STABLE && member.memberEpoch === targetEpoch
}

function fenced(member: ConsumerGroupMember): ConsumerGroupMember {
  return {
    ...member,
    memberEpoch: LEAVE_GROUP_MEMBER_EPOCH,
    previousMemberEpoch: LEAVE_GROUP_MEMBER_EPOCH,
    state: MemberState.STABLE,
    assignedPartitions: EMPTY_ASSIGNMENT,
    partitionsPendingRevocation: EMPTY_ASSIGNMENT,
  }
}
