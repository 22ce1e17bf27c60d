import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { BatchHeader, ProducerStateEntry } from '../api.ts'
import { MemoryFileSystem } from '../fs/memory-file-system.ts'
import { logConfig } from '../log-config.ts'
import { UnifiedLog } from '../log/unified-log.ts'
import { openLogManager } from '../manager/log-manager.ts'
import { batchOfValues } from '../testing/batches.ts'
import { ManualClock } from '../testing/manual-clock.ts'
import {
  CorruptSnapshotError,
  decodeProducerSnapshot,
  decrementSequence,
  encodeProducerSnapshot,
  incrementSequence,
} from './producer-snapshot.ts'
import { NUM_BATCHES_TO_RETAIN, ProducerStateManager } from './producer-state-manager.ts'

const DIR = '/data/orders-0'
const LEADER = { leaderEpoch: 0, assignOffsets: true } as const
/** ManualClock's start: batches written "now", so producer.id.expiration.ms does not remove them on reopening. */
const NOW = 1_700_000_000_000

function header(producerId: bigint, epoch: number, baseSequence: number, baseOffset: bigint, count = 1): BatchHeader {
  return {
    baseOffset,
    lastOffset: baseOffset + BigInt(count - 1),
    partitionLeaderEpoch: 0,
    maxTimestamp: 1000n,
    producerId,
    producerEpoch: epoch,
    baseSequence,
    isTransactional: false,
    isControlBatch: false,
    recordsCount: count,
  }
}

function idempotent(producerId: bigint, epoch: number, baseSequence: number, count = 1): Buffer {
  return batchOfValues(count, { producerId, producerEpoch: epoch, baseSequence, timestamp: NOW })
}

function openLog(fs: MemoryFileSystem, clock = new ManualClock(), segmentBytes = 1 << 20) {
  return UnifiedLog.open({
    topic: 'orders',
    partition: 0,
    dir: DIR,
    fs,
    clock,
    config: logConfig({ segmentBytes }),
    onBackgroundError: () => {},
  })
}

function sequences(entry: ProducerStateEntry | undefined): [number, number][] {
  return (entry?.batches ?? []).map((b) => [b.firstSeq, b.lastSeq])
}

describe('ProducerStateManager', () => {
  test('keeps the last five batches of the current epoch; a new epoch forgets the old ones', () => {
    const state = new ProducerStateManager(new MemoryFileSystem(), DIR)
    for (let i = 0; i < 7; i++) state.update(header(7n, 0, i * 2, BigInt(i * 2), 2))
    const entry = state.get(7n)
    assert.equal(entry?.batches.length, NUM_BATCHES_TO_RETAIN)
    assert.deepEqual(sequences(entry)[0], [4, 5])
    assert.deepEqual(sequences(entry).at(-1), [12, 13])
    state.update(header(7n, 1, 0, 14n))
    assert.equal(state.get(7n)?.producerEpoch, 1)
    assert.deepEqual(sequences(state.get(7n)), [[0, 0]])
    assert.equal(state.mapEndOffset, 15n)
  })

  test('sequences wrap from Int32 max to 0', () => {
    assert.equal(incrementSequence(0x7fffffff, 1), 0)
    assert.equal(incrementSequence(0x7ffffffe, 3), 1)
    assert.equal(decrementSequence(1, 3), 0x7ffffffe)
    const state = new ProducerStateManager(new MemoryFileSystem(), DIR)
    state.update(header(1n, 0, 0x7ffffffe, 0n, 4))
    assert.deepEqual(sequences(state.get(1n)), [[0x7ffffffe, 1]])
  })

  test('producers expire producer.id.expiration.ms after their last write, unless in a transaction', () => {
    const state = new ProducerStateManager(new MemoryFileSystem(), DIR, 60_000)
    state.update(header(1n, 0, 0, 0n))
    state.update({ ...header(2n, 0, 0, 1n), isTransactional: true })
    assert.equal(state.removeExpiredProducers(1000 + 59_999), 0)
    assert.equal(state.removeExpiredProducers(1000 + 60_000), 1)
    assert.equal(state.get(1n), undefined)
    assert.equal(state.get(2n)?.currentTxnFirstOffset, 1n)
  })

  test("snapshots round-trip in Kafka's format and a flipped bit is caught by the CRC", () => {
    const state = new ProducerStateManager(new MemoryFileSystem(), DIR)
    state.update(header(5n, 3, 0, 10n, 4))
    state.update(header(5n, 3, 4, 20n, 2))
    state.update(header(9n, 0, 0, 30n))
    const bytes = encodeProducerSnapshot(state.activeProducers())
    assert.equal(bytes.readInt16BE(0), 1)
    assert.equal(bytes.length, 2 + 4 + 4 + 2 * 46)
    const entries = decodeProducerSnapshot(bytes)
    assert.deepEqual(
      entries.map((e) => [e.producerId, e.producerEpoch, sequences(e)]),
      [
        [5n, 3, [[4, 5]]],
        [9n, 0, [[0, 0]]],
      ],
    )
    assert.equal(entries[0]?.batches[0]?.firstOffset, 20n)
    bytes.writeUInt8(bytes.readUInt8(bytes.length - 1) ^ 1, bytes.length - 1)
    assert.throws(() => decodeProducerSnapshot(bytes), CorruptSnapshotError)
  })
})

