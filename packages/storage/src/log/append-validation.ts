// What storage checks before an append (the part of Kafka's analyzeAndValidateRecords that is the log's concern,
// not the broker's): the bytes are whole v2 batches that each fit a segment, and replicated batches continue the
// log. Record-level rules (keys on compacted topics, timestamps, sequence numbers) are the broker's.

import { CURRENT_MAGIC, ProtocolDecodeError, splitBatches, type RecordBatchView } from '@samsa/protocol'
import { CorruptRecordError, RecordBatchTooLargeError, UnexpectedAppendOffsetError } from '../errors.ts'

/** Views over the batches in `batches`; throws CorruptRecordError or RecordBatchTooLargeError. */
export function splitForAppend(batches: Buffer, partitionName: string, segmentBytes: number): RecordBatchView[] {
  let views: RecordBatchView[]
  try {
    const set = splitBatches(batches)
    if (set.partialBytes > 0) throw new ProtocolDecodeError(`${set.partialBytes} bytes after the last whole batch`)
    views = set.batches
  } catch (error) {
    if (!(error instanceof ProtocolDecodeError)) throw error
    throw new CorruptRecordError(`cannot append to ${partitionName}: ${error.message}`)
  }
  if (views.length === 0) throw new CorruptRecordError(`cannot append to ${partitionName}: no record batches`)
  for (const view of views) {
    if (view.magic !== CURRENT_MAGIC) {
      throw new CorruptRecordError(`cannot append to ${partitionName}: record batch magic ${view.magic} is not 2`)
    }
    if (view.lastOffsetDelta < 0) {
      throw new CorruptRecordError(
        `cannot append to ${partitionName}: negative lastOffsetDelta ${view.lastOffsetDelta}`,
      )
    }
    if (view.byteLength > segmentBytes) {
      throw new RecordBatchTooLargeError(
        `a ${view.byteLength}-byte batch exceeds segment.bytes ${segmentBytes} of ${partitionName}`,
      )
    }
  }
  return views
}

/**
 * Replication appends keep the leader's offsets, which must not go below the log end offset and must increase
 * (gaps are fine: the leader's compaction leaves them). Throws UnexpectedAppendOffsetError.
 */
export function checkFollowerOffsets(
  views: readonly RecordBatchView[],
  logEndOffset: bigint,
  partitionName: string,
): void {
  let expectedAtLeast = logEndOffset
  for (const view of views) {
    if (view.baseOffset < expectedAtLeast) {
      throw new UnexpectedAppendOffsetError(
        `follower append to ${partitionName} has a batch at offset ${view.baseOffset}, below ${expectedAtLeast}`,
        (views[0] as RecordBatchView).baseOffset,
        logEndOffset,
      )
    }
    expectedAtLeast = view.nextOffset
  }
}
