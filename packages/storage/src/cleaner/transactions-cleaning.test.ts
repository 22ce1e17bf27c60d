// The cleaner and transactions: it stops at the first unstable offset, drops aborted records (which never shadow
// committed ones) and carries the transaction index into the cleaned segment.

import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { ControlRecordTypes, buildTransactionMarkerBatch, splitBatches } from '@samsa/protocol'
import { MemoryFileSystem } from '../fs/memory-file-system.ts'
import { logConfig } from '../log-config.ts'
import { UnifiedLog } from '../log/unified-log.ts'
import { batchOf, recordsOf, type TestRecord } from '../testing/batches.ts'
import { ManualClock } from '../testing/manual-clock.ts'
import { LogCleaner } from './log-cleaner.ts'

const DIR = '/logs/ledger-0'
const LEADER = { leaderEpoch: 0, assignOffsets: true } as const
const P1 = 77n

function setup() {
  const fs = new MemoryFileSystem()
  const clock = new ManualClock()
  const config = logConfig({ cleanupPolicy: ['compact'], minCleanableDirtyRatio: 0.01, deleteRetentionMs: 1000 })
  const log = UnifiedLog.open({ topic: 'ledger', partition: 0, dir: DIR, fs, clock, config })
  const cleaner = new LogCleaner({ fs, clock, warn: () => {} })
  return { fs, clock, log, cleaner }
}

/** The markers of the log as `offset:TYPE`, with `+h` when they carry a delete horizon. */
function markers(log: UnifiedLog): string[] {
  const out: string[] = []
  for (const segment of log.segments) {
    for (const view of splitBatches(segment.readBytes(0, segment.size))) {
      if (view.isControlBatch)
        out.push(`${view.baseOffset}:${view.isTransactional ? 'txn' : ''}${view.hasDeleteHorizonMs ? '+h' : ''}`)
    }
  }
  return out
}

function append(log: UnifiedLog, batch: Buffer, roll = false): void {
  log.append(batch, LEADER)
  if (roll) log.roll()
  log.highWatermark = log.logEndOffset
}

const plain = (records: TestRecord[]): Buffer => batchOf(records)
const txn = (records: TestRecord[], baseSequence = 0): Buffer =>
  batchOf(records, { producerId: P1, producerEpoch: 0, baseSequence, isTransactional: true })
const marker = (type: 'COMMIT' | 'ABORT'): Buffer =>
  buildTransactionMarkerBatch({
    type: type === 'COMMIT' ? ControlRecordTypes.COMMIT : ControlRecordTypes.ABORT,
    producerId: P1,
    producerEpoch: 0,
    coordinatorEpoch: 1,
    timestamp: 1000,
  })

/** Data records of the log as `offset:key=value`, control batches left out. */
function keyValues(log: UnifiedLog): string[] {
  const out: string[] = []
  for (const segment of log.segments) {
    for (const view of splitBatches(segment.readBytes(0, segment.size))) {
      if (view.isControlBatch) continue
      for (const r of recordsOf([view.bytes])) out.push(`${r.offset}:${r.key}=${r.value}`)
    }
  }
  return out
}

