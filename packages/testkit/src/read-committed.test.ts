import assert from 'node:assert/strict'
import { test } from 'node:test'
import { buildRecordBatch, buildTransactionMarkerBatch, ControlRecordTypes, RecordBatchView } from '@samsa/protocol'
import { filterReadCommitted } from './read-committed.ts'

function data(baseOffset: bigint, values: string[], producerId = -1n): RecordBatchView {
  const transactional = producerId >= 0n
  return new RecordBatchView(
    buildRecordBatch({
      records: values.map((v) => ({ key: null, value: Buffer.from(v) })),
      baseOffset,
      timestamp: 1_700_000_000_000,
      ...(transactional ? { producerId, producerEpoch: 0, baseSequence: 0, isTransactional: true } : {}),
    }),
  )
}

function marker(baseOffset: bigint, producerId: bigint, type: 'commit' | 'abort'): RecordBatchView {
  return new RecordBatchView(
    buildTransactionMarkerBatch({
      type: type === 'commit' ? ControlRecordTypes.COMMIT : ControlRecordTypes.ABORT,
      producerId,
      producerEpoch: 0,
      coordinatorEpoch: 0,
      timestamp: 1_700_000_000_000,
      baseOffset,
    }),
  )
}

const values = (records: { value: Buffer | null }[]): string[] => records.map((r) => r.value?.toString() ?? '')

test('read_committed drops the aborted transactions the broker lists, keeps the rest, never returns markers', () => {
  // 0-1 plain; 2 txn A (pid 7) aborted by the marker at 5; 3 txn B (pid 8) committed at 4; 6-7 pid 7 again, committed at 8
  const batches = [
    data(0n, ['p0', 'p1']),
    data(2n, ['a2'], 7n),
    data(3n, ['b3'], 8n),
    marker(4n, 8n, 'commit'),
    marker(5n, 7n, 'abort'),
    data(6n, ['c6', 'c7'], 7n),
    marker(8n, 7n, 'commit'),
  ]
  const read = filterReadCommitted(batches, [{ producerId: 7n, firstOffset: 2n }])
  assert.deepEqual(values(read.records), ['p0', 'p1', 'b3', 'c6', 'c7'])
  assert.deepEqual(values(read.abortedRecords), ['a2'])
  assert.deepEqual(
    read.records.map((r) => r.offset),
    [0n, 1n, 3n, 6n, 7n],
  )
})

test('an aborted transaction applies only from its first offset, and only to its producer', () => {
  // pid 9 commits at 0-1, then a later transaction of pid 9 (2) is aborted at 4; pid 10's 3 is committed at 5
  const batches = [
    data(0n, ['x0'], 9n),
    marker(1n, 9n, 'commit'),
    data(2n, ['x2'], 9n),
    data(3n, ['y3'], 10n),
    marker(4n, 9n, 'abort'),
    marker(5n, 10n, 'commit'),
  ]
  const read = filterReadCommitted(batches, [{ producerId: 9n, firstOffset: 2n }])
  assert.deepEqual(values(read.records), ['x0', 'y3'])
  assert.deepEqual(values(read.abortedRecords), ['x2'])
  // without the list nothing is dropped: the list, not the marker, is what tells a reader to skip
  assert.deepEqual(values(filterReadCommitted(batches, []).records), ['x0', 'x2', 'y3'])
})
