// Transaction markers (KIP-98): the transaction coordinator ends a transaction by appending, to every partition
// it touched, a control batch (transactional + control attributes, never compressed, baseSequence -1) that holds
// exactly one record: key = ControlRecordType {version 0, type COMMIT|ABORT}, value = EndTxnMarker {version 0,
// coordinatorEpoch}. read_committed consumers use ABORT markers to drop the aborted records.

import { ControlRecordType, ControlRecordTypes, EndTxnMarker } from '../internal/control-records.ts'
import { encodeVersioned } from '../internal/framing.ts'
import { ProtocolDecodeError } from '../primitives/codec-errors.ts'
import { buildRecordBatch, decodeBatchRecords } from './batch-codec.ts'
import type { RecordBatchView } from './batch-view.ts'

export interface TransactionMarker {
  /** ControlRecordTypes.COMMIT or ControlRecordTypes.ABORT */
  type: typeof ControlRecordTypes.COMMIT | typeof ControlRecordTypes.ABORT
  producerId: bigint
  producerEpoch: number
  coordinatorEpoch: number
  /** Append time of the marker (ms). */
  timestamp: number
  partitionLeaderEpoch?: number
  baseOffset?: bigint
}

export function buildTransactionMarkerBatch(marker: TransactionMarker): Buffer {
  const key = encodeVersioned(ControlRecordType, 0, { type: marker.type })
  const value = encodeVersioned(EndTxnMarker, 0, { coordinatorEpoch: marker.coordinatorEpoch })
  return buildRecordBatch({
    records: [{ key, value, timestamp: marker.timestamp }],
    baseOffset: marker.baseOffset ?? 0n,
    partitionLeaderEpoch: marker.partitionLeaderEpoch ?? -1,
    producerId: marker.producerId,
    producerEpoch: marker.producerEpoch,
    isTransactional: true,
    isControlBatch: true,
    timestamp: marker.timestamp,
  })
}

export interface ControlRecord {
  /** One of ControlRecordTypes (COMMIT and ABORT are transaction markers). */
  type: number
  /** The transaction coordinator's epoch, for COMMIT and ABORT markers; -1 otherwise. */
  coordinatorEpoch: number
}

/** Reads the control record of a control batch (the first record; Kafka writes exactly one). */
export function readControlRecord(view: RecordBatchView): ControlRecord {
  if (!view.isControlBatch) throw new ProtocolDecodeError('not a control batch')
  const [record] = decodeBatchRecords(view)
  if (record === undefined || record.key === null) throw new ProtocolDecodeError('control batch has no control record')
  // Readers accept newer key versions by reading the type that every version starts with.
  if (record.key.length < 4) throw new ProtocolDecodeError('control record key is shorter than 4 bytes')
  const type = record.key.readInt16BE(2)
  let coordinatorEpoch = -1
  const isMarker = type === ControlRecordTypes.COMMIT || type === ControlRecordTypes.ABORT
  // EndTxnMarker: int16 version then int32 coordinatorEpoch; later versions may only append fields.
  if (isMarker && record.value !== null && record.value.length >= 6) coordinatorEpoch = record.value.readInt32BE(2)
  return { type, coordinatorEpoch }
}
