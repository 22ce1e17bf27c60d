// Framing of internal records: every key and value of `__consumer_offsets` and `__transaction_state`, every
// control-record payload and the embedded consumer-protocol blobs are an int16 version followed by the
// struct encoded at that version. This file adds that prefix, and on top of it the typed view of
// `__consumer_offsets`, whose key version is also the record type (consumer-offsets.ts).
//
// Two reading disciplines exist. Coordinator records are strict: an unknown version is an error, since the
// broker that wrote it knows more than we do. The consumer protocol is forward compatible by design: a newer
// version is read as the newest one we know and the bytes after it are ignored, as Kafka's clients do.

import { dataCodecFor } from '../message-codec.ts'
import { ProtocolDecodeError } from '../primitives/codec-errors.ts'
import { Reader } from '../primitives/reader.ts'
import type { MakeInput, RecordSchema } from '../schema.ts'
import { inVersions } from '../versions.ts'
import {
  ConsumerGroupCurrentMemberAssignmentKey,
  ConsumerGroupCurrentMemberAssignmentValue,
  ConsumerGroupMemberMetadataKey,
  ConsumerGroupMemberMetadataValue,
  ConsumerGroupMetadataKey,
  ConsumerGroupMetadataValue,
  ConsumerGroupPartitionMetadataKey,
  ConsumerGroupPartitionMetadataValue,
  ConsumerGroupTargetAssignmentMemberKey,
  ConsumerGroupTargetAssignmentMemberValue,
  ConsumerGroupTargetAssignmentMetadataKey,
  ConsumerGroupTargetAssignmentMetadataValue,
  type ConsumerGroupCurrentMemberAssignmentKeyData,
  type ConsumerGroupCurrentMemberAssignmentValueData,
  type ConsumerGroupMemberMetadataKeyData,
  type ConsumerGroupMemberMetadataValueData,
  type ConsumerGroupMetadataKeyData,
  type ConsumerGroupMetadataValueData,
  type ConsumerGroupPartitionMetadataKeyData,
  type ConsumerGroupPartitionMetadataValueData,
  type ConsumerGroupTargetAssignmentMemberKeyData,
  type ConsumerGroupTargetAssignmentMemberValueData,
  type ConsumerGroupTargetAssignmentMetadataKeyData,
  type ConsumerGroupTargetAssignmentMetadataValueData,
} from './consumer-group-records.ts'
import {
  GroupMetadataKey,
  GroupMetadataValue,
  OffsetCommitKey,
  OffsetCommitValue,
  type GroupMetadataKeyData,
  type GroupMetadataValueData,
  type OffsetCommitKeyData,
  type OffsetCommitValueData,
} from './consumer-offsets.ts'
import {
  ConsumerProtocolAssignment,
  ConsumerProtocolSubscription,
  type ConsumerProtocolAssignmentData,
  type ConsumerProtocolSubscriptionData,
} from './consumer-protocol.ts'

const VERSION_BYTES = 2

/** A decoded record part and the version it was written at. */
export interface Versioned<T> {
  version: number
  value: T
}

function readVersion(what: string, buf: Buffer): number {
  if (buf.length < VERSION_BYTES) {
    throw new ProtocolDecodeError(`${what}: ${buf.length} byte(s) cannot hold the int16 version`)
  }
  return buf.readInt16BE(0)
}

/** Encodes `value` at `version` behind its int16 version. Throws UnsupportedVersionError for a version the schema lacks. */
export function encodeVersioned<T>(schema: RecordSchema<T>, version: number, value: T): Buffer {
  const chunks = dataCodecFor(schema, version).encode(value)
  const prefix = Buffer.allocUnsafe(VERSION_BYTES)
  prefix.writeInt16BE(version, 0)
  return Buffer.concat([prefix, ...chunks])
}

/** Reads the int16 version, which must be one the schema defines, then exactly one struct of that version. */
export function decodeVersioned<T>(schema: RecordSchema<T>, buf: Buffer): Versioned<T> {
  const version = readVersion(schema.name, buf)
  if (!inVersions(schema.validVersions, version)) {
    throw new ProtocolDecodeError(`${schema.name}: unknown version ${version} (known: ${schema.validVersions.text})`)
  }
  return { version, value: dataCodecFor(schema, version).decode(buf.subarray(VERSION_BYTES)) }
}

// ---------------------------------------------------------------------------------------------------------------
// __consumer_offsets

