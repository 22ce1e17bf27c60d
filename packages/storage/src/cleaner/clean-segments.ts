// The work of one compaction: which offset holds the latest record of each key (the offset map, built over the
// dirty part of the log), and copying segments into a cleaned segment keeping only those records.
//
// Batch rules, as in Kafka:
// - A batch whose records all stay is copied byte for byte.
// - Otherwise it is rebuilt with the same baseOffset, lastOffsetDelta, partitionLeaderEpoch, producer id/epoch,
//   base sequence, attributes and codec; kept records keep their offsetDelta and timestamp; the CRC is new.
// - A batch left with no records is dropped, unless it is its producer's last batch in the log: then it stays as
//   an empty batch, so that the producer's last sequence number survives (idempotence after restart).
// - Tombstones (null values) stay until their batch's delete horizon (KIP-534: attribute bit 6, baseTimestamp =
//   the horizon), which the first cleaning that keeps them sets to now + delete.retention.ms. The next cleaning
//   after the horizon drops them.
// - Records without a key are dropped (Kafka's cleaner treats them as invalid on a compacted topic).
// - Transactions: the records of aborted transactions (known from the `.txnindex` entries) are dropped and never
//   enter the offset map, so an aborted record cannot shadow a committed one; their batches follow the emptied-
//   batch rule above. A COMMIT/ABORT marker goes once no batch of its transaction is left: the first cleaning
//   that meets no batch of its transaction before it (cleaning always reads from the log start, so it would have)
//   stamps it with a delete horizon (now + delete.retention.ms, as for tombstones), and the first cleaning after
//   the horizon drops it, unless it is its producer's last batch. Other control batches are kept as they are.
//   The cleaner never reaches open transactions: log-cleaner.ts stops at the first unstable offset.

import {
  ProtocolDecodeError,
  TimestampType,
  buildRecordBatch,
  decodeBatchRecords,
  splitBatches,
  type DecodedRecord,
  type RecordBatchView,
} from '@samsa/protocol'
import { transactionMarkerOf } from '../log/batch-header.ts'
import type { LogSegment } from '../log/log-segment.ts'

function decodeOrNull(view: RecordBatchView): DecodedRecord[] | null {
  try {
    return decodeBatchRecords(view)
  } catch (error) {
    if (error instanceof ProtocolDecodeError) return null
    throw error
  }
}

/** Key bytes as a string, 1:1 (latin1), for use as a Map key. */
function keyOf(key: Buffer): string {
  return key.toString('latin1')
}

/** Per producer id, the offset ranges of its aborted transactions: [firstOffset, ABORT marker offset]. */
export type AbortedRanges = ReadonlyMap<bigint, ReadonlyArray<{ firstOffset: bigint; lastOffset: bigint }>>

/** The aborted transactions of the whole log, from its segments' transaction indexes. */
export function abortedRangesOf(segments: readonly LogSegment[]): AbortedRanges {
  const ranges = new Map<bigint, Array<{ firstOffset: bigint; lastOffset: bigint }>>()
  for (const segment of segments) {
    for (const { producerId, firstOffset, lastOffset } of segment.txnIndex.entries) {
      let list = ranges.get(producerId)
      if (list === undefined) ranges.set(producerId, (list = []))
      list.push({ firstOffset, lastOffset })
    }
  }
  return ranges
}

/** A data batch of a transaction that was aborted. */
export function isAbortedBatch(view: RecordBatchView, aborted: AbortedRanges): boolean {
  if (!view.isTransactional || view.isControlBatch) return false
  const ranges = aborted.get(view.producerId)
  if (ranges === undefined) return false
  const offset = view.baseOffset
  return ranges.some((range) => range.firstOffset <= offset && offset < range.lastOffset)
}

/** The offset of the latest record of each key in `segments` (the dirty part of the log), aborted data aside. */
export function buildOffsetMap(
  segments: readonly LogSegment[],
  aborted: AbortedRanges = new Map(),
): Map<string, bigint> {
  const map = new Map<string, bigint>()
  for (const segment of segments) {
    for (const { view } of segment.scan()) {
      if (view === null) break
      if (view.isControlBatch || isAbortedBatch(view, aborted)) continue
      const baseOffset = view.baseOffset
      for (const record of decodeOrNull(view) ?? []) {
        if (record.key !== null) map.set(keyOf(record.key), baseOffset + BigInt(record.offsetDelta))
      }
    }
  }
  return map
}

