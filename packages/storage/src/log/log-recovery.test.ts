import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { LogConfig } from '../api.ts'
import { MemoryFileSystem } from '../fs/memory-file-system.ts'
import { logConfig } from '../log-config.ts'
import { batchOfValues, batchRangesOf, recordsOf } from '../testing/batches.ts'
import { ManualClock } from '../testing/manual-clock.ts'
import { UnifiedLog, type OpenLogOptions } from './unified-log.ts'

const DIR = '/data/events-3'
const LEADER = { leaderEpoch: 2, assignOffsets: true } as const
const BATCH_SIZE = batchOfValues(2).length

function open(fs: MemoryFileSystem, overrides: Partial<LogConfig> = {}, extra: Partial<OpenLogOptions> = {}) {
  const warnings: string[] = []
  const log = UnifiedLog.open({
    topic: 'events',
    partition: 3,
    dir: DIR,
    fs,
    clock: new ManualClock(),
    config: logConfig({ indexIntervalBytes: BATCH_SIZE - 1, ...overrides }),
    warn: (message) => warnings.push(message),
    // Flushes that a roll started may still be running when a test crashes the file system under them.
    onBackgroundError: () => {},
    ...extra,
  })
  return { log, warnings }
}

function offsetsIn(log: UnifiedLog): bigint[] {
  const offsets: bigint[] = []
  let next = log.logStartOffset
  while (next < log.logEndOffset) {
    const read = log.read({ fetchOffset: next, maxOffset: log.logEndOffset, maxBytes: 1 << 20, minOneMessage: true })
    if (read.byteLength === 0) break
    offsets.push(...recordsOf(read.chunks).map((r) => r.offset))
    next = (batchRangesOf(read.chunks).at(-1) as [bigint, bigint])[1] + 1n
  }
  return offsets
}

const range = (from: number, to: number): bigint[] => Array.from({ length: to - from }, (_, i) => BigInt(from + i))