/** Key and value types of each `__consumer_offsets` record type. */
export interface ConsumerOffsetsRecordMap {
  offsetCommit: { key: OffsetCommitKeyData; value: OffsetCommitValueData }
  groupMetadata: { key: GroupMetadataKeyData; value: GroupMetadataValueData }
  consumerGroupMetadata: { key: ConsumerGroupMetadataKeyData; value: ConsumerGroupMetadataValueData }
  consumerGroupPartitionMetadata: {
    key: ConsumerGroupPartitionMetadataKeyData
    value: ConsumerGroupPartitionMetadataValueData
  }
  consumerGroupMemberMetadata: { key: ConsumerGroupMemberMetadataKeyData; value: ConsumerGroupMemberMetadataValueData }
  consumerGroupTargetAssignmentMetadata: {
    key: ConsumerGroupTargetAssignmentMetadataKeyData
    value: ConsumerGroupTargetAssignmentMetadataValueData
  }
  consumerGroupTargetAssignmentMember: {
    key: ConsumerGroupTargetAssignmentMemberKeyData
    value: ConsumerGroupTargetAssignmentMemberValueData
  }
  consumerGroupCurrentMemberAssignment: {
    key: ConsumerGroupCurrentMemberAssignmentKeyData
    value: ConsumerGroupCurrentMemberAssignmentValueData
  }
}

export type ConsumerOffsetsRecordType = keyof ConsumerOffsetsRecordMap

interface RecordSchemas<K extends ConsumerOffsetsRecordType> {
  /** The key versions are the record-type numbers this record is written under. */
  readonly key: RecordSchema<ConsumerOffsetsRecordMap[K]['key']>
  readonly value: RecordSchema<ConsumerOffsetsRecordMap[K]['value']>
  /** The value version written when the caller does not choose one. */
  readonly defaultValueVersion: number
}

/**
 * Schemas of every `__consumer_offsets` record type. Offset commits and group metadata default to value v3, the
 * newest non-flexible version, which is what Kafka writes and what third-party readers of this topic expect.
 */
export const consumerOffsetsSchemas: { readonly [K in ConsumerOffsetsRecordType]: RecordSchemas<K> } = {
  offsetCommit: { key: OffsetCommitKey, value: OffsetCommitValue, defaultValueVersion: 3 },
  groupMetadata: { key: GroupMetadataKey, value: GroupMetadataValue, defaultValueVersion: 3 },
  consumerGroupMetadata: { key: ConsumerGroupMetadataKey, value: ConsumerGroupMetadataValue, defaultValueVersion: 0 },
  consumerGroupPartitionMetadata: {
    key: ConsumerGroupPartitionMetadataKey,
    value: ConsumerGroupPartitionMetadataValue,
    defaultValueVersion: 0,
  },
  consumerGroupMemberMetadata: {
    key: ConsumerGroupMemberMetadataKey,
    value: ConsumerGroupMemberMetadataValue,
    defaultValueVersion: 0,
  },
  consumerGroupTargetAssignmentMetadata: {
    key: ConsumerGroupTargetAssignmentMetadataKey,
    value: ConsumerGroupTargetAssignmentMetadataValue,
    defaultValueVersion: 0,
  },
  consumerGroupTargetAssignmentMember: {
    key: ConsumerGroupTargetAssignmentMemberKey,
    value: ConsumerGroupTargetAssignmentMemberValue,
    defaultValueVersion: 0,
  },
  consumerGroupCurrentMemberAssignment: {
    key: ConsumerGroupCurrentMemberAssignmentKey,
    value: ConsumerGroupCurrentMemberAssignmentValue,
    defaultValueVersion: 0,
  },
}

/** Record type by key version, derived from the key schemas so the two cannot disagree. */
const typeByKeyVersion = new Map<number, ConsumerOffsetsRecordType>()
for (const type of Object.keys(consumerOffsetsSchemas) as ConsumerOffsetsRecordType[]) {
  const { min, max } = consumerOffsetsSchemas[type].key.validVersions
  for (let v = min; v <= max; v++) typeByKeyVersion.set(v, type)
}

/**
 * A decoded `__consumer_offsets` key, discriminated by record type. Record types this package does not describe
 * (share-group, streams-group and regular-expression records of later Kafka releases) come back as 'unknown' with
 * their raw bytes, so that a reader can skip them the way Kafka's own coordinator does.
 */
export type ConsumerOffsetsKey =
  | {
      [K in ConsumerOffsetsRecordType]: { type: K; keyVersion: number; key: ConsumerOffsetsRecordMap[K]['key'] }
    }[ConsumerOffsetsRecordType]
  | { type: 'unknown'; keyVersion: number; data: Buffer }

export function decodeConsumerOffsetsKey(buf: Buffer): ConsumerOffsetsKey {
  const keyVersion = readVersion('__consumer_offsets key', buf)
  const type = typeByKeyVersion.get(keyVersion)
  if (type === undefined) {
    if (keyVersion < 0) throw new ProtocolDecodeError(`__consumer_offsets key: negative record type ${keyVersion}`)
    return { type: 'unknown', keyVersion, data: buf.subarray(VERSION_BYTES) }
  }
  const schema: RecordSchema = consumerOffsetsSchemas[type].key
  const key = dataCodecFor(schema, keyVersion).decode(buf.subarray(VERSION_BYTES))
  return { type, keyVersion, key } as ConsumerOffsetsKey
}

