// The header facts of a stored batch (api.ts BatchHeader), for producer state and its rebuild at start-up. A
// control batch's one record is tiny, so a COMMIT/ABORT marker's type and coordinator epoch are read too: replay
// must complete transactions exactly as the appends did.

import { ControlRecordTypes, ProtocolDecodeError, readControlRecord, type RecordBatchView } from '@samsa/protocol'
import type { BatchHeader } from '../api.ts'

/** The header facts of a batch, detached from the buffer it was read from. */
export function batchHeaderOf(view: RecordBatchView): BatchHeader {
  const header: BatchHeader = {
    baseOffset: view.baseOffset,
    lastOffset: view.lastOffset,
    partitionLeaderEpoch: view.partitionLeaderEpoch,
    maxTimestamp: view.maxTimestamp,
    producerId: view.producerId,
    producerEpoch: view.producerEpoch,
    baseSequence: view.baseSequence,
    isTransactional: view.isTransactional,
    isControlBatch: view.isControlBatch,
    recordsCount: view.recordsCount,
  }
  if (view.isControlBatch) {
    const marker = transactionMarkerOf(view)
    if (marker !== undefined) header.marker = marker
  }
  return header
}

/** The COMMIT/ABORT marker a control batch holds, or undefined (another control type, or a record that won't decode). */
export function transactionMarkerOf(view: RecordBatchView): BatchHeader['marker'] {
  let record
  try {
    record = readControlRecord(view)
  } catch (error) {
    if (error instanceof ProtocolDecodeError) return undefined
    throw error
  }
  if (record.type === ControlRecordTypes.COMMIT) return { type: 'COMMIT', coordinatorEpoch: record.coordinatorEpoch }
  if (record.type === ControlRecordTypes.ABORT) return { type: 'ABORT', coordinatorEpoch: record.coordinatorEpoch }
  return undefined
}