/** The base offset of each producer's last batch in `segments` (the whole log). */
export function lastBatchOfEachProducer(segments: readonly LogSegment[]): Map<bigint, bigint> {
  const last = new Map<bigint, bigint>()
  for (const segment of segments) {
    for (const { view } of segment.scan()) {
      if (view === null) break
      if (view.producerId >= 0n) last.set(view.producerId, view.baseOffset)
    }
  }
  return last
}

export interface CleaningRules {
  offsetMap: ReadonlyMap<string, bigint>
  aborted: AbortedRanges
  lastBatchOfProducer: ReadonlyMap<bigint, bigint>
  nowMs: number
  deleteRetentionMs: number
  indexIntervalBytes: number
}

/** What cleaning a group of segments produced besides the records. */
export interface CleaningOutcome {
  /** The earliest delete horizon among kept tombstones and markers (when to clean again to drop them), or null. */
  earliestHorizonMs: number | null
  /** Offsets of the transaction markers dropped (their `.txnindex` entries go with them). */
  droppedMarkers: Set<bigint>
}

/** Output is appended to the cleaned segment in writes of about this size: few and large (LIMITS.md §2.3). */
const WRITE_BYTES = 512 * 1024

/**
 * Copies the kept records of `sources` into `target`. `transactionData` carries, from one group of segments to
 * the next, the producers whose transaction has data batches since their last marker.
 */
export function cleanSegmentsInto(
  target: LogSegment,
  sources: readonly LogSegment[],
  rules: CleaningRules,
  transactionData: Set<bigint> = new Set(),
): CleaningOutcome {
  let pending: Buffer[] = []
  let pendingBytes = 0
  const write = (): void => {
    if (pending.length === 0) return
    const data = pending.length === 1 ? (pending[0] as Buffer) : Buffer.concat(pending, pendingBytes)
    target.append(data, splitBatches(data).batches, rules.indexIntervalBytes)
    pending = []
    pendingBytes = 0
  }
  let earliestHorizonMs: number | null = null
  const droppedMarkers = new Set<bigint>()
  for (const source of sources) {
    for (const { view } of source.scan()) {
      if (view === null) break
      let cleaned
      if (view.isControlBatch) {
        const hadData = transactionData.delete(view.producerId)
        cleaned = cleanControlBatch(view, rules, !hadData)
        if (cleaned === null) droppedMarkers.add(view.baseOffset)
      } else {
        if (view.isTransactional) transactionData.add(view.producerId)
        cleaned = cleanBatch(view, rules)
      }
      if (cleaned === null) continue
      if (
        cleaned.deleteHorizonMs !== null &&
        (earliestHorizonMs === null || cleaned.deleteHorizonMs < earliestHorizonMs)
      ) {
        earliestHorizonMs = cleaned.deleteHorizonMs
      }
      pending.push(cleaned.bytes)
      pendingBytes += cleaned.bytes.length
      if (pendingBytes >= WRITE_BYTES) write()
    }
  }
  write()
  return { earliestHorizonMs, droppedMarkers }
}

/**
 * A control batch after cleaning. `isTransactionGone`: no batch of the producer's transaction came before it in
 * this cleaning. Only a transaction marker (a decodable COMMIT/ABORT) is ever dropped or stamped.
 */
function cleanControlBatch(
  view: RecordBatchView,
  rules: CleaningRules,
  isTransactionGone: boolean,
): { bytes: Buffer; deleteHorizonMs: number | null } | null {
  const keep = { bytes: Buffer.from(view.bytes), deleteHorizonMs: null }
  if (!isTransactionGone || view.producerId < 0n || transactionMarkerOf(view) === undefined) return keep
  if (!view.hasDeleteHorizonMs) {
    const horizonMs = rules.nowMs + rules.deleteRetentionMs
    const records = decodeOrNull(view)
    return records === null ? keep : { bytes: rebuild(view, records, horizonMs), deleteHorizonMs: horizonMs }
  }
  const horizonMs = Number(view.baseTimestamp)
  if (rules.nowMs < horizonMs) return { bytes: Buffer.from(view.bytes), deleteHorizonMs: horizonMs }
  // Its producer's last batch stays: replay must still find the producer's epoch.
  const isProducersLastBatch = rules.lastBatchOfProducer.get(view.producerId) === view.baseOffset
  return isProducersLastBatch ? { bytes: Buffer.from(view.bytes), deleteHorizonMs: null } : null
}

