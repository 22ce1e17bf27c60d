// The classic records of the `__consumer_offsets` topic: committed offsets and classic-group metadata.
// Every record is a key and a value, each framed as an int16 version followed by the struct (see framing.ts).
// In this topic the key's version doubles as the record type, which is how a reader tells the records apart
// before it has parsed anything else: key versions 0 and 1 are offset commits, 2 is group metadata, 3..8 are
// the KIP-848 consumer-group records (consumer-group-records.ts). A null value (tombstone) deletes the key
// once compaction runs: an expired or deleted offset, or a group that no longer exists.
//
// OffsetCommitKey: v0 and v1 share one layout; v1 is what brokers write, v0 survives in old logs.
// OffsetCommitValue: v1 adds a per-commit expireTimestamp, which v2 drops again when retention became a group
// property (KIP-211); v3 adds the leader epoch of the committed offset (KIP-320); v4 is the first flexible
// version (KIP-915). Brokers keep writing v3 (v1 for a commit with an explicit expiry) until a field only v4
// can carry appears, so that a downgraded broker and lag monitors that parse this topic themselves (Burrow
// reads value versions 0, 1, 3 and 4) can still read it. GroupMetadataValue likewise stays at v3.
// GroupMetadataKey exists only as version 2 (its record type).
// GroupMetadataValue: v1 adds each member's rebalance timeout (KIP-62); v2 the time of the last state change
// (KIP-211); v3 the static-membership instance id (KIP-345); v4 is the first flexible version (KIP-915).
// A member's subscription and assignment are the opaque protocol blobs of JoinGroup/SyncGroup; for the
// "consumer" protocol type they hold ConsumerProtocolSubscription/Assignment (consumer-protocol.ts).

import { dataSchema, f, type DataOf } from '../schema.ts'

export const OffsetCommitKey = dataSchema({
  name: 'OffsetCommitKey',
  validVersions: '0-1',
  flexibleVersions: 'none',
  fields: {
    group: f.string('0-1', { entity: 'groupId' }),
    topic: f.string('0-1', { entity: 'topicName' }),
    partition: f.int32('0-1'),
  },
})
export type OffsetCommitKeyData = DataOf<typeof OffsetCommitKey>

export const OffsetCommitValue = dataSchema({
  name: 'OffsetCommitValue',
  validVersions: '0-4',
  flexibleVersions: '4+',
  fields: {
    offset: f.int64('0+'),
    leaderEpoch: f.int32('3+', { default: -1, ignorable: true }),
    metadata: f.string('0+'),
    commitTimestamp: f.int64('0+'),
    expireTimestamp: f.int64('1', { default: -1n, ignorable: true }),
  },
})
export type OffsetCommitValueData = DataOf<typeof OffsetCommitValue>

export const GroupMetadataKey = dataSchema({
  name: 'GroupMetadataKey',
  validVersions: '2',
  flexibleVersions: 'none',
  fields: {
    group: f.string('2', { entity: 'groupId' }),
  },
})
export type GroupMetadataKeyData = DataOf<typeof GroupMetadataKey>

/** One member of a classic group as the coordinator persists it. */
const memberMetadataFields = {
  memberId: f.string('0+'),
  groupInstanceId: f.string('3+', { nullableVersions: '3+', default: null, ignorable: true }),
  clientId: f.string('0+'),
  clientHost: f.string('0+'),
  rebalanceTimeout: f.int32('1+', { default: -1, ignorable: true }),
  sessionTimeout: f.int32('0+'),
  subscription: f.bytes('0+'),
  assignment: f.bytes('0+'),
}

export const GroupMetadataValue = dataSchema({
  name: 'GroupMetadataValue',
  validVersions: '0-4',
  flexibleVersions: '4+',
  fields: {
    protocolType: f.string('0+'),
    generation: f.int32('0+'),
    protocol: f.string('0+', { nullableVersions: '0+' }),
    leader: f.string('0+', { nullableVersions: '0+' }),
    currentStateTimestamp: f.int64('2+', { default: -1n, ignorable: true }),
    members: f.array('0+', memberMetadataFields),
  },
})
export type GroupMetadataValueData = DataOf<typeof GroupMetadataValue>
