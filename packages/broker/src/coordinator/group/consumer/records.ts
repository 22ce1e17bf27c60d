// The records of a consumer group (KIP-848's __consumer_offsets record types 3 to 8) built from member and group
// values, and their tombstones. The writer is the only place that knows their shapes.

import type { GroupRecord } from '../types.ts'
import { toEntries, type Assignment } from './assignment.ts'
import type { SubscribedTopic } from './consumer-group.ts'
import type { ConsumerGroupMember } from './member.ts'

export type ConsumerGroupRecordType =
  | 'consumerGroupMetadata'
  | 'consumerGroupPartitionMetadata'
  | 'consumerGroupMemberMetadata'
  | 'consumerGroupTargetAssignmentMetadata'
  | 'consumerGroupTargetAssignmentMember'
  | 'consumerGroupCurrentMemberAssignment'

export type ConsumerGroupRecord = Extract<GroupRecord, { type: ConsumerGroupRecordType }>

export function isConsumerGroupRecord(record: GroupRecord): record is ConsumerGroupRecord {
  return record.type.startsWith('consumerGroup')
}

export function groupEpochRecord(groupId: string, epoch: number | null): ConsumerGroupRecord {
  return { type: 'consumerGroupMetadata', key: { groupId }, value: epoch === null ? null : { epoch } }
}

export function subscribedTopicsRecord(
  groupId: string,
  topics: readonly SubscribedTopic[] | null,
): ConsumerGroupRecord {
  return {
    type: 'consumerGroupPartitionMetadata',
    key: { groupId },
    // Per-partition racks are left out: the TopicsImage carries none, and Kafka 4 stopped relying on them.
    value: topics === null ? null : { topics: topics.map((t) => ({ ...t, partitionMetadata: [] })) },
  }
}

export function memberMetadataRecord(groupId: string, member: ConsumerGroupMember): ConsumerGroupRecord {
  return {
    type: 'consumerGroupMemberMetadata',
    key: { groupId, memberId: member.memberId },
    value: {
      instanceId: member.instanceId,
      rackId: member.rackId,
      clientId: member.clientId,
      clientHost: member.clientHost,
      subscribedTopicNames: [...member.subscribedTopicNames],
      subscribedTopicRegex: member.subscribedTopicRegex,
      rebalanceTimeoutMs: member.rebalanceTimeoutMs,
      serverAssignor: member.serverAssignor,
      classicMemberMetadata: null,
    },
  }
}

export function targetAssignmentEpochRecord(groupId: string, epoch: number | null): ConsumerGroupRecord {
  return {
    type: 'consumerGroupTargetAssignmentMetadata',
    key: { groupId },
    value: epoch === null ? null : { assignmentEpoch: epoch },
  }
}

export function targetAssignmentRecord(groupId: string, memberId: string, target: Assignment): ConsumerGroupRecord {
  return {
    type: 'consumerGroupTargetAssignmentMember',
    key: { groupId, memberId },
    value: { topicPartitions: toEntries(target) },
  }
}

export function currentAssignmentRecord(groupId: string, member: ConsumerGroupMember): ConsumerGroupRecord {
  return {
    type: 'consumerGroupCurrentMemberAssignment',
    key: { groupId, memberId: member.memberId },
    value: {
      memberEpoch: member.memberEpoch,
      previousMemberEpoch: member.previousMemberEpoch,
      state: member.state,
      assignedPartitions: toEntries(member.assignedPartitions),
      partitionsPendingRevocation: toEntries(member.partitionsPendingRevocation),
    },
  }
}

/** A member's removal, in Kafka's order: current assignment, target assignment, then metadata. */
export function memberTombstones(groupId: string, memberId: string): ConsumerGroupRecord[] {
  return [
    { type: 'consumerGroupCurrentMemberAssignment', key: { groupId, memberId }, value: null },
    { type: 'consumerGroupTargetAssignmentMember', key: { groupId, memberId }, value: null },
    { type: 'consumerGroupMemberMetadata', key: { groupId, memberId }, value: null },
  ]
}

/** The deletion of an Empty group (Kafka's createGroupTombstoneRecords): the group epoch record goes last. */
export function groupTombstones(groupId: string): ConsumerGroupRecord[] {
  return [
    targetAssignmentEpochRecord(groupId, null),
    subscribedTopicsRecord(groupId, null),
    groupEpochRecord(groupId, null),
  ]
}
