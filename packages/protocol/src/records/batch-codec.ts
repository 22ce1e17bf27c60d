// Building and decoding whole v2 record batches: the 61-byte header (see constants.ts), the records, compression
// of everything after recordsCount, and the CRC-32C over [attributes, end). Producers (our client, tests) build
// batches here; the broker builds only control batches and compacted rewrites; consumers and the cleaner decode.

import { ProtocolDecodeError } from '../primitives/codec-errors.ts'
import type { RecordBatchView } from './batch-view.ts'
import { compress, decompress } from './compression.ts'
import {
  ATTRIBUTES_OFFSET,
  BASE_OFFSET_OFFSET,
  BASE_SEQUENCE_OFFSET,
  BASE_TIMESTAMP_OFFSET,
  BATCH_LENGTH_OFFSET,
  BatchAttribute,
  Compression,
  CRC_OFFSET,
  CRC_START,
  CURRENT_MAGIC,
  DEFAULT_MAX_INFLATED_BYTES,
  LAST_OFFSET_DELTA_OFFSET,
  LOG_OVERHEAD,
  MAGIC_OFFSET,
  MAX_TIMESTAMP_OFFSET,
  NO_PARTITION_LEADER_EPOCH,
  NO_PRODUCER_EPOCH,
  NO_PRODUCER_ID,
  NO_SEQUENCE,
  PARTITION_LEADER_EPOCH_OFFSET,
  PRODUCER_EPOCH_OFFSET,
  PRODUCER_ID_OFFSET,
  RECORD_BATCH_OVERHEAD,
  RECORDS_COUNT_OFFSET,
  TimestampType,
} from './constants.ts'
import { crc32c } from './crc32c.ts'
import { decodeRecords, encodeRecords, type DecodedRecord, type RecordHeader } from './record-codec.ts'

/** One record for buildRecordBatch. */
export interface RecordInput {
  key?: Buffer | null
  value: Buffer | null
  headers?: readonly RecordHeader[]
  /** CreateTime in ms since the epoch; defaults to the batch's `timestamp`. */
  timestamp?: number
  /** Position within the batch; defaults to the record's index. Compaction keeps the original deltas. */
  offsetDelta?: number
}

export interface RecordBatchInput {
  records: readonly RecordInput[]
  baseOffset?: bigint
  partitionLeaderEpoch?: number
  compression?: number
  compressionLevel?: number
  timestampType?: TimestampType
  /** Default timestamp for records without one (ms); defaults to now. */
  timestamp?: number
  producerId?: bigint
  producerEpoch?: number
  baseSequence?: number
  isTransactional?: boolean
  isControlBatch?: boolean
  /**
   * Set by compaction once tombstones are due to go (attribute bit 6): baseTimestamp then holds this horizon and
   * record timestamps are deltas from it.
   */
  deleteHorizonMs?: number
  /** Defaults to the last record's offsetDelta. Compaction keeps the original so removed records leave gaps. */
  lastOffsetDelta?: number
  /** maxTimestamp override, e.g. for an emptied batch that keeps its original header. */
  maxTimestamp?: number
}