describe('cleaning transactional logs', () => {
  test('never cleans at or beyond the first unstable offset', async () => {
    const { log, cleaner } = setup()
    append(log, plain([{ key: 'k', value: 'a' }]))
    append(log, plain([{ key: 'k', value: 'b' }]), true) // segment 0: 0-1
    append(log, txn([{ key: 'k', value: 'c' }]), true) // segment 2: the open transaction
    append(log, plain([{ key: 'k', value: 'd' }]), true) // segment 3
    append(log, plain([{ key: 'z', value: 'active' }]))
    assert.equal(log.firstUnstableOffset, 2n)
    assert.equal(cleaner.plan(log)?.cleanEndOffset, 2n)
    assert.equal(await cleaner.cleanDirtiestLog([log]), true)
    // Only segment 0 was cleaned, with only itself to compare against: k=d beyond the bound shadows nothing.
    assert.deepEqual(keyValues(log), ['1:k=b', '2:k=c', '3:k=d', '4:z=active'])
    append(log, marker('COMMIT'))
    assert.equal(log.firstUnstableOffset, null)
    assert.equal(cleaner.plan(log)?.cleanEndOffset, 4n)
  })

  test('aborted records are dropped and never shadow committed ones; the index follows the cleaned segment', async () => {
    const { fs, log, cleaner } = setup()
    append(log, plain([{ key: 'k', value: 'committed' }]), true) // 0
    append(log, txn([{ key: 'k', value: 'aborted' }])) // 1
    append(log, marker('ABORT'), true) // 2
    append(log, txn([{ key: 'j', value: 'kept' }], 1)) // 3
    append(log, marker('COMMIT'), true) // 4
    append(log, plain([{ key: 'z', value: 'active' }])) // 5
    assert.deepEqual(log.abortedTransactions(0n, 6n), [{ producerId: P1, firstOffset: 1n }])
    assert.equal(await cleaner.cleanDirtiestLog([log]), true)
    assert.deepEqual(keyValues(log), ['0:k=committed', '3:j=kept', '5:z=active'])
    assert.deepEqual(
      log.segments.map((s) => s.baseOffset),
      [0n, 5n],
    )
    // The ABORT marker stays, and so does its index entry, now in the cleaned segment's `.txnindex`.
    assert.deepEqual(log.abortedTransactions(0n, 6n), [{ producerId: P1, firstOffset: 1n }])
    assert.equal(fs.readFile(`${DIR}/00000000000000000000.txnindex`).length, 34)
    const markers = [...log.batchHeaders(0n)].filter((h) => h.isControlBatch).map((h) => h.marker?.type)
    assert.deepEqual(markers, ['ABORT', 'COMMIT'])
  })

  test('a marker goes once its transaction has no batch left and its delete horizon has passed', async () => {
    const { fs, clock, log, cleaner } = setup()
    append(log, plain([{ key: 'k', value: 'committed' }]), true) // 0
    append(log, txn([{ key: 'k', value: 'aborted' }])) // 1
    append(log, marker('ABORT'), true) // 2
    append(log, txn([{ key: 'j', value: 'old' }], 1)) // 3
    append(log, marker('COMMIT'), true) // 4
    append(log, plain([{ key: 'j', value: 'new' }]), true) // 5
    append(log, plain([{ key: 'z', value: 'active' }])) // 6
    // First cleaning: both transactions still had batches (now dropped), so both markers stay as they are.
    assert.equal(await cleaner.cleanDirtiestLog([log]), true)
    assert.deepEqual(keyValues(log), ['0:k=committed', '5:j=new', '6:z=active'])
    assert.deepEqual(markers(log), ['2:txn', '4:txn'])
    log.roll()
    append(log, txn([{ key: 'x', value: '1' }], 2)) // 7: P1's next transaction...
    append(log, marker('COMMIT'), true) // 8: ...whose marker is P1's last batch
    append(log, plain([{ key: 'y', value: '1' }])) // 9
    // Second cleaning: no batch of the first two transactions is left, so their markers get a delete horizon.
    assert.equal(await cleaner.cleanDirtiestLog([log]), true)
    assert.deepEqual(markers(log), ['2:txn+h', '4:txn+h', '8:txn'])
    assert.deepEqual(log.abortedTransactions(0n, 10n), [{ producerId: P1, firstOffset: 1n }])
    assert.deepEqual(
      [...log.batchHeaders(0n)].filter((h) => h.isControlBatch).map((h) => h.marker?.type),
      ['ABORT', 'COMMIT', 'COMMIT'],
      'a stamped marker still decodes',
    )
    // After the horizon the cleaner must clean again, and the two markers and the abort's index entry go.
    clock.advance(1001)
    assert.equal(await cleaner.cleanDirtiestLog([log]), true)
    assert.deepEqual(markers(log), ['8:txn'], 'its transaction still has x=1')
    assert.deepEqual(log.abortedTransactions(0n, 10n), [])
    await log.flush()
    assert.ok(!fs.exists(`${DIR}/00000000000000000000.txnindex`), 'the cleaned segment has no aborted transaction')
    assert.deepEqual(keyValues(log), ['0:k=committed', '5:j=new', '6:z=active', '7:x=1', '9:y=1'])
  })
})