/** Decodes the value of a record whose key decoded as `type`; null (a tombstone) stays null. */
export function decodeConsumerOffsetsValue<K extends ConsumerOffsetsRecordType>(
  type: K,
  buf: Buffer | null,
): Versioned<ConsumerOffsetsRecordMap[K]['value']> | null {
  if (buf === null) return null
  const schemas: RecordSchemas<K> = consumerOffsetsSchemas[type]
  return decodeVersioned(schemas.value, buf)
}

/** Encodes a key under its record type (for offset commits: key version 1, the one brokers write). */
export function encodeConsumerOffsetsKey<K extends ConsumerOffsetsRecordType>(
  type: K,
  key: MakeInput<ConsumerOffsetsRecordMap[K]['key']>,
): Buffer {
  const schemas: RecordSchemas<K> = consumerOffsetsSchemas[type]
  return encodeVersioned(schemas.key, schemas.key.validVersions.max, schemas.key.make(key))
}

/** Encodes a value (missing fields take their defaults); null encodes as a tombstone (null). */
export function encodeConsumerOffsetsValue<K extends ConsumerOffsetsRecordType>(
  type: K,
  value: MakeInput<ConsumerOffsetsRecordMap[K]['value']> | null,
  version?: number,
): Buffer | null {
  if (value === null) return null
  const schemas: RecordSchemas<K> = consumerOffsetsSchemas[type]
  return encodeVersioned(schemas.value, version ?? schemas.defaultValueVersion, schemas.value.make(value))
}

/** A record ready to append to `__consumer_offsets`; a null value is a tombstone. */
export interface ConsumerOffsetsRecord {
  key: Buffer
  value: Buffer | null
}

/**
 * An offset commit record. Value v3 by default: Kafka keeps writing v3 rather than the flexible v4 so that readers
 * of this topic such as Burrow (which accepts value versions 0, 1, 3 and 4) keep working; pass 1 to carry an
 * explicit expireTimestamp, or 4 for the flexible form. A null value deletes the committed offset.
 */
export function encodeOffsetCommit(
  key: { group: string; topic: string; partition: number },
  value: MakeInput<OffsetCommitValueData> | null,
  valueVersion = 3,
): ConsumerOffsetsRecord {
  return {
    key: encodeConsumerOffsetsKey('offsetCommit', key),
    value: encodeConsumerOffsetsValue('offsetCommit', value, valueVersion),
  }
}

/** A classic group's metadata record (value v3 by default, as Kafka writes); a null value deletes the group. */
export function encodeGroupMetadata(
  group: string,
  value: MakeInput<GroupMetadataValueData> | null,
  valueVersion = 3,
): ConsumerOffsetsRecord {
  return {
    key: encodeConsumerOffsetsKey('groupMetadata', { group }),
    value: encodeConsumerOffsetsValue('groupMetadata', value, valueVersion),
  }
}

// ---------------------------------------------------------------------------------------------------------------
// consumer protocol blobs

export interface ConsumerProtocolDecoded<T> extends Versioned<T> {
  /** The layout actually read: `version`, the newest known version, or lower for a mislabelled blob (see below). */
  readAs: number
}

/**
 * Reads a forward-compatible blob the way Kafka's clients do: a version above the newest known one is read as the
 * newest, and bytes after the known fields are ignored. One leniency goes beyond Kafka: when the body is too
 * short for its declared version but is exactly an older version's layout, it is read as that version (with
 * `readAs` saying so). kafkajs labels its subscriptions v1 while writing only the v0 fields, and a broker that
 * shows or converts kafkajs members has to read them.
 */
function decodeForwardCompatible<T>(schema: RecordSchema<T>, buf: Buffer): ConsumerProtocolDecoded<T> {
  const version = readVersion(schema.name, buf)
  const { min, max } = schema.validVersions
  if (version < min) throw new ProtocolDecodeError(`${schema.name}: unsupported version ${version}`)
  const top = Math.min(version, max)
  try {
    return { version, readAs: top, value: dataCodecFor(schema, top).read(new Reader(buf, VERSION_BYTES)) }
  } catch (e) {
    if (!(e instanceof ProtocolDecodeError)) throw e
    for (let v = top - 1; v >= min; v--) {
      try {
        return { version, readAs: v, value: dataCodecFor(schema, v).decode(buf.subarray(VERSION_BYTES)) }
      } catch (older) {
        if (!(older instanceof ProtocolDecodeError)) throw older
      }
    }
    e.message = `${schema.name} v${version}: ${e.message}`
    throw e
  }
}

/** The subscription a consumer sends in JoinGroup protocol metadata. */
export function decodeConsumerProtocolSubscription(
  buf: Buffer,
): ConsumerProtocolDecoded<ConsumerProtocolSubscriptionData> {
  return decodeForwardCompatible(ConsumerProtocolSubscription, buf)
}

/** The assignment a member receives through SyncGroup. */
export function decodeConsumerProtocolAssignment(buf: Buffer): ConsumerProtocolDecoded<ConsumerProtocolAssignmentData> {
  return decodeForwardCompatible(ConsumerProtocolAssignment, buf)
}
