import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { RecordBatchView, TimestampType, splitBatches } from '@samsa/protocol'
import type { LogConfig } from '../api.ts'
import { CorruptRecordError, OffsetOutOfRangeError, UnexpectedAppendOffsetError } from '../errors.ts'
import { MemoryFileSystem } from '../fs/memory-file-system.ts'
import { logConfig } from '../log-config.ts'
import { batchOf, batchOfValues, batchRangesOf, recordsOf } from '../testing/batches.ts'
import { ManualClock } from '../testing/manual-clock.ts'
import { UnifiedLog } from './unified-log.ts'

const DIR = '/data/orders-0'
const LEADER = { leaderEpoch: 0, assignOffsets: true } as const

function openLog(overrides: Partial<LogConfig> = {}, fs = new MemoryFileSystem(), clock = new ManualClock()) {
  const log = UnifiedLog.open({
    topic: 'orders',
    partition: 0,
    dir: DIR,
    fs,
    clock,
    config: logConfig(overrides),
  })
  return { log, fs, clock }
}

/** Everything from fetchOffset on, one read per segment as a consumer would fetch it. */
function readAll(log: UnifiedLog, fetchOffset = log.logStartOffset) {
  const chunks: Buffer[] = []
  let next = fetchOffset
  while (next < log.logEndOffset) {
    const read = log.read({ fetchOffset: next, maxOffset: log.logEndOffset, maxBytes: 1 << 30, minOneMessage: true })
    if (read.byteLength === 0) break
    chunks.push(...read.chunks)
    next = (batchRangesOf(read.chunks).at(-1) as [bigint, bigint])[1] + 1n
  }
  return { chunks, byteLength: chunks.reduce((n, c) => n + c.length, 0) }
}

