// What a read_committed consumer keeps of a partition (KIP-98), written independently of the client so crash and
// transaction checkers can judge the broker's Fetch answers: the Fetch response stops at the last stable offset and
// lists the aborted transactions that overlap what it returned (producer id, first offset); a transactional batch
// is dropped while its producer has an aborted transaction open at that offset, an ABORT marker closes it, and
// control batches are never records.

import {
  ControlRecordTypes,
  decodeBatchRecords,
  readControlRecord,
  resolveRecords,
  type RecordBatchView,
  type ResolvedRecord,
} from '@samsa/protocol'

export interface AbortedTransaction {
  producerId: bigint
  firstOffset: bigint
}

export interface CommittedRead {
  /** Data records a read_committed consumer returns, in offset order. */
  records: ResolvedRecord[]
  /** Data records dropped as belonging to an aborted transaction. */
  abortedRecords: ResolvedRecord[]
}

/**
 * Applies the read_committed filter to a partition's batches (in offset order) given the union of the aborted
 * transaction lists the broker returned with them.
 */
export function filterReadCommitted(
  batches: readonly RecordBatchView[],
  aborted: readonly AbortedTransaction[],
): CommittedRead {
  const pending = [...aborted].sort((a, b) =>
    a.firstOffset < b.firstOffset ? -1 : a.firstOffset > b.firstOffset ? 1 : 0,
  )
  const open = new Set<bigint>()
  const out: CommittedRead = { records: [], abortedRecords: [] }
  let next = 0
  for (const view of batches) {
    // every aborted transaction that starts at or before this batch's last offset is open from here on
    while (next < pending.length && (pending[next] as AbortedTransaction).firstOffset <= view.lastOffset) {
      open.add((pending[next] as AbortedTransaction).producerId)
      next++
    }
    if (view.isControlBatch) {
      if (view.isTransactional && readControlRecord(view).type === ControlRecordTypes.ABORT)
        open.delete(view.producerId)
      continue
    }
    const records = resolveRecords(view, decodeBatchRecords(view))
    if (view.isTransactional && open.has(view.producerId)) out.abortedRecords.push(...records)
    else out.records.push(...records)
  }
  return out
}