describe('recovery after a crash (memory file system)', () => {
  test('keeps every flushed record, cuts the torn tail and rebuilds the indexes', async () => {
    const fs = new MemoryFileSystem()
    const { log } = open(fs)
    for (let i = 0; i < 5; i++) log.append(batchOfValues(2), LEADER)
    await log.flush()
    const recoveryPoint = log.recoveryPoint
    assert.equal(recoveryPoint, 10n)
    for (let i = 0; i < 3; i++) log.append(batchOfValues(2), LEADER)
    // Power fails: of the three unsynced batches, one and a half reach the disk.
    const afterCrash = fs.crash({
      keepUnsyncedBytes: (path) => (path.endsWith('.log') ? BATCH_SIZE + Math.floor(BATCH_SIZE / 2) : 0),
    })
    assert.equal(
      afterCrash.readFile(`${DIR}/00000000000000000000.log`).length,
      BATCH_SIZE * 6 + Math.floor(BATCH_SIZE / 2),
    )

    const { log: recovered, warnings } = open(afterCrash, {}, { recoveryPoint })
    assert.equal(recovered.logEndOffset, 12n)
    assert.deepEqual(offsetsIn(recovered), range(0, 12))
    assert.equal(afterCrash.readFile(`${DIR}/00000000000000000000.log`).length, BATCH_SIZE * 6)
    assert.match(warnings.join('\n'), /truncated \d+ bytes/)
    // The rebuilt index finds batches exactly as the original did.
    const segment = recovered.activeSegment
    assert.equal(segment.offsetIndex.count, 5)
    assert.deepEqual(segment.offsetIndex.lookup(9n), { offset: 9n, position: BATCH_SIZE * 4 })
    // The log goes on from where it was cut.
    assert.equal(recovered.append(batchOfValues(1), LEADER).firstOffset, 12n)
    // The active segment's index is written by a flush but synced only at close (recovery rebuilds it anyway).
    await recovered.flush()
    assert.equal(afterCrash.readFile(`${DIR}/00000000000000000000.index`).length, 6 * 8)
    await recovered.close()
    assert.equal(afterCrash.unsyncedBytes(`${DIR}/00000000000000000000.index`), 0)
  })

  test('a crash that loses every unsynced byte leaves exactly the flushed records', async () => {
    const fs = new MemoryFileSystem()
    const { log } = open(fs, { segmentBytes: BATCH_SIZE * 2 })
    for (let i = 0; i < 5; i++) log.append(batchOfValues(2), LEADER)
    await log.flush()
    const recoveryPoint = log.recoveryPoint
    for (let i = 0; i < 4; i++) log.append(batchOfValues(2), LEADER)
    const { log: recovered } = open(fs.crash(), { segmentBytes: BATCH_SIZE * 2 }, { recoveryPoint })
    assert.deepEqual(offsetsIn(recovered), range(0, 10))
    assert.equal(recovered.logEndOffset, 10n)
  })

  test('a corrupt batch ends the log there: later batches and segments are dropped', async () => {
    const fs = new MemoryFileSystem()
    const { log } = open(fs, { segmentBytes: BATCH_SIZE * 3 })
    for (let i = 0; i < 8; i++) log.append(batchOfValues(2), LEADER)
    await log.close()
    // Flip a byte inside the second batch of the second segment (offsets 8-9).
    const path = `${DIR}/00000000000000000006.log`
    const bytes = fs.readFile(path)
    bytes[BATCH_SIZE + 70] = (bytes[BATCH_SIZE + 70] as number) ^ 0xff
    fs.writeFile(path, bytes)
    const { log: recovered, warnings } = open(fs, { segmentBytes: BATCH_SIZE * 3 }, { recoveryPoint: 6n })
    assert.deepEqual(offsetsIn(recovered), range(0, 8))
    assert.deepEqual(
      recovered.segments.map((s) => s.baseOffset),
      [0n, 6n],
    )
    assert.ok(!fs.exists(`${DIR}/00000000000000000012.log`))
    assert.match(warnings.join('\n'), /CRC-32C mismatch/)
  })

  test('segments below the recovery point are trusted, and their missing or corrupt indexes rebuilt', async () => {
    const fs = new MemoryFileSystem()
    const { log } = open(fs, { segmentBytes: BATCH_SIZE * 3 })
    for (let i = 0; i < 9; i++) log.append(batchOfValues(2), LEADER)
    await log.close()
    fs.remove(`${DIR}/00000000000000000000.index`)
    fs.writeFile(`${DIR}/00000000000000000006.timeindex`, Buffer.from('not a time index'))
    const { log: reopened, warnings } = open(fs, { segmentBytes: BATCH_SIZE * 3 }, { recoveryPoint: 18n })
    assert.deepEqual(offsetsIn(reopened), range(0, 18))
    assert.equal(warnings.filter((w) => w.startsWith('rebuilding the indexes')).length, 2)
    await reopened.flush()
    assert.equal(fs.readFile(`${DIR}/00000000000000000000.index`).length, 16)
    assert.equal(fs.readFile(`${DIR}/00000000000000000006.timeindex`).length % 12, 0)
  })

  test('the leader epoch cache forgets epochs whose records a crash took away', async () => {
    const fs = new MemoryFileSystem()
    const { log } = open(fs)
    log.append(batchOfValues(2), { leaderEpoch: 1, assignOffsets: true })
    await log.flush()
    const recoveryPoint = log.recoveryPoint
    log.append(batchOfValues(2), { leaderEpoch: 2, assignOffsets: true })
    const { log: recovered } = open(fs.crash(), {}, { recoveryPoint })
    assert.equal(recovered.logEndOffset, 2n)
    assert.deepEqual(recovered.leaderEpochCache.entries, [{ epoch: 1, startOffset: 0n }])
    assert.deepEqual(recovered.endOffsetForEpoch(1), { leaderEpoch: 1, endOffset: 2n })
  })

  test('the leader epoch cache is rebuilt from the batches when its checkpoint is unreadable', async () => {
    const fs = new MemoryFileSystem()
    const { log } = open(fs)
    log.append(batchOfValues(2), { leaderEpoch: 1, assignOffsets: true })
    log.append(batchOfValues(2), { leaderEpoch: 4, assignOffsets: true })
    await log.close()
    fs.writeFile(`${DIR}/leader-epoch-checkpoint`, Buffer.from('0\n7\n'))
    const { log: reopened } = open(fs, {}, { recoveryPoint: 4n, hadCleanShutdown: true })
    assert.deepEqual(reopened.leaderEpochCache.entries, [
      { epoch: 1, startOffset: 0n },
      { epoch: 4, startOffset: 2n },
    ])
    assert.equal(fs.readFile(`${DIR}/leader-epoch-checkpoint`).toString(), '0\n2\n1 0\n4 2\n')
  })

  test('start-up removes leftovers: .deleted, .cleaned and checkpoint temporaries', async () => {
    const fs = new MemoryFileSystem()
    const { log } = open(fs)
    log.append(batchOfValues(2), LEADER)
    await log.close()
    for (const name of ['00000000000000000000.log.deleted', '00000000000000000000.log.cleaned', 'x.tmp']) {
      fs.writeFile(`${DIR}/${name}`, Buffer.from('junk'))
    }
    open(fs, {}, { recoveryPoint: 2n })
    assert.deepEqual(fs.list(DIR).sort(), [
      '00000000000000000000.index',
      '00000000000000000000.log',
      '00000000000000000000.timeindex',
      '00000000000000000002.snapshot', // producer state, written on close as Kafka does
      'leader-epoch-checkpoint',
    ])
  })

  test('log start offset and high watermark from checkpoints are clamped to what the log holds', async () => {
    const fs = new MemoryFileSystem()
    const { log } = open(fs)
    log.append(batchOfValues(4), LEADER)
    await log.close()
    const { log: reopened } = open(fs, {}, { recoveryPoint: 4n, logStartOffset: 2n, highWatermark: 99n })
    assert.deepEqual([reopened.logStartOffset, reopened.highWatermark], [2n, 4n])
    const beyond = open(fs, {}, { recoveryPoint: 4n, logStartOffset: 10n, highWatermark: 1n }).log
    assert.deepEqual([beyond.logStartOffset, beyond.highWatermark], [4n, 4n])
  })
})
