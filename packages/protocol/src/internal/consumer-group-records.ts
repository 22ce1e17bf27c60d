// The `__consumer_offsets` records of the KIP-848 consumer group protocol, where the coordinator (not a
// leader client) computes assignments and persists the group's state as a set of small records. As with the
// classic records (consumer-offsets.ts) the key's int16 version is the record type, so each key schema has
// exactly one version, equal to its type:
//   3 group metadata (group epoch)            4 subscribed-topic metadata
//   5 member metadata (one per member)        6 target-assignment metadata (assignment epoch)
//   7 target assignment of one member         8 current (reconciled) assignment of one member
// Every value is version 0 and flexible, so later Kafka releases add fields as tagged fields; a decoder keeps
// tags it does not know in `unknownTaggedFields`. The shapes follow the Kafka 4.0 development snapshot in the
// reference specs, which Kafka still marked as subject to change; newer record types (regular-expression
// subscriptions, streams and share groups) are not described here.

import { dataSchema, f, type DataOf } from '../schema.ts'

// -- 3: the group epoch, bumped whenever the group's membership or subscriptions change -------------------

export const ConsumerGroupMetadataKey = dataSchema({
  name: 'ConsumerGroupMetadataKey',
  validVersions: '3',
  flexibleVersions: 'none',
  fields: {
    groupId: f.string('3', { entity: 'groupId' }),
  },
})
export type ConsumerGroupMetadataKeyData = DataOf<typeof ConsumerGroupMetadataKey>

export const ConsumerGroupMetadataValue = dataSchema({
  name: 'ConsumerGroupMetadataValue',
  validVersions: '0',
  flexibleVersions: '0+',
  fields: {
    epoch: f.int32('0+'),
  },
})
export type ConsumerGroupMetadataValueData = DataOf<typeof ConsumerGroupMetadataValue>

// -- 4: metadata of the topics the group subscribes to, so a coordinator notices partition changes ------

export const ConsumerGroupPartitionMetadataKey = dataSchema({
  name: 'ConsumerGroupPartitionMetadataKey',
  validVersions: '4',
  flexibleVersions: 'none',
  fields: {
    groupId: f.string('4', { entity: 'groupId' }),
  },
})
export type ConsumerGroupPartitionMetadataKeyData = DataOf<typeof ConsumerGroupPartitionMetadataKey>

export const ConsumerGroupPartitionMetadataValue = dataSchema({
  name: 'ConsumerGroupPartitionMetadataValue',
  validVersions: '0',
  flexibleVersions: '0+',
  fields: {
    topics: f.array('0+', {
      topicId: f.uuid('0+'),
      topicName: f.string('0+', { entity: 'topicName' }),
      numPartitions: f.int32('0+'),
      // Per-partition racks, for rack-aware assignors; later releases stopped filling it in.
      partitionMetadata: f.array('0+', {
        partition: f.int32('0+'),
        racks: f.array('0+', 'string'),
      }),
    }),
  },
})
export type ConsumerGroupPartitionMetadataValueData = DataOf<typeof ConsumerGroupPartitionMetadataValue>

// -- 5: one member: identity, subscription, and (for a member still on the classic protocol) its protocols --

export const ConsumerGroupMemberMetadataKey = dataSchema({
  name: 'ConsumerGroupMemberMetadataKey',
  validVersions: '5',
  flexibleVersions: 'none',
  fields: {
    groupId: f.string('5', { entity: 'groupId' }),
    memberId: f.string('5'),
  },
})
export type ConsumerGroupMemberMetadataKeyData = DataOf<typeof ConsumerGroupMemberMetadataKey>

