// GroupRecord ↔ the bytes of a `__consumer_offsets` record. Offset commits and classic group metadata are written at
// value version 3, as Kafka writes them, so tools that read this topic themselves (Burrow, kafka-consumer-groups'
// formatter) keep working; the KIP-848 records at their version 0.

import {
  decodeConsumerOffsetsKey,
  decodeConsumerOffsetsValue,
  encodeConsumerOffsetsKey,
  encodeConsumerOffsetsValue,
  type ConsumerOffsetsRecord,
  type ConsumerOffsetsRecordType,
} from '@samsa/protocol'
import type { GroupRecord } from './types.ts'

export function encodeGroupRecord(record: GroupRecord): ConsumerOffsetsRecord {
  const type: ConsumerOffsetsRecordType = record.type
  return {
    key: encodeConsumerOffsetsKey(type, record.key as never),
    value: record.value === null ? null : encodeConsumerOffsetsValue(type, record.value as never),
  }
}

/**
 * The record for stored key and value bytes, or null for record types this broker does not know (share and
 * streams groups of later Kafka releases): Kafka's coordinator skips those too, rather than failing to load.
 */
export function decodeGroupRecord(key: Buffer, value: Buffer | null): GroupRecord | null {
  const decodedKey = decodeConsumerOffsetsKey(key)
  if (decodedKey.type === 'unknown') return null
  const decodedValue = decodeConsumerOffsetsValue(decodedKey.type, value)
  return { type: decodedKey.type, key: decodedKey.key, value: decodedValue?.value ?? null } as GroupRecord
}