describe('UnifiedLog append and read', () => {
  test('assigns offsets from the log end offset and stamps the leader epoch', () => {
    const { log } = openLog()
    const first = log.append(batchOfValues(3), { leaderEpoch: 7, assignOffsets: true })
    const second = log.append(batchOfValues(2), { leaderEpoch: 7, assignOffsets: true })
    assert.deepEqual([first.firstOffset, first.lastOffset, first.logEndOffset], [0n, 2n, 3n])
    assert.deepEqual([second.firstOffset, second.lastOffset, second.logEndOffset], [3n, 4n, 5n])
    assert.equal(log.logEndOffset, 5n)
    const read = readAll(log)
    assert.deepEqual(batchRangesOf(read.chunks), [
      [0n, 2n],
      [3n, 4n],
    ])
    for (const view of splitBatches(read.chunks[0] as Buffer)) {
      assert.equal(view.partitionLeaderEpoch, 7)
      assert.equal(view.problem(), null)
    }
    assert.deepEqual(
      recordsOf(read.chunks).map((r) => r.value),
      ['v0', 'v1', 'v2', 'v0', 'v1'],
    )
  })

  test('stores batches byte for byte apart from baseOffset and partitionLeaderEpoch', () => {
    const { log } = openLog()
    log.append(batchOfValues(1), LEADER)
    const sent = batchOfValues(4, { producerId: 42n, producerEpoch: 1, baseSequence: 0 })
    const original = Buffer.from(sent)
    log.append(sent, { leaderEpoch: 3, assignOffsets: true })
    const stored = readAll(log, 1n).chunks[0] as Buffer
    assert.equal(stored.readBigInt64BE(0), 1n)
    assert.equal(stored.readInt32BE(12), 3)
    assert.deepEqual(stored.subarray(16), original.subarray(16))
  })

  test('LogAppendTime sets the timestamp type and maxTimestamp and recomputes the CRC', () => {
    const { log } = openLog()
    const result = log.append(batchOfValues(2, { timestamp: 5 }), { ...LEADER, logAppendTimeMs: 123456 })
    assert.equal(result.logAppendTimeMs, 123456)
    assert.equal(result.maxTimestamp, 123456n)
    const view = new RecordBatchView(readAll(log).chunks[0] as Buffer)
    assert.equal(view.timestampType, TimestampType.LOG_APPEND_TIME)
    assert.equal(view.maxTimestamp, 123456n)
    assert.equal(view.problem(), null)
  })

  test('rejects bytes that are not whole v2 batches', () => {
    const { log } = openLog()
    const batch = batchOfValues(2)
    assert.throws(() => log.append(batch.subarray(0, batch.length - 3), LEADER), CorruptRecordError)
    assert.throws(() => log.append(Buffer.alloc(0), LEADER), CorruptRecordError)
    assert.equal(log.logEndOffset, 0n)
  })

  test('out-of-range fetch offsets throw; the log end offset reads as empty', () => {
    const { log } = openLog()
    log.append(batchOfValues(3), LEADER)
    assert.throws(
      () => log.read({ fetchOffset: 4n, maxOffset: 3n, maxBytes: 1000, minOneMessage: true }),
      (error: unknown) => error instanceof OffsetOutOfRangeError && error.code === 1 && error.logEndOffset === 3n,
    )
    assert.equal(log.read({ fetchOffset: 3n, maxOffset: 3n, maxBytes: 1000, minOneMessage: true }).byteLength, 0)
  })

  test('reads from the batch holding the fetch offset, up to maxBytes and below maxOffset', () => {
    const { log } = openLog()
    for (let i = 0; i < 5; i++) log.append(batchOfValues(2), LEADER)
    const batchSize = batchOfValues(2).length
    const fromMiddle = log.read({ fetchOffset: 3n, maxOffset: 10n, maxBytes: batchSize * 2, minOneMessage: true })
    assert.deepEqual(batchRangesOf(fromMiddle.chunks), [
      [2n, 3n],
      [4n, 5n],
    ])
    assert.equal(fromMiddle.byteLength, batchSize * 2)
    const belowHighWatermark = log.read({ fetchOffset: 0n, maxOffset: 5n, maxBytes: 1 << 20, minOneMessage: true })
    assert.deepEqual(batchRangesOf(belowHighWatermark.chunks), [
      [0n, 1n],
      [2n, 3n],
    ])
    const tooSmall = { fetchOffset: 0n, maxOffset: 10n, maxBytes: batchSize - 1 }
    assert.equal(log.read({ ...tooSmall, minOneMessage: false }).byteLength, 0)
    assert.deepEqual(batchRangesOf(log.read({ ...tooSmall, minOneMessage: true }).chunks), [[0n, 1n]])
  })
})

