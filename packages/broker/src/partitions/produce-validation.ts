// What the leader checks before appending a produced record set (PROTOCOL.md §2.4; Kafka's
// ProduceRequest.validateRecords, UnifiedLog.analyzeAndValidateRecords and LogValidator). Header-level checks
// read the 61-byte batch header in place; records are decoded only when a rule needs them (keyless records on a
// compacted topic, a finite message.timestamp.before.max.ms, or a maxTimestamp beyond the "after" bound, where the
// offending records must be named), so the common case never decompresses anything.

import type { RecordBatchView } from '@samsa/protocol'
import {
  BatchAttribute,
  Compression,
  CURRENT_MAGIC,
  ErrorCode,
  TimestampType,
  decodeBatchRecords,
  splitBatches,
} from '@samsa/protocol'
import type { TopicSettings } from './topic-settings.ts'

export interface RecordError {
  batchIndex: number
  batchIndexErrorMessage: string | null
}

export type ValidationResult =
  | { ok: true; batch: RecordBatchView }
  | { ok: false; errorCode: number; errorMessage: string; recordErrors: RecordError[] }

function reject(errorCode: number, errorMessage: string, recordErrors: RecordError[] = []): ValidationResult {
  return { ok: false, errorCode, errorMessage, recordErrors }
}

/** Validates the record set of one partition of a Produce request at `apiVersion` (3+). */
export function validateProducedRecords(
  records: Buffer | null,
  apiVersion: number,
  settings: TopicSettings,
  nowMs: number,
): ValidationResult {
  if (records === null || records.length === 0) {
    return reject(
      ErrorCode.INVALID_RECORD,
      `Produce requests with version ${apiVersion} must have at least one record batch per partition`,
    )
  }
  let view: RecordBatchView
  try {
    const set = splitBatches(records)
    if (set.partialBytes > 0) return reject(ErrorCode.CORRUPT_MESSAGE, 'The record set ends in a partial batch')
    if (set.batches.length !== 1) {
      return reject(
        ErrorCode.INVALID_RECORD,
        `Produce requests with version ${apiVersion} are only allowed to contain exactly one record batch per partition`,
      )
    }
    view = set.batches[0] as RecordBatchView
  } catch (e) {
    return reject(ErrorCode.CORRUPT_MESSAGE, `Malformed record set: ${(e as Error).message}`)
  }
  if (view.magic !== CURRENT_MAGIC) {
    return reject(
      ErrorCode.INVALID_RECORD,
      `Produce requests with version ${apiVersion} are only allowed to contain record batches with magic version 2`,
    )
  }
  const problem = view.problem()
  if (problem !== null) return reject(ErrorCode.CORRUPT_MESSAGE, problem)
  // KIP-110: zstd needs Produce v7+, so older clients cannot write batches older consumers cannot read.
  if (view.compression === Compression.ZSTD && apiVersion < 7) {
    return reject(
      ErrorCode.UNSUPPORTED_COMPRESSION_TYPE,
      'Produce requests with version below 7 cannot use ZStandard compression',
    )
  }
  if (view.compression > Compression.ZSTD) {
    return reject(ErrorCode.CORRUPT_MESSAGE, `Unknown compression codec ${view.compression}`)
  }
  if (view.byteLength > settings.maxMessageBytes) {
    return reject(
      ErrorCode.MESSAGE_TOO_LARGE,
      `The record batch is ${view.byteLength} bytes, larger than the ${settings.maxMessageBytes} bytes max.message.bytes allows`,
    )
  }
  const count = view.recordsCount
  if (count <= 0 || view.lastOffsetDelta + 1 !== count) {
    return reject(
      ErrorCode.INVALID_RECORD,
      `Inconsistent batch: recordsCount ${count} but lastOffsetDelta ${view.lastOffsetDelta}`,
    )
  }
  if (view.isControlBatch) return reject(ErrorCode.INVALID_RECORD, 'Clients are not allowed to write control records')
  if (view.producerId >= 0n && view.baseSequence < 0) {
    return reject(ErrorCode.INVALID_RECORD, `Invalid sequence number ${view.baseSequence} in an idempotent batch`)
  }
  if (view.attributes & ~0x7f) return reject(ErrorCode.INVALID_RECORD, 'Unused batch attribute bits are set')
  if (view.timestampType === TimestampType.LOG_APPEND_TIME) {
    return reject(ErrorCode.INVALID_TIMESTAMP, 'Producers may not set the LogAppendTime timestamp type')
  }
  if (view.attributes & BatchAttribute.DELETE_HORIZON) {
    return reject(ErrorCode.INVALID_RECORD, 'Producers may not set a delete horizon')
  }
  return checkRecords(view, settings, nowMs)
}

function checkRecords(view: RecordBatchView, settings: TopicSettings, nowMs: number): ValidationResult {
  const checkTimestamps = settings.timestampType === 'CreateTime'
  const latest = nowMs + settings.timestampAfterMaxMs
  const earliest = nowMs - settings.timestampBeforeMaxMs
  const future = checkTimestamps && Number(view.maxTimestamp) > latest
  const needRecords = settings.isCompacted || future || (checkTimestamps && settings.timestampBeforeMaxMs < nowMs)
  if (!needRecords) return { ok: true, batch: view }
  let records
  try {
    records = decodeBatchRecords(view)
  } catch (e) {
    return reject(ErrorCode.CORRUPT_MESSAGE, `Cannot decode the batch's records: ${(e as Error).message}`)
  }
  if (records.length !== view.recordsCount) {
    return reject(ErrorCode.CORRUPT_MESSAGE, `Batch declares ${view.recordsCount} records but holds ${records.length}`)
  }
  const keyErrors: RecordError[] = []
  const timeErrors: RecordError[] = []
  const base = Number(view.baseTimestamp)
  records.forEach((record, i) => {
    if (settings.isCompacted && record.key === null) {
      keyErrors.push({
        batchIndex: i,
        batchIndexErrorMessage: `Compacted topic cannot accept message without key in topic partition ${settings.topic}.`,
      })
    }
    if (checkTimestamps) {
      const ts = base + record.timestampDelta
      if (ts > latest || ts < earliest) {
        timeErrors.push({
          batchIndex: i,
          batchIndexErrorMessage: `Timestamp ${ts} of message with offset delta ${record.offsetDelta} is out of range. The timestamp should be within [${earliest}, ${latest}]`,
        })
      }
    }
  })
  if (keyErrors.length > 0) return reject(ErrorCode.INVALID_RECORD, 'One or more records have been rejected', keyErrors)
  if (timeErrors.length > 0) {
    return reject(
      ErrorCode.INVALID_TIMESTAMP,
      'One or more records have been rejected due to invalid timestamp',
      timeErrors,
    )
  }
  return { ok: true, batch: view }
}