/** One batch after cleaning (a copy: `view` lives in a scan buffer that is about to be reused), or null if dropped. */
function cleanBatch(
  view: RecordBatchView,
  rules: CleaningRules,
): { bytes: Buffer; deleteHorizonMs: number | null } | null {
  const isAborted = isAbortedBatch(view, rules.aborted)
  const records = decodeOrNull(view)
  // A batch whose records do not decode (it passed its CRC, so a client wrote it that way) is kept untouched.
  if (records === null) return { bytes: Buffer.from(view.bytes), deleteHorizonMs: null }
  const horizonMs = view.hasDeleteHorizonMs ? Number(view.baseTimestamp) : null
  const tombstonesExpired = horizonMs !== null && rules.nowMs >= horizonMs
  const baseOffset = view.baseOffset
  const kept = records.filter((record) => {
    if (record.key === null || isAborted) return false
    const latest = rules.offsetMap.get(keyOf(record.key))
    if (latest !== undefined && baseOffset + BigInt(record.offsetDelta) < latest) return false
    return record.value !== null || !tombstonesExpired
  })
  const hasTombstones = kept.some((record) => record.value === null)
  const newHorizonMs = hasTombstones ? (horizonMs ?? rules.nowMs + rules.deleteRetentionMs) : null
  if (kept.length === records.length && newHorizonMs === horizonMs) {
    return { bytes: Buffer.from(view.bytes), deleteHorizonMs: newHorizonMs }
  }
  if (kept.length === 0) {
    const isProducersLastBatch = view.producerId >= 0n && rules.lastBatchOfProducer.get(view.producerId) === baseOffset
    return isProducersLastBatch ? { bytes: rebuild(view, [], null), deleteHorizonMs: null } : null
  }
  return { bytes: rebuild(view, kept, newHorizonMs), deleteHorizonMs: newHorizonMs }
}

/** The batch with only `records`, every header field that identifies it unchanged. */
function rebuild(view: RecordBatchView, records: readonly DecodedRecord[], deleteHorizonMs: number | null): Buffer {
  // Deltas are relative to baseTimestamp, whatever it holds (a first timestamp or a delete horizon).
  const baseTimestamp = view.baseTimestamp
  const keepsMaxTimestamp = records.length === 0 || view.timestampType === TimestampType.LOG_APPEND_TIME
  return buildRecordBatch({
    records: records.map((record) => ({
      key: record.key,
      value: record.value,
      headers: record.headers,
      offsetDelta: record.offsetDelta,
      timestamp: Number(baseTimestamp + BigInt(record.timestampDelta)),
    })),
    baseOffset: view.baseOffset,
    lastOffsetDelta: view.lastOffsetDelta,
    partitionLeaderEpoch: view.partitionLeaderEpoch,
    compression: view.compression,
    timestampType: view.timestampType,
    timestamp: Number(view.maxTimestamp),
    producerId: view.producerId,
    producerEpoch: view.producerEpoch,
    baseSequence: view.baseSequence,
    isTransactional: view.isTransactional,
    isControlBatch: view.isControlBatch,
    ...(deleteHorizonMs === null ? {} : { deleteHorizonMs }),
    // LogAppendTime batches carry the append time here; an emptied batch keeps its original header.
    ...(keepsMaxTimestamp ? { maxTimestamp: Number(view.maxTimestamp) } : {}),
  })
}

/**
 * Indexes of the records in a batch that have no key: a compacted topic refuses them at produce time
 * (INVALID_RECORD, reported per record in Produce v8+ RecordErrors). For the broker's produce validation; throws
 * the protocol's ProtocolDecodeError if the records do not decode (CORRUPT_MESSAGE).
 */
export function keylessRecordIndexes(view: RecordBatchView): number[] {
  const indexes: number[] = []
  decodeBatchRecords(view).forEach((record, i) => {
    if (record.key === null) indexes.push(i)
  })
  return indexes
}