describe('UnifiedLog segments and indexes', () => {
  test('rolls at segment.bytes into files named by their 20-digit base offset', () => {
    const batchSize = batchOfValues(2).length
    const { log, fs } = openLog({ segmentBytes: batchSize * 3 })
    for (let i = 0; i < 7; i++) log.append(batchOfValues(2), LEADER)
    assert.deepEqual(
      log.segments.map((s) => s.baseOffset),
      [0n, 6n, 12n],
    )
    assert.deepEqual(
      fs.list(DIR).filter((n) => n.endsWith('.log')),
      ['00000000000000000000.log', '00000000000000000006.log', '00000000000000000012.log'],
    )
    assert.ok(fs.list(DIR).includes('00000000000000000006.index'))
    assert.ok(fs.list(DIR).includes('00000000000000000006.timeindex'))
    assert.deepEqual(
      recordsOf(readAll(log).chunks).map((r) => r.offset),
      Array.from({ length: 14 }, (_, i) => BigInt(i)),
    )
    // One read stays within one segment, as in Kafka.
    const read = log.read({ fetchOffset: 7n, maxOffset: 14n, maxBytes: 1 << 20, minOneMessage: true })
    assert.deepEqual(batchRangesOf(read.chunks), [
      [6n, 7n],
      [8n, 9n],
      [10n, 11n],
    ])
  })

  test('writes sparse index entries every index.interval.bytes and finds offsets through them', async () => {
    const batchSize = batchOfValues(3).length
    const { log, fs } = openLog({ indexIntervalBytes: batchSize * 2 })
    for (let i = 0; i < 10; i++) log.append(batchOfValues(3), LEADER)
    await log.flush()
    const index = fs.readFile(`${DIR}/00000000000000000000.index`)
    // An entry whenever more than two batches went by since the last one: batches 3, 6 and 9 (0-based).
    const entries = []
    for (let at = 0; at < index.length; at += 8) entries.push([index.readInt32BE(at), index.readInt32BE(at + 4)])
    assert.deepEqual(entries, [
      [11, batchSize * 3],
      [20, batchSize * 6],
      [29, batchSize * 9],
    ])
    const segment = log.activeSegment
    assert.deepEqual(segment.offsetIndex.lookup(25n), { offset: 20n, position: batchSize * 6 })
    assert.deepEqual(segment.translateOffset(25n), {
      position: batchSize * 8,
      size: batchSize,
      baseOffset: 24n,
      lastOffset: 26n,
    })
    assert.deepEqual(
      batchRangesOf(log.read({ fetchOffset: 25n, maxOffset: 30n, maxBytes: 1, minOneMessage: true }).chunks),
      [[24n, 26n]],
    )
  })

  test('finds offsets by timestamp through the time index, to the record', async () => {
    const batchSize = batchOf([{ value: 'a' }, { value: 'b' }]).length
    const { log, fs } = openLog({ indexIntervalBytes: batchSize })
    for (let i = 0; i < 6; i++) {
      log.append(
        batchOf([
          { value: 'a', timestamp: 1000 + i * 100 },
          { value: 'b', timestamp: 1050 + i * 100 },
        ]),
        LEADER,
      )
    }
    await log.flush()
    assert.ok(fs.readFile(`${DIR}/00000000000000000000.timeindex`).length >= 12)
    assert.deepEqual(log.offsetForTimestamp(1320n), { offset: 7n, timestamp: 1350n, leaderEpoch: 0 })
    assert.deepEqual(log.offsetForTimestamp(1300n), { offset: 6n, timestamp: 1300n, leaderEpoch: 0 })
    assert.deepEqual(log.offsetForTimestamp(0n), { offset: 0n, timestamp: 1000n, leaderEpoch: 0 })
    assert.equal(log.offsetForTimestamp(1551n), null)
    assert.deepEqual(log.offsetOfMaxTimestamp(), { offset: 11n, timestamp: 1550n, leaderEpoch: 0 })
  })

  test('offsetOfMaxTimestamp returns the first record carrying the largest timestamp', () => {
    const { log } = openLog()
    log.append(
      batchOf([
        { value: 'a', timestamp: 10 },
        { value: 'b', timestamp: 90 },
        { value: 'c', timestamp: 90 },
      ]),
      LEADER,
    )
    log.append(batchOf([{ value: 'd', timestamp: 50 }]), LEADER)
    assert.deepEqual(log.offsetOfMaxTimestamp(), { offset: 1n, timestamp: 90n, leaderEpoch: 0 })
  })

  test('rolls at segment.ms, measured from the first batch timestamp as Kafka does', () => {
    const { log } = openLog({ segmentMs: 1000 })
    log.append(batchOf([{ value: 'a', timestamp: 10_000 }]), LEADER)
    log.append(batchOf([{ value: 'b', timestamp: 10_900 }]), LEADER)
    assert.equal(log.segments.length, 1)
    log.append(batchOf([{ value: 'c', timestamp: 11_001 }]), LEADER)
    assert.deepEqual(
      log.segments.map((s) => s.baseOffset),
      [0n, 2n],
    )
  })

  test('rolls when the offset index is full (segment.index.bytes)', () => {
    // 24 bytes: three offset entries, two time entries (equal timestamps only ever add one).
    const { log } = openLog({ indexIntervalBytes: 0, segmentIndexBytes: 24 })
    for (let i = 0; i < 5; i++) log.append(batchOfValues(1), LEADER)
    // Entries for batches 1 to 3 fill the offset index, so batch 4 starts a new segment.
    assert.deepEqual(
      log.segments.map((s) => s.baseOffset),
      [0n, 4n],
    )
  })
})

