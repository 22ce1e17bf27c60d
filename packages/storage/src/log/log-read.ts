// UnifiedLog's read paths over its segments: Fetch (Kafka's UnifiedLog.read + LocalLog.read: whole batches from
// the segment holding the fetch offset and, for read_committed fetches, the aborted transactions those batches
// overlap, from the segments' `.txnindex` files), ListOffsets by timestamp, and batch headers for replay.

import { BASE_OFFSET_OFFSET, BATCH_LENGTH_OFFSET, LAST_OFFSET_DELTA_OFFSET, LOG_OVERHEAD } from '@samsa/protocol'
import type { AbortedTransaction, BatchHeader, ReadOptions, ReadResult } from '../api.ts'
import { OffsetOutOfRangeError } from '../errors.ts'
import { batchHeaderOf } from './batch-header.ts'
import type { LogSegment, TimestampAndOffset } from './log-segment.ts'
import { segmentIndexFor } from './segment-search.ts'

const EMPTY_READ: ReadResult = Object.freeze({ chunks: [], byteLength: 0 })

/**
 * Reads whole batches from the segment holding fetchOffset (or the next one, past a compaction gap). `name` is
 * called only for an error message (this runs for every fetch).
 */
export function readLog(
  segments: readonly LogSegment[],
  logStartOffset: bigint,
  options: ReadOptions,
  name: () => string,
): ReadResult {
  const { fetchOffset } = options
  const logEndOffset = (segments[segments.length - 1] as LogSegment).nextOffset
  if (fetchOffset < logStartOffset || fetchOffset > logEndOffset) {
    throw new OffsetOutOfRangeError(
      `offset ${fetchOffset} is out of range for ${name()}, which holds [${logStartOffset}, ${logEndOffset})`,
      fetchOffset,
      logStartOffset,
      logEndOffset,
    )
  }
  const maxOffset = options.maxOffset < logEndOffset ? options.maxOffset : logEndOffset
  if (fetchOffset >= maxOffset) return emptyRead(options)
  // The offset may sit in a gap that compaction left at the end of a segment: then the next segment has it.
  for (let i = segmentIndexFor(segments, fetchOffset); i < segments.length; i++) {
    const bytes = (segments[i] as LogSegment).read(
      fetchOffset,
      maxOffset,
      options.maxBytes,
      options.minOneMessage,
      options.allocate,
    )
    if (bytes === null) continue
    if (bytes.length === 0) return emptyRead(options)
    const result: ReadResult = { chunks: [bytes], byteLength: bytes.length }
    if (options.collectAbortedTransactions === true) {
      result.abortedTransactions = collectAbortedTransactions(segments, fetchOffset, lastOffsetIn(bytes) + 1n)
    }
    return result
  }
  return emptyRead(options)
}

/**
 * Aborted transactions overlapping [fromOffset, upperBoundOffset) (Kafka's collectAbortedTransactions): walks
 * the segments from the one holding fromOffset, taking index entries with lastOffset ≥ fromOffset and
 * firstOffset < upperBoundOffset, and stops at the first entry whose lastStableOffset ≥ upperBoundOffset: when
 * that marker was written no other transaction begun below the bound was still open, so no later marker can end
 * one, and a transaction begun after it starts above the bound.
 */
export function collectAbortedTransactions(
  segments: readonly LogSegment[],
  fromOffset: bigint,
  upperBoundOffset: bigint,
): AbortedTransaction[] {
  const found: AbortedTransaction[] = []
  if (fromOffset >= upperBoundOffset) return found
  for (let i = segmentIndexFor(segments, fromOffset); i < segments.length; i++) {
    // A later segment's entries can still describe transactions that began before the bound (their markers come
    // later), so the walk goes on until an entry proves that nothing after it can overlap.
    if ((segments[i] as LogSegment).txnIndex.collectAbortedTxns(fromOffset, upperBoundOffset, found)) break
  }
  return found
}

/** ListOffsets by timestamp: the first record at or after logStartOffset whose timestamp is ≥ timestampMs. */
export function offsetForTimestamp(
  segments: readonly LogSegment[],
  timestampMs: bigint,
  logStartOffset: bigint,
): TimestampAndOffset | null {
  for (const segment of segments) {
    if (segment.largestTimestamp < timestampMs || segment.nextOffset <= logStartOffset) continue
    const found = segment.findOffsetByTimestamp(timestampMs, logStartOffset)
    if (found !== null) return found
  }
  return null
}

/** ListOffsets MAX_TIMESTAMP: the first record of the segment with the largest timestamp that carries it. */
export function offsetOfMaxTimestamp(segments: readonly LogSegment[]): TimestampAndOffset | null {
  let latest: LogSegment | null = null
  for (const segment of segments) {
    if (segment.largestTimestamp >= 0n && (latest === null || segment.largestTimestamp > latest.largestTimestamp)) {
      latest = segment
    }
  }
  return latest?.offsetOfMaxTimestamp() ?? null
}

/** The header of every batch from the one holding fromOffset on (`segments` must be a copy the log won't change). */
export function* batchHeadersFrom(
  segments: readonly LogSegment[],
  fromOffset: bigint,
): Generator<BatchHeader, void, undefined> {
  const first = segmentIndexFor(segments, fromOffset)
  for (let i = first; i < segments.length; i++) {
    const segment = segments[i] as LogSegment
    const start = i === first ? (segment.translateOffset(fromOffset)?.position ?? segment.size) : 0
    for (const { view } of segment.scan(start)) {
      if (view === null) break
      if (view.lastOffset < fromOffset) continue
      yield batchHeaderOf(view)
    }
  }
}

/** The last offset of the last whole batch in `bytes` (read() returns whole batches only). */
function lastOffsetIn(bytes: Buffer): bigint {
  let at = 0
  let lastOffset = -1n
  while (at + LOG_OVERHEAD <= bytes.length) {
    lastOffset =
      bytes.readBigInt64BE(at + BASE_OFFSET_OFFSET) + BigInt(bytes.readInt32BE(at + LAST_OFFSET_DELTA_OFFSET))
    at += LOG_OVERHEAD + bytes.readInt32BE(at + BATCH_LENGTH_OFFSET)
  }
  return lastOffset
}

function emptyRead(options: ReadOptions): ReadResult {
  return options.collectAbortedTransactions === true
    ? { chunks: [], byteLength: 0, abortedTransactions: [] }
    : EMPTY_READ
}
