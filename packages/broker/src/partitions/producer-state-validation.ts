// The idempotent-producer checks the leader makes before appending a client's batch (KIP-98, as Kafka 3.x's
// UnifiedLog.analyzeAndValidateProducerState and ProducerAppendInfo do them). In order:
// 1. A retry of one of the producer's last five batches (same epoch, same first and last sequence) is a duplicate:
//    it is answered with the original batch's offsets and not written again.
// 2. An epoch older than the partition's is INVALID_PRODUCER_EPOCH (since Kafka 2.7 / KIP-588 rather than
//    PRODUCER_FENCED, so a producer can bump its epoch and carry on, KIP-360).
// 3. A newer epoch must start at sequence 0; the same epoch must continue at last sequence + 1 (wrapping at Int32
//    max): otherwise OUT_OF_ORDER_SEQUENCE_NUMBER.
// A producer the partition does not know (never written here, expired, or whose records retention or DeleteRecords
// removed) may start at any sequence: Kafka 3.x dropped UNKNOWN_PRODUCER_ID for this case (KIP-360), because the
// producer cannot tell a lost state from a lost write and resetting on it caused duplicates.

import { ErrorCode, type RecordBatchView } from '@samsa/protocol'
import type { ProducerBatchMetadata, ProducerStateEntry } from '@samsa/storage'

const INT32_MAX = 0x7fffffff

export type ProducerStateCheck =
  | { kind: 'append' }
  | { kind: 'duplicate'; batch: ProducerBatchMetadata }
  | { kind: 'error'; errorCode: number; errorMessage: string }

/** Kafka's RecordBatch.lastSequence: the sequence of the batch's last record, wrapping at Int32 max. */
export function lastSequenceOf(baseSequence: number, lastOffsetDelta: number): number {
  return baseSequence > INT32_MAX - lastOffsetDelta
    ? lastOffsetDelta - (INT32_MAX - baseSequence) - 1
    : baseSequence + lastOffsetDelta
}

function inSequence(lastSeq: number, nextSeq: number): boolean {
  return nextSeq === lastSeq + 1 || (nextSeq === 0 && lastSeq === INT32_MAX)
}

/**
 * Checks a client's data batch from producer `batch.producerId` (≥ 0) against the partition's state for that
 * producer (undefined when there is none).
 */
export function checkProducerState(
  batch: RecordBatchView,
  entry: ProducerStateEntry | undefined,
  partitionName: string,
): ProducerStateCheck {
  if (entry === undefined) return { kind: 'append' }
  const { producerId, producerEpoch, baseSequence } = batch
  if (producerEpoch === entry.producerEpoch) {
    const lastSeq = lastSequenceOf(baseSequence, batch.lastOffsetDelta)
    const duplicate = entry.batches.find((b) => b.firstSeq === baseSequence && b.lastSeq === lastSeq)
    if (duplicate !== undefined) return { kind: 'duplicate', batch: duplicate }
  }
  if (producerEpoch < entry.producerEpoch) {
    return {
      kind: 'error',
      errorCode: ErrorCode.INVALID_PRODUCER_EPOCH,
      errorMessage: `Epoch of producer ${producerId} in ${partitionName} is ${producerEpoch}, which is smaller than the last seen epoch ${entry.producerEpoch}`,
    }
  }
  if (producerEpoch !== entry.producerEpoch) {
    // A producer whose epoch was bumped (KIP-360) or that was re-initialised starts its sequence over.
    if (baseSequence !== 0 && entry.producerEpoch >= 0) {
      return {
        kind: 'error',
        errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
        errorMessage: `Invalid sequence number for new epoch of producer ${producerId} in ${partitionName}: ${producerEpoch} (request epoch), ${baseSequence} (seq. number), ${entry.producerEpoch} (current producer epoch)`,
      }
    }
    return { kind: 'append' }
  }
  // An entry without batches (only a transaction marker so far) continues from "no sequence": 0 is next.
  const currentLastSeq = entry.batches[entry.batches.length - 1]?.lastSeq ?? -1
  if (inSequence(currentLastSeq, baseSequence)) return { kind: 'append' }
  return {
    kind: 'error',
    errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
    errorMessage: `Out of order sequence number for producer ${producerId} in ${partitionName}: ${baseSequence} (incoming seq. number), ${currentLastSeq} (current end sequence number)`,
  }
}