describe('UnifiedLog replication support', () => {
  test('follower appends keep the leader offsets and epochs, and must continue the log', () => {
    const { log } = openLog()
    log.append(batchOfValues(2, { baseOffset: 0n, partitionLeaderEpoch: 4 }), { leaderEpoch: 9, assignOffsets: false })
    // A gap (compaction on the leader) is fine; going backwards is not.
    log.append(batchOfValues(2, { baseOffset: 5n, partitionLeaderEpoch: 5 }), { leaderEpoch: 9, assignOffsets: false })
    assert.equal(log.logEndOffset, 7n)
    assert.throws(
      () => log.append(batchOfValues(1, { baseOffset: 6n }), { leaderEpoch: 9, assignOffsets: false }),
      UnexpectedAppendOffsetError,
    )
    const views = splitBatches(readAll(log).chunks[0] as Buffer).batches
    assert.deepEqual(
      views.map((v) => [v.baseOffset, v.partitionLeaderEpoch]),
      [
        [0n, 4],
        [5n, 5],
      ],
    )
    assert.deepEqual(log.endOffsetForEpoch(4), { leaderEpoch: 4, endOffset: 5n })
    assert.deepEqual(log.endOffsetForEpoch(5), { leaderEpoch: 5, endOffset: 7n })
  })

  test('leader epochs go to leader-epoch-checkpoint and answer OffsetForLeaderEpoch', () => {
    const { log, fs } = openLog()
    log.append(batchOfValues(3), { leaderEpoch: 1, assignOffsets: true })
    log.append(batchOfValues(3), { leaderEpoch: 1, assignOffsets: true })
    log.append(batchOfValues(2), { leaderEpoch: 3, assignOffsets: true })
    assert.equal(fs.readFile(`${DIR}/leader-epoch-checkpoint`).toString(), '0\n2\n1 0\n3 6\n')
    assert.deepEqual(log.endOffsetForEpoch(1), { leaderEpoch: 1, endOffset: 6n })
    assert.deepEqual(log.endOffsetForEpoch(2), { leaderEpoch: 1, endOffset: 6n })
    assert.deepEqual(log.endOffsetForEpoch(3), { leaderEpoch: 3, endOffset: 8n })
    assert.deepEqual(log.endOffsetForEpoch(0), { leaderEpoch: 0, endOffset: 0n })
    assert.equal(log.endOffsetForEpoch(4), null)
  })

  test('truncateTo drops whole batches from the offset on, across segments, and the epochs with them', () => {
    const batchSize = batchOfValues(2).length
    const { log, fs } = openLog({ segmentBytes: batchSize * 2 })
    for (let i = 0; i < 3; i++) log.append(batchOfValues(2), { leaderEpoch: 1, assignOffsets: true })
    for (let i = 0; i < 3; i++) log.append(batchOfValues(2), { leaderEpoch: 2, assignOffsets: true })
    log.highWatermark = 12n
    assert.equal(log.highWatermark, 12n)
    log.truncateTo(5n)
    assert.equal(log.logEndOffset, 4n)
    assert.equal(log.highWatermark, 4n)
    assert.deepEqual(
      log.segments.map((s) => s.baseOffset),
      [0n, 4n],
    )
    assert.ok(fs.list(DIR).includes('00000000000000000008.log.deleted'))
    assert.deepEqual(log.endOffsetForEpoch(1), { leaderEpoch: 1, endOffset: 4n })
    assert.equal(log.endOffsetForEpoch(2), null)
    log.append(batchOfValues(1), { leaderEpoch: 3, assignOffsets: true })
    assert.deepEqual(
      recordsOf(readAll(log).chunks).map((r) => r.offset),
      [0n, 1n, 2n, 3n, 4n],
    )
  })

  test('truncateFullyAndStartAt empties the log and restarts it at the offset', () => {
    const { log } = openLog()
    log.append(batchOfValues(5), LEADER)
    log.truncateFullyAndStartAt(100n)
    assert.deepEqual([log.logStartOffset, log.logEndOffset, log.highWatermark], [100n, 100n, 100n])
    assert.equal(log.append(batchOfValues(1), LEADER).firstOffset, 100n)
    assert.deepEqual(
      log.segments.map((s) => s.baseOffset),
      [100n],
    )
  })
})