export const ConsumerGroupMemberMetadataValue = dataSchema({
  name: 'ConsumerGroupMemberMetadataValue',
  validVersions: '0',
  flexibleVersions: '0+',
  fields: {
    instanceId: f.string('0+', { nullableVersions: '0+' }),
    rackId: f.string('0+', { nullableVersions: '0+' }),
    clientId: f.string('0+'),
    clientHost: f.string('0+'),
    subscribedTopicNames: f.array('0+', 'string'),
    subscribedTopicRegex: f.string('0+', { nullableVersions: '0+' }),
    rebalanceTimeoutMs: f.int32('0+', { default: -1 }),
    serverAssignor: f.string('0+', { nullableVersions: '0+' }),
    // Set only for a member that joined through JoinGroup (a classic consumer inside a consumer group, KIP-848's
    // upgrade path): its session timeout and the protocols it offered, so the group can answer it classically.
    classicMemberMetadata: f.struct(
      '0+',
      {
        sessionTimeoutMs: f.int32('0+'),
        supportedProtocols: f.array('0+', {
          name: f.string('0+'),
          metadata: f.bytes('0+'),
        }),
      },
      { nullableVersions: '0+', default: null, tag: 0, taggedVersions: '0+' },
    ),
  },
})
export type ConsumerGroupMemberMetadataValueData = DataOf<typeof ConsumerGroupMemberMetadataValue>

// -- 6 and 7: the target assignment the assignor computed, its epoch and each member's share -------------

export const ConsumerGroupTargetAssignmentMetadataKey = dataSchema({
  name: 'ConsumerGroupTargetAssignmentMetadataKey',
  validVersions: '6',
  flexibleVersions: 'none',
  fields: {
    groupId: f.string('6', { entity: 'groupId' }),
  },
})
export type ConsumerGroupTargetAssignmentMetadataKeyData = DataOf<typeof ConsumerGroupTargetAssignmentMetadataKey>

export const ConsumerGroupTargetAssignmentMetadataValue = dataSchema({
  name: 'ConsumerGroupTargetAssignmentMetadataValue',
  validVersions: '0',
  flexibleVersions: '0+',
  fields: {
    assignmentEpoch: f.int32('0+'),
  },
})
export type ConsumerGroupTargetAssignmentMetadataValueData = DataOf<typeof ConsumerGroupTargetAssignmentMetadataValue>

export const ConsumerGroupTargetAssignmentMemberKey = dataSchema({
  name: 'ConsumerGroupTargetAssignmentMemberKey',
  validVersions: '7',
  flexibleVersions: 'none',
  fields: {
    groupId: f.string('7', { entity: 'groupId' }),
    memberId: f.string('7'),
  },
})
export type ConsumerGroupTargetAssignmentMemberKeyData = DataOf<typeof ConsumerGroupTargetAssignmentMemberKey>

export const ConsumerGroupTargetAssignmentMemberValue = dataSchema({
  name: 'ConsumerGroupTargetAssignmentMemberValue',
  validVersions: '0',
  flexibleVersions: '0+',
  fields: {
    topicPartitions: f.array('0+', {
      topicId: f.uuid('0+'),
      partitions: f.array('0+', 'int32'),
    }),
  },
})
export type ConsumerGroupTargetAssignmentMemberValueData = DataOf<typeof ConsumerGroupTargetAssignmentMemberValue>

// -- 8: what a member currently owns while it reconciles towards its target --------------------------------

/** Partitions of one topic, by topic id. */
const topicPartitionsFields = {
  topicId: f.uuid('0+'),
  partitions: f.array('0+', 'int32'),
}

export const ConsumerGroupCurrentMemberAssignmentKey = dataSchema({
  name: 'ConsumerGroupCurrentMemberAssignmentKey',
  validVersions: '8',
  flexibleVersions: 'none',
  fields: {
    groupId: f.string('8', { entity: 'groupId' }),
    memberId: f.string('8'),
  },
})
export type ConsumerGroupCurrentMemberAssignmentKeyData = DataOf<typeof ConsumerGroupCurrentMemberAssignmentKey>

export const ConsumerGroupCurrentMemberAssignmentValue = dataSchema({
  name: 'ConsumerGroupCurrentMemberAssignmentValue',
  validVersions: '0',
  flexibleVersions: '0+',
  fields: {
    memberEpoch: f.int32('0+'),
    // The epoch before the last bump, accepted in heartbeats in case the member never saw the bump.
    previousMemberEpoch: f.int32('0+'),
    // The member's reconciliation state (Kafka's MemberState byte).
    state: f.int8('0+'),
    assignedPartitions: f.array('0+', topicPartitionsFields),
    partitionsPendingRevocation: f.array('0+', topicPartitionsFields),
  },
})
export type ConsumerGroupCurrentMemberAssignmentValueData = DataOf<typeof ConsumerGroupCurrentMemberAssignmentValue>
