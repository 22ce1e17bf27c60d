// The "consumer" embedded protocol: the opaque bytes a consumer puts in JoinGroup's protocol metadata (its
// subscription) and the group leader hands back through SyncGroup (each member's assignment). The broker only
// stores and forwards them for classic groups, but it reads them when a classic member joins a KIP-848 group,
// and DescribeGroups tooling shows them. Each blob is an int16 version followed by the struct, never flexible.
//
// Readers treat a newer version as the newest one they know and ignore the bytes after it, so versions only
// ever append fields (see decodeConsumerProtocolSubscription in framing.ts).
// ConsumerProtocolSubscription: v1 adds the partitions the member owns, for cooperative rebalancing (KIP-429);
// v2 the generation those were owned in (KIP-792); v3 the member's rack (KIP-881, rack-aware assignment).
// ConsumerProtocolAssignment: the layout has not changed since v0; its version number was bumped alongside the
// subscription's, so v1..v3 add nothing.

import { dataSchema, f, type DataOf } from '../schema.ts'

/** Partitions of one topic, by name. */
const topicPartitionFields = (versions: string) => ({
  topic: f.string(versions, { mapKey: true, entity: 'topicName' }),
  partitions: f.array(versions, 'int32'),
})

export const ConsumerProtocolSubscription = dataSchema({
  name: 'ConsumerProtocolSubscription',
  validVersions: '0-3',
  flexibleVersions: 'none',
  fields: {
    topics: f.array('0+', 'string'),
    /** Assignor-specific bytes (e.g. the sticky assignor's previous assignment in old clients). */
    userData: f.bytes('0+', { nullableVersions: '0+', default: null }),
    ownedPartitions: f.array('1+', topicPartitionFields('1+'), { ignorable: true }),
    generationId: f.int32('2+', { default: -1, ignorable: true }),
    rackId: f.string('3+', { nullableVersions: '3+', default: null, ignorable: true }),
  },
})
export type ConsumerProtocolSubscriptionData = DataOf<typeof ConsumerProtocolSubscription>

export const ConsumerProtocolAssignment = dataSchema({
  name: 'ConsumerProtocolAssignment',
  validVersions: '0-3',
  flexibleVersions: 'none',
  fields: {
    assignedPartitions: f.array('0+', topicPartitionFields('0+')),
    userData: f.bytes('0+', { nullableVersions: '0+', default: null }),
  },
})
export type ConsumerProtocolAssignmentData = DataOf<typeof ConsumerProtocolAssignment>