describe('UnifiedLog flush policy', () => {
  const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))
  const LOG_FILE = `${DIR}/00000000000000000000.log`

  test('by default nothing is fsynced until asked (the page cache is trusted, as in Kafka)', async () => {
    const { log, fs } = openLog()
    log.append(batchOfValues(5), LEADER)
    await settle()
    assert.ok(fs.unsyncedBytes(LOG_FILE) > 0)
    assert.equal(log.recoveryPoint, 0n)
    await log.flush()
    assert.equal(fs.unsyncedBytes(LOG_FILE), 0)
    assert.equal(log.recoveryPoint, 5n)
  })

  test('flush.messages fsyncs once that many records are unflushed', async () => {
    const { log, fs } = openLog({ flushMessages: 4 })
    log.append(batchOfValues(3), LEADER)
    await settle()
    assert.ok(fs.unsyncedBytes(LOG_FILE) > 0)
    log.append(batchOfValues(1), LEADER)
    await settle()
    assert.equal(fs.unsyncedBytes(LOG_FILE), 0)
    assert.equal(log.recoveryPoint, 4n)
  })

  test('flush.ms fsyncs that long after the first unflushed append', async () => {
    const { log, fs, clock } = openLog({ flushMs: 1000 })
    log.append(batchOfValues(1), LEADER)
    clock.advance(600)
    log.append(batchOfValues(1), LEADER)
    clock.advance(399)
    await settle()
    assert.ok(fs.unsyncedBytes(LOG_FILE) > 0)
    clock.advance(1)
    await settle()
    assert.equal(fs.unsyncedBytes(LOG_FILE), 0)
    assert.equal(log.recoveryPoint, 2n)
  })

  test('a roll flushes the segment it leaves in the background, moving the recovery point', async () => {
    const { log, fs } = openLog({ segmentBytes: batchOfValues(1).length })
    log.append(batchOfValues(1), LEADER)
    log.append(batchOfValues(1), LEADER)
    await settle()
    assert.equal(fs.unsyncedBytes(LOG_FILE), 0)
    assert.equal(log.recoveryPoint, 2n)
  })
})

test('batchHeaders lists every batch header from an offset on, across segments', () => {
  const { log } = openLog({ segmentBytes: batchOfValues(2).length * 2 })
  for (let i = 0; i < 5; i++) {
    log.append(batchOfValues(2, { producerId: 7n, producerEpoch: 1, baseSequence: i * 2 }), LEADER)
  }
  const headers = [...log.batchHeaders(3n)]
  assert.deepEqual(
    headers.map((h) => [h.baseOffset, h.lastOffset, h.producerId, h.baseSequence, h.recordsCount]),
    [
      [2n, 3n, 7n, 2, 2],
      [4n, 5n, 7n, 4, 2],
      [6n, 7n, 7n, 6, 2],
      [8n, 9n, 7n, 8, 2],
    ],
  )
  assert.equal([...log.batchHeaders(0n)].length, 5)
  assert.equal([...log.batchHeaders(10n)].length, 0)
})
