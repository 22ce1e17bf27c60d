import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { LogConfig } from '../api.ts'
import { OffsetOutOfRangeError } from '../errors.ts'
import { MemoryFileSystem } from '../fs/memory-file-system.ts'
import { logConfig } from '../log-config.ts'
import { batchOf, batchOfValues } from '../testing/batches.ts'
import { ManualClock } from '../testing/manual-clock.ts'
import { UnifiedLog } from './unified-log.ts'

const DIR = '/logs/clicks-0'
const LEADER = { leaderEpoch: 0, assignOffsets: true } as const
const BATCH_SIZE = batchOfValues(2).length
const HOUR = 3_600_000

function openLog(overrides: Partial<LogConfig>) {
  const fs = new MemoryFileSystem()
  const clock = new ManualClock(100 * HOUR)
  const config = logConfig({ segmentBytes: BATCH_SIZE * 2, fileDeleteDelayMs: 60_000, ...overrides })
  const log = UnifiedLog.open({ topic: 'clicks', partition: 0, dir: DIR, fs, clock, config })
  return { log, fs, clock }
}

/** Appends `count` two-record batches stamped `timestamp`, and lets the high watermark follow. */
function appendBatches(log: UnifiedLog, count: number, timestamp: number): void {
  for (let i = 0; i < count; i++) log.append(batchOfValues(2, { timestamp }), LEADER)
  log.highWatermark = log.logEndOffset
}

const baseOffsets = (log: UnifiedLog): bigint[] => log.segments.map((s) => s.baseOffset)

describe('retention (cleanup.policy=delete)', () => {
  test('retention.ms deletes whole segments whose largest timestamp is older, never the active one', () => {
    const { log, fs, clock } = openLog({ retentionMs: 10 * HOUR })
    appendBatches(log, 4, clock.now() - 20 * HOUR) // segments 0 and 4: expired
    appendBatches(log, 2, clock.now() - 5 * HOUR) // segment 8: kept
    appendBatches(log, 1, clock.now() - 30 * HOUR) // segment 12, active: expired but active
    assert.deepEqual(baseOffsets(log), [0n, 4n, 8n, 12n])
    assert.equal(log.deleteOldSegments(), 2)
    assert.deepEqual(baseOffsets(log), [8n, 12n])
    assert.equal(log.logStartOffset, 8n)
    assert.throws(
      () => log.read({ fetchOffset: 7n, maxOffset: 14n, maxBytes: 1000, minOneMessage: true }),
      OffsetOutOfRangeError,
    )
    // Kafka's way: renamed to .deleted at once, removed after file.delete.delay.ms.
    assert.ok(fs.exists(`${DIR}/00000000000000000000.log.deleted`))
    assert.ok(fs.exists(`${DIR}/00000000000000000004.timeindex.deleted`))
    clock.advance(59_999)
    assert.ok(fs.exists(`${DIR}/00000000000000000000.log.deleted`))
    clock.advance(1)
    assert.deepEqual(
      fs.list(DIR).filter((name) => name.endsWith('.deleted')),
      [],
    )
    clock.advance(6 * HOUR)
    assert.equal(log.deleteOldSegments(), 1)
    assert.deepEqual(baseOffsets(log), [12n])
  })

  test('retention.ms stops at the first segment still inside the window', () => {
    const { log, clock } = openLog({ retentionMs: 10 * HOUR })
    appendBatches(log, 2, clock.now() - 1 * HOUR)
    appendBatches(log, 2, clock.now() - 20 * HOUR)
    appendBatches(log, 1, clock.now())
    assert.equal(log.deleteOldSegments(), 0, 'an expired segment behind a live one stays, as in Kafka')
  })

  test('retention.bytes deletes the oldest whole segments while the rest still exceeds it', () => {
    const { log, clock } = openLog({ retentionBytes: BATCH_SIZE * 5 })
    appendBatches(log, 9, clock.now())
    assert.equal(log.sizeInBytes, BATCH_SIZE * 9)
    // Dropping two 2-batch segments leaves 5 batches; a third would leave 3, under the limit by more than needed.
    assert.equal(log.deleteOldSegments(), 2)
    assert.equal(log.sizeInBytes, BATCH_SIZE * 5)
    assert.deepEqual(baseOffsets(log), [8n, 12n, 16n])
    assert.equal(log.logStartOffset, 8n)
  })

  test('never deletes a segment with offsets at or above the high watermark', () => {
    const { log, clock } = openLog({ retentionMs: HOUR })
    appendBatches(log, 6, clock.now() - 2 * HOUR)
    log.highWatermark = 5n
    assert.equal(log.deleteOldSegments(), 1)
    assert.deepEqual(baseOffsets(log), [4n, 8n])
  })

  test('cleanup.policy=compact alone never deletes by time or size', () => {
    const { log, clock } = openLog({ retentionMs: HOUR, retentionBytes: 0, cleanupPolicy: ['compact'] })
    appendBatches(log, 6, clock.now() - 2 * HOUR)
    assert.equal(log.deleteOldSegments(), 0)
  })

  test('segments without any timestamp are never expired by time', () => {
    const { log } = openLog({ retentionMs: 0 })
    for (let i = 0; i < 4; i++) log.append(batchOf([{ value: 'x', timestamp: -1 }]), LEADER)
    log.highWatermark = log.logEndOffset
    assert.equal(log.deleteOldSegments(), 0)
  })
})

describe('DeleteRecords', () => {
  test('moves the log start offset, hides older records and drops the segments wholly below it', () => {
    const { log, fs } = openLog({})
    appendBatches(log, 6, 1000)
    assert.equal(log.deleteRecordsBefore(5n), 5n)
    assert.equal(log.logStartOffset, 5n)
    assert.deepEqual(baseOffsets(log), [4n, 8n])
    assert.ok(fs.exists(`${DIR}/00000000000000000000.log.deleted`))
    assert.throws(
      () => log.read({ fetchOffset: 4n, maxOffset: 12n, maxBytes: 1000, minOneMessage: true }),
      OffsetOutOfRangeError,
    )
    // A fetch at the log start offset gets the whole batch that holds it (the consumer skips offset 4).
    const read = log.read({ fetchOffset: 5n, maxOffset: 12n, maxBytes: 1, minOneMessage: true })
    assert.equal(read.byteLength, BATCH_SIZE)
    assert.equal(log.deleteRecordsBefore(3n), 5n, 'never moves backwards')
  })

  test('refuses offsets beyond the high watermark', () => {
    const { log } = openLog({})
    appendBatches(log, 2, 1000)
    log.highWatermark = 2n
    assert.throws(() => log.deleteRecordsBefore(3n), OffsetOutOfRangeError)
    assert.equal(log.deleteRecordsBefore(2n), 2n)
  })

  test('the leader epoch cache follows the log start offset', () => {
    const { log } = openLog({})
    log.append(batchOfValues(2), { leaderEpoch: 1, assignOffsets: true })
    log.append(batchOfValues(2), { leaderEpoch: 2, assignOffsets: true })
    log.append(batchOfValues(2), { leaderEpoch: 2, assignOffsets: true })
    log.highWatermark = log.logEndOffset
    log.deleteRecordsBefore(1n)
    assert.deepEqual(log.leaderEpochCache.entries, [
      { epoch: 1, startOffset: 1n },
      { epoch: 2, startOffset: 2n },
    ])
    log.deleteRecordsBefore(3n)
    assert.deepEqual(log.leaderEpochCache.entries, [{ epoch: 2, startOffset: 3n }])
  })
})
