// Test batches through the protocol package's builder, with keys and values as strings for readable tests.

import {
  buildRecordBatch,
  decodeBatchRecords,
  resolveRecords,
  splitBatches,
  type RecordBatchInput,
} from '@samsa/protocol'

export interface TestRecord {
  key?: string | null
  /** null is a tombstone. */
  value: string | null
  timestamp?: number
}

/** One uncompressed v2 batch (unless `options` says otherwise), timestamps defaulting to `options.timestamp ?? 1000`. */
export function batchOf(records: readonly TestRecord[], options: Omit<RecordBatchInput, 'records'> = {}): Buffer {
  return buildRecordBatch({
    timestamp: 1000,
    ...options,
    records: records.map((r) => ({
      key: r.key === undefined || r.key === null ? null : Buffer.from(r.key),
      value: r.value === null ? null : Buffer.from(r.value),
      ...(r.timestamp === undefined ? {} : { timestamp: r.timestamp }),
    })),
  })
}

/** A batch of `count` records with values `v0`, `v1`, … (`prefix` changes the letter). */
export function batchOfValues(
  count: number,
  options: Omit<RecordBatchInput, 'records'> & { prefix?: string } = {},
): Buffer {
  const { prefix = 'v', ...rest } = options
  return batchOf(
    Array.from({ length: count }, (_, i) => ({ value: `${prefix}${i}` })),
    rest,
  )
}

export interface ReadRecord {
  offset: bigint
  timestamp: bigint
  key: string | null
  value: string | null
}

/** The records of a read result (or any record set), for assertions. */
export function recordsOf(chunks: readonly Buffer[]): ReadRecord[] {
  const out: ReadRecord[] = []
  for (const chunk of chunks) {
    for (const view of splitBatches(chunk)) {
      for (const r of resolveRecords(view, decodeBatchRecords(view))) {
        out.push({
          offset: r.offset,
          timestamp: r.timestamp,
          key: r.key === null ? null : r.key.toString(),
          value: r.value === null ? null : r.value.toString(),
        })
      }
    }
  }
  return out
}

/** The batches of a read result as [baseOffset, lastOffset] pairs. */
export function batchRangesOf(chunks: readonly Buffer[]): Array<[bigint, bigint]> {
  return chunks.flatMap((chunk) =>
    splitBatches(chunk).batches.map((v): [bigint, bigint] => [v.baseOffset, v.lastOffset]),
  )
}