describe('producer state in the log', () => {
  test('every append updates it; a roll writes <offset>.snapshot; retention deletes it with its segment', () => {
    const fs = new MemoryFileSystem()
    const batchBytes = idempotent(1n, 0, 0, 2).length
    const log = openLog(fs, new ManualClock(), batchBytes * 2)
    for (let i = 0; i < 5; i++) log.append(idempotent(1n, 0, i * 2, 2), LEADER)
    assert.deepEqual(sequences(log.producerState.get(1n)).at(-1), [8, 9])
    assert.deepEqual(
      fs.list(DIR).filter((n) => n.endsWith('.snapshot')),
      ['00000000000000000004.snapshot', '00000000000000000008.snapshot'],
    )
    log.highWatermark = log.logEndOffset
    log.deleteRecordsBefore(8n)
    assert.deepEqual(
      fs.list(DIR).filter((n) => n.endsWith('.snapshot')),
      ['00000000000000000008.snapshot'],
    )
  })

  test('a clean restart loads the snapshot written on close', async () => {
    const fs = new MemoryFileSystem()
    const log = openLog(fs)
    log.append(idempotent(1n, 0, 0, 3), LEADER)
    log.append(idempotent(2n, 4, 10, 1), LEADER)
    await log.close()
    assert.ok(fs.exists(`${DIR}/00000000000000000004.snapshot`))
    const reopened = openLog(fs)
    assert.deepEqual(sequences(reopened.producerState.get(1n)), [[0, 2]])
    assert.equal(reopened.producerState.get(2n)?.producerEpoch, 4)
    assert.equal(reopened.producerState.get(2n)?.batches[0]?.firstOffset, 3n)
  })

  test('after a crash the state is the last snapshot plus the batches the crash left', async () => {
    const fs = new MemoryFileSystem()
    const batchBytes = idempotent(1n, 0, 0, 2).length
    const log = openLog(fs, new ManualClock(), batchBytes * 2)
    for (let i = 0; i < 3; i++) log.append(idempotent(1n, 0, i * 2, 2), LEADER) // roll at 4: snapshot
    await log.flush()
    log.append(idempotent(1n, 0, 6, 2), LEADER) // unsynced: lost by the crash below
    const crashed = fs.crash()
    // The flush moved the recovery point to 4: only the segment from 4 is recovered, and replayed from its snapshot.
    const recovered = UnifiedLog.open({
      topic: 'orders',
      partition: 0,
      dir: DIR,
      fs: crashed,
      clock: new ManualClock(),
      config: logConfig({ segmentBytes: batchBytes * 2 }),
      recoveryPoint: 4n,
    })
    assert.equal(recovered.logEndOffset, 6n)
    // The snapshot at 4 holds [2, 3]; the replay of offsets 4-5 adds [4, 5]; the lost [6, 7] is not there.
    assert.deepEqual(sequences(recovered.producerState.get(1n)), [
      [2, 3],
      [4, 5],
    ])
  })

  test('a snapshot beyond the log end (records a crash took) is deleted; truncation rebuilds the state', () => {
    const fs = new MemoryFileSystem()
    const log = openLog(fs)
    log.append(idempotent(1n, 0, 0, 2), LEADER)
    log.append(idempotent(1n, 0, 2, 2), LEADER)
    log.roll()
    log.append(idempotent(1n, 0, 4, 2), LEADER)
    assert.ok(fs.exists(`${DIR}/00000000000000000004.snapshot`))
    log.truncateTo(2n)
    assert.ok(!fs.exists(`${DIR}/00000000000000000004.snapshot`))
    assert.deepEqual(sequences(log.producerState.get(1n)), [[0, 1]])
    assert.equal(log.producerState.mapEndOffset, 2n)
  })

  test('a corrupt snapshot is dropped with a warning and the state rebuilt from the log', async () => {
    const fs = new MemoryFileSystem()
    const log = openLog(fs)
    log.append(idempotent(1n, 0, 0, 2), LEADER)
    await log.close()
    const path = `${DIR}/00000000000000000002.snapshot`
    const bytes = fs.readFile(path)
    bytes.writeUInt8(bytes.readUInt8(bytes.length - 1) ^ 1, bytes.length - 1)
    fs.writeFile(path, bytes)
    const warnings: string[] = []
    const reopened = UnifiedLog.open({
      topic: 'orders',
      partition: 0,
      dir: DIR,
      fs,
      clock: new ManualClock(),
      config: logConfig(),
      warn: (m) => warnings.push(m),
      // Without it the segment is recovered, and that replays it from the start without reading the snapshot.
      hadCleanShutdown: true,
    })
    assert.deepEqual(sequences(reopened.producerState.get(1n)), [[0, 1]])
    assert.match(warnings.join('\n'), /deleting producer snapshot 00000000000000000002.snapshot/)
    assert.ok(!fs.exists(path))
  })

  test('the log manager forgets idle producers every producer.id.expiration.check.interval.ms', async () => {
    const clock = new ManualClock(NOW)
    const manager = await openLogManager({
      logDirs: ['/kafka/logs'],
      fs: new MemoryFileSystem(),
      clock,
      nodeId: 1,
      clusterId: 'MkU3OEVBNTcwNTJENDM2Qg',
      producerIdExpirationMs: 60_000,
      producerIdExpirationCheckIntervalMs: 10_000,
      logCleanerEnable: false,
    })
    const log = manager.getOrCreateLog({ topic: 'orders', partition: 0, topicId: 'vHd5NCxVQLmFAd5kMKoI1A' })
    log.append(idempotent(1n, 0, 0), LEADER)
    // Each run re-arms the timer once its (asynchronous) task settles.
    const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))
    clock.advance(50_000)
    await settle()
    assert.ok(log.producerState.get(1n) !== undefined)
    clock.advance(10_000)
    await settle()
    assert.equal(log.producerState.get(1n), undefined)
    await manager.close()
  })
})