/** Builds one complete batch with its CRC. The result is a fresh buffer the caller owns. */
export function buildRecordBatch(input: RecordBatchInput): Buffer {
  const records = input.records
  const now = input.timestamp ?? Date.now()
  const compression = input.compression ?? Compression.NONE
  if (input.isControlBatch === true && compression !== Compression.NONE) {
    throw new ProtocolDecodeError('control batches are never compressed')
  }
  let firstTimestamp = now
  let maxTimestamp = -1
  for (let i = 0; i < records.length; i++) {
    const ts = (records[i] as RecordInput).timestamp ?? now
    if (i === 0) firstTimestamp = ts
    if (ts > maxTimestamp) maxTimestamp = ts
  }
  const baseTimestamp = input.deleteHorizonMs ?? (records.length > 0 ? firstTimestamp : (input.maxTimestamp ?? now))
  const encodable = records.map((r, i) => ({
    timestampDelta: (r.timestamp ?? now) - baseTimestamp,
    offsetDelta: r.offsetDelta ?? i,
    key: r.key ?? null,
    value: r.value,
    headers: r.headers ?? [],
  }))
  const lastOffsetDelta =
    input.lastOffsetDelta ?? (encodable.length > 0 ? encodable[encodable.length - 1]!.offsetDelta : 0)
  const plain = encodeRecords(encodable)
  const payload = compress(
    compression,
    plain,
    input.compressionLevel === undefined ? {} : { level: input.compressionLevel },
  )

  let attributes = compression
  if (input.timestampType === TimestampType.LOG_APPEND_TIME) attributes |= BatchAttribute.TIMESTAMP_TYPE
  if (input.isTransactional === true) attributes |= BatchAttribute.TRANSACTIONAL
  if (input.isControlBatch === true) attributes |= BatchAttribute.CONTROL
  if (input.deleteHorizonMs !== undefined) attributes |= BatchAttribute.DELETE_HORIZON

  const out = Buffer.allocUnsafe(RECORD_BATCH_OVERHEAD + payload.length)
  out.writeBigInt64BE(input.baseOffset ?? 0n, BASE_OFFSET_OFFSET)
  out.writeInt32BE(out.length - LOG_OVERHEAD, BATCH_LENGTH_OFFSET)
  out.writeInt32BE(input.partitionLeaderEpoch ?? NO_PARTITION_LEADER_EPOCH, PARTITION_LEADER_EPOCH_OFFSET)
  out.writeInt8(CURRENT_MAGIC, MAGIC_OFFSET)
  out.writeInt16BE(attributes, ATTRIBUTES_OFFSET)
  out.writeInt32BE(lastOffsetDelta, LAST_OFFSET_DELTA_OFFSET)
  out.writeBigInt64BE(BigInt(baseTimestamp), BASE_TIMESTAMP_OFFSET)
  out.writeBigInt64BE(
    BigInt(input.maxTimestamp ?? (records.length > 0 ? maxTimestamp : baseTimestamp)),
    MAX_TIMESTAMP_OFFSET,
  )
  out.writeBigInt64BE(input.producerId ?? NO_PRODUCER_ID, PRODUCER_ID_OFFSET)
  out.writeInt16BE(input.producerEpoch ?? NO_PRODUCER_EPOCH, PRODUCER_EPOCH_OFFSET)
  out.writeInt32BE(input.baseSequence ?? NO_SEQUENCE, BASE_SEQUENCE_OFFSET)
  out.writeInt32BE(records.length, RECORDS_COUNT_OFFSET)
  payload.copy(out, RECORD_BATCH_OVERHEAD)
  out.writeUInt32BE(crc32c(out.subarray(CRC_START)), CRC_OFFSET)
  return out
}

export interface DecodeRecordsOptions {
  /** Upper bound on the decompressed size of the records. */
  maxInflatedBytes?: number
}

/**
 * The records of one v2 batch, decompressed as needed. Keys and values are views into the batch (uncompressed) or
 * into one decompressed buffer. The CRC is not checked here; call view.validate() first for untrusted input.
 */
export function decodeBatchRecords(view: RecordBatchView, options: DecodeRecordsOptions = {}): DecodedRecord[] {
  const count = view.recordsCount
  const codec = view.compression
  const data =
    codec === Compression.NONE
      ? view.payload
      : decompress(codec, view.payload, options.maxInflatedBytes ?? DEFAULT_MAX_INFLATED_BYTES)
  return decodeRecords(data, count)
}

/** A decoded record with its absolute offset and timestamp resolved against its batch. */
export interface ResolvedRecord {
  offset: bigint
  timestamp: bigint
  key: Buffer | null
  value: Buffer | null
  headers: RecordHeader[]
}

/**
 * Records with absolute offsets and timestamps: with LogAppendTime every record takes the batch's maxTimestamp
 * (what Kafka's consumers do), with a delete horizon deltas are relative to it as well.
 */
export function resolveRecords(view: RecordBatchView, records: readonly DecodedRecord[]): ResolvedRecord[] {
  const baseOffset = view.baseOffset
  const baseTimestamp = view.baseTimestamp
  const appendTime = view.timestampType === TimestampType.LOG_APPEND_TIME ? view.maxTimestamp : null
  return records.map((r) => ({
    offset: baseOffset + BigInt(r.offsetDelta),
    timestamp: appendTime ?? baseTimestamp + BigInt(r.timestampDelta),
    key: r.key,
    value: r.value,
    headers: r.headers,
  }))
}
