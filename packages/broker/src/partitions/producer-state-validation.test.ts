import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ErrorCode, RecordBatchView, buildRecordBatch } from '@samsa/protocol'
import type { ProducerStateEntry } from '@samsa/storage'
import { checkProducerState, lastSequenceOf } from './producer-state-validation.ts'

const INT32_MAX = 0x7fffffff

function batch(producerEpoch: number, baseSequence: number, count = 1): RecordBatchView {
  const bytes = buildRecordBatch({
    timestamp: 1000,
    producerId: 7n,
    producerEpoch,
    baseSequence,
    records: Array.from({ length: count }, () => ({ key: null, value: Buffer.from('v') })),
  })
  return new RecordBatchView(bytes)
}

function entry(producerEpoch: number, ranges: [number, number][]): ProducerStateEntry {
  return {
    producerId: 7n,
    producerEpoch,
    batches: ranges.map(([firstSeq, lastSeq], i) => ({
      firstSeq,
      lastSeq,
      firstOffset: BigInt(i * 10),
      lastOffset: BigInt(i * 10 + 1),
      timestamp: 1000n,
    })),
    lastTimestamp: 1000n,
    coordinatorEpoch: -1,
    currentTxnFirstOffset: -1n,
  }
}

const kind = (check: ReturnType<typeof checkProducerState>) => (check.kind === 'error' ? check.errorCode : check.kind)

test('duplicates match a retained batch exactly; partial overlaps are out of order', () => {
  const state = entry(0, [
    [0, 1],
    [2, 3],
  ])
  const duplicate = checkProducerState(batch(0, 0, 2), state, 't-0')
  assert.equal(duplicate.kind, 'duplicate')
  assert.equal(duplicate.kind === 'duplicate' && duplicate.batch.firstOffset, 0n)
  assert.equal(kind(checkProducerState(batch(0, 1, 2), state, 't-0')), ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER)
  assert.equal(kind(checkProducerState(batch(0, 4), state, 't-0')), 'append')
})

test('sequences wrap at Int32 max', () => {
  assert.equal(lastSequenceOf(INT32_MAX, 1), 0)
  assert.equal(kind(checkProducerState(batch(0, 0), entry(0, [[INT32_MAX - 1, INT32_MAX]]), 't-0')), 'append')
})

test('epochs: older is INVALID_PRODUCER_EPOCH, newer must start at 0, unknown producers start anywhere', () => {
  const state = entry(3, [[0, 5]])
  assert.equal(kind(checkProducerState(batch(2, 6), state, 't-0')), ErrorCode.INVALID_PRODUCER_EPOCH)
  assert.equal(kind(checkProducerState(batch(4, 1), state, 't-0')), ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER)
  assert.equal(kind(checkProducerState(batch(4, 0), state, 't-0')), 'append')
  assert.equal(kind(checkProducerState(batch(0, 42), undefined, 't-0')), 'append')
  // Known epoch without batches (only a transaction marker so far): sequence 0 comes next.
  assert.equal(kind(checkProducerState(batch(3, 1), entry(3, []), 't-0')), ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER)
  assert.equal(kind(checkProducerState(batch(3, 0), entry(3, []), 't-0')), 'append')
})
