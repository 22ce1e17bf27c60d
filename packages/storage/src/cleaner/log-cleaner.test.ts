import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { Compression, RecordBatchView, splitBatches } from '@samsa/protocol'
import type { LogConfig } from '../api.ts'
import { MemoryFileSystem } from '../fs/memory-file-system.ts'
import { logConfig } from '../log-config.ts'
import { UnifiedLog } from '../log/unified-log.ts'
import { batchOf, recordsOf, type TestRecord } from '../testing/batches.ts'
import { ManualClock } from '../testing/manual-clock.ts'
import { LogCleaner } from './log-cleaner.ts'

const DIR = '/logs/profiles-0'
const DAY = 86_400_000

function setup(overrides: Partial<LogConfig> = {}) {
  const fs = new MemoryFileSystem()
  const clock = new ManualClock(1_000 * DAY)
  const warnings: string[] = []
  const config = logConfig({ cleanupPolicy: ['compact'], minCleanableDirtyRatio: 0.5, ...overrides })
  const log = UnifiedLog.open({ topic: 'profiles', partition: 0, dir: DIR, fs, clock, config })
  const cleaner = new LogCleaner({ fs, clock, warn: (w) => warnings.push(w) })
  return { fs, clock, log, cleaner, warnings }
}

/** Appends one batch per call (records stamped with the clock) and ends the segment unless told otherwise. */
function put(
  log: UnifiedLog,
  clock: ManualClock,
  records: TestRecord[],
  options: { roll?: boolean; producerId?: bigint } = {},
): void {
  const stamped = records.map((r) => ({ timestamp: clock.now(), ...r }))
  log.append(
    batchOf(
      stamped,
      options.producerId === undefined ? {} : { producerId: options.producerId, producerEpoch: 0, baseSequence: 0 },
    ),
    { leaderEpoch: 0, assignOffsets: true },
  )
  if (options.roll ?? true) log.roll()
  log.highWatermark = log.logEndOffset
}

/** Every batch of the log, each as its views' header facts and its records. */
function contents(log: UnifiedLog) {
  const batches = []
  for (const segment of log.segments) {
    for (const { view } of segment.scan()) {
      if (view === null) break
      const copy = new RecordBatchView(Buffer.from(view.bytes))
      batches.push({ view: copy, records: recordsOf([copy.bytes]) })
    }
  }
  return batches
}

const keyValues = (log: UnifiedLog) =>
  contents(log).flatMap((b) => b.records.map((r) => `${r.offset}:${r.key}=${r.value ?? '∅'}`))

describe('LogCleaner', () => {
  test('keeps the latest record per key, with its offset, and never touches the active segment', async () => {
    const { log, clock, cleaner } = setup()
    put(log, clock, [
      { key: 'k1', value: 'a' },
      { key: 'k2', value: 'b' },
    ])
    put(log, clock, [
      { key: 'k1', value: 'c' },
      { key: 'k3', value: 'd' },
    ])
    put(log, clock, [{ key: 'k2', value: null }])
    put(log, clock, [{ key: 'k3', value: 'e' }], { roll: false })
    assert.equal(await cleaner.cleanDirtiestLog([log]), true)
    // k1=a and k2=b are superseded; k3=d is superseded only by the active segment, which does not count.
    assert.deepEqual(keyValues(log), ['2:k1=c', '3:k3=d', '4:k2=∅', '5:k3=e'])
    assert.deepEqual(
      log.segments.map((s) => s.baseOffset),
      [0n, 5n],
      'the three cleaned segments merged into one',
    )
    assert.equal(cleaner.firstDirtyOffset(log), 5n)
    for (const { view } of contents(log)) assert.equal(view.problem(), null)
    // Reads and offsets work as before.
    const read = log.read({ fetchOffset: 1n, maxOffset: 6n, maxBytes: 1 << 20, minOneMessage: true })
    assert.deepEqual(
      recordsOf(read.chunks).map((r) => r.offset),
      [2n, 3n, 4n],
    )
  })

  test('rewritten batches keep baseOffset, lastOffsetDelta, producer fields and codec, with a new CRC', async () => {
    const { log, clock, cleaner } = setup()
    log.append(
      batchOf(
        [
          { key: 'a', value: '1' },
          { key: 'b', value: '2' },
          { key: 'c', value: '3' },
        ],
        { producerId: 42n, producerEpoch: 3, baseSequence: 10, compression: Compression.GZIP },
      ),
      { leaderEpoch: 7, assignOffsets: true },
    )
    log.roll()
    put(log, clock, [{ key: 'c', value: '4' }])
    put(log, clock, [{ key: 'z', value: 'active' }], { roll: false })
    await cleaner.cleanDirtiestLog([log])
    const [first] = contents(log)
    assert.ok(first)
    const view = first.view
    assert.deepEqual(
      [view.baseOffset, view.lastOffsetDelta, view.recordsCount, view.producerId, view.producerEpoch],
      [0n, 2, 2, 42n, 3],
    )
    assert.deepEqual([view.baseSequence, view.partitionLeaderEpoch, view.compression], [10, 7, Compression.GZIP])
    assert.equal(view.problem(), null)
    assert.deepEqual(
      first.records.map((r) => `${r.offset}:${r.key}`),
      ['0:a', '1:b'],
    )
  })

  test("an emptied batch stays, as an empty batch, only when it is its producer's last", async () => {
    const { log, clock, cleaner } = setup()
    put(log, clock, [{ key: 'k', value: 'a' }], { producerId: 5n })
    put(log, clock, [{ key: 'k', value: 'b' }], { producerId: 5n })
    put(log, clock, [{ key: 'k', value: 'c' }], { producerId: 9n })
    put(log, clock, [{ key: 'x', value: 'active' }], { roll: false })
    await cleaner.cleanDirtiestLog([log])
    const batches = contents(log)
    assert.deepEqual(
      batches.map((b) => [b.view.baseOffset, b.view.producerId, b.view.recordsCount]),
      [
        [1n, 5n, 0],
        [2n, 9n, 1],
        [3n, -1n, 1],
      ],
    )
    assert.equal(batches[0]?.view.problem(), null)
    assert.equal(batches[0]?.view.lastOffsetDelta, 0)
  })

  test('keeps tombstones until delete.retention.ms after they were first cleaned, then drops them', async () => {
    const { log, clock, cleaner } = setup({ deleteRetentionMs: DAY })
    put(log, clock, [{ key: 'gone', value: 'v' }])
    put(log, clock, [
      { key: 'gone', value: null },
      { key: 'kept', value: 'v' },
    ])
    put(log, clock, [{ key: 'other', value: 'active' }], { roll: false })
    const createdAt = clock.now()
    await cleaner.cleanDirtiestLog([log])
    assert.deepEqual(keyValues(log), ['1:gone=∅', '2:kept=v', '3:other=active'])
    const withTombstone = contents(log)[0]?.view
    assert.ok(withTombstone?.hasDeleteHorizonMs)
    assert.equal(withTombstone.baseTimestamp, BigInt(createdAt + DAY))
    assert.deepEqual(
      contents(log)[0]?.records.map((r) => r.timestamp),
      [BigInt(createdAt), BigInt(createdAt)],
      'record timestamps survive the horizon in baseTimestamp',
    )
    clock.advance(DAY - 1)
    assert.equal(await cleaner.cleanDirtiestLog([log]), false, 'nothing dirty and the horizon not reached')
    clock.advance(1)
    assert.equal(await cleaner.cleanDirtiestLog([log]), true, 'the passed horizon alone makes the log due')
    assert.deepEqual(keyValues(log), ['2:kept=v', '3:other=active'])
    assert.equal(contents(log)[0]?.view.hasDeleteHorizonMs, false)
  })

  test('honours min.cleanable.dirty.ratio', async () => {
    const { log, clock, cleaner } = setup({ minCleanableDirtyRatio: 0.5 })
    for (let i = 0; i < 4; i++) put(log, clock, [{ key: `k${i}`, value: 'x'.repeat(100) }])
    put(log, clock, [{ key: 'active', value: '' }], { roll: false })
    assert.equal(await cleaner.cleanDirtiestLog([log]), true)
    // One new dirty segment against four clean ones of the same size: ratio 0.2.
    log.truncateTo(log.activeSegment.baseOffset)
    put(log, clock, [{ key: 'k0', value: 'y'.repeat(100) }])
    put(log, clock, [{ key: 'active', value: '' }], { roll: false })
    const plan = cleaner.plan(log)
    assert.ok(plan)
    assert.equal(plan.dirtyRatio.toFixed(2), '0.20')
    assert.equal(await cleaner.cleanDirtiestLog([log]), false)
    log.config = { ...log.config, minCleanableDirtyRatio: 0.1 }
    assert.equal(await cleaner.cleanDirtiestLog([log]), true)
    assert.deepEqual(
      keyValues(log).map((kv) => kv.split(':')[1]),
      ['k1=' + 'x'.repeat(100), 'k2=' + 'x'.repeat(100), 'k3=' + 'x'.repeat(100), 'k0=' + 'y'.repeat(100), 'active='],
    )
  })

  test('min.compaction.lag.ms keeps young segments out of cleaning', async () => {
    const { log, clock, cleaner } = setup({ minCompactionLagMs: 60_000, minCleanableDirtyRatio: 0 })
    put(log, clock, [{ key: 'k', value: 'old' }])
    clock.advance(70_000)
    put(log, clock, [{ key: 'k', value: 'young' }])
    put(log, clock, [{ key: 'x', value: 'active' }], { roll: false })
    assert.equal(await cleaner.cleanDirtiestLog([log]), true)
    assert.deepEqual(keyValues(log), ['0:k=old', '1:k=young', '2:x=active'], 'only the old segment was cleanable')
    clock.advance(59_999)
    assert.equal(await cleaner.cleanDirtiestLog([log]), false, 'k=young is still younger than the lag')
    clock.advance(1)
    assert.equal(await cleaner.cleanDirtiestLog([log]), true)
    assert.deepEqual(keyValues(log), ['1:k=young', '2:x=active'])
  })

  test('ignores logs without cleanup.policy compact and leaves data above the high watermark alone', async () => {
    const deleteOnly = setup({ cleanupPolicy: ['delete'] })
    put(deleteOnly.log, deleteOnly.clock, [{ key: 'k', value: '1' }])
    put(deleteOnly.log, deleteOnly.clock, [{ key: 'k', value: '2' }])
    assert.equal(await deleteOnly.cleaner.cleanDirtiestLog([deleteOnly.log]), false)

    const { log, clock, cleaner } = setup({ cleanupPolicy: ['delete', 'compact'], minCleanableDirtyRatio: 0 })
    put(log, clock, [{ key: 'k', value: '1' }])
    put(log, clock, [{ key: 'k', value: '2' }])
    put(log, clock, [{ key: 'k', value: '3' }], { roll: false })
    log.highWatermark = 1n
    // Only segment 0 lies below the high watermark; k=2 above it must not count as superseding k=1.
    assert.equal(await cleaner.cleanDirtiestLog([log]), true)
    assert.deepEqual(keyValues(log), ['0:k=1', '1:k=2', '2:k=3'])
    log.highWatermark = 3n
    assert.equal(await cleaner.cleanDirtiestLog([log]), true)
    assert.deepEqual(keyValues(log), ['1:k=2', '2:k=3'])
  })

  test('a swap interrupted by a crash is completed at start-up', async () => {
    const { fs, log, clock, cleaner } = setup()
    put(log, clock, [{ key: 'k', value: '1' }])
    put(log, clock, [
      { key: 'k', value: '2' },
      { key: 'j', value: '1' },
    ])
    put(log, clock, [{ key: 'x', value: 'active' }], { roll: false })
    const originals = ['00000000000000000000.log', '00000000000000000001.log'].map((name) => ({
      name,
      bytes: fs.readFile(`${DIR}/${name}`),
    }))
    await cleaner.cleanDirtiestLog([log])
    await log.close()
    const cleaned = fs.readFile(`${DIR}/00000000000000000000.log`)
    // What a crash right after the commit point leaves: the complete swap file beside the old segments.
    const crashed = fs.crash()
    for (const { name, bytes } of originals) crashed.writeFile(`${DIR}/${name}`, bytes)
    crashed.writeFile(`${DIR}/00000000000000000000.log.swap`, cleaned)
    const warnings: string[] = []
    const reopened = UnifiedLog.open({
      topic: 'profiles',
      partition: 0,
      dir: DIR,
      fs: crashed,
      clock,
      config: log.config,
      recoveryPoint: 3n,
      warn: (w) => warnings.push(w),
    })
    assert.deepEqual(keyValues(reopened), ['1:k=2', '2:j=1', '3:x=active'])
    assert.match(warnings.join('\n'), /completed the interrupted replacement/)
    assert.deepEqual(
      crashed.list(DIR).filter((n) => n.endsWith('.log') || n.endsWith('.swap')),
      ['00000000000000000000.log', '00000000000000000003.log'],
    )
  })
})

test('splitBatches sees the cleaned log as well-formed batches', async () => {
  const { log, clock, cleaner } = setup()
  for (let i = 0; i < 20; i++) put(log, clock, [{ key: `k${i % 3}`, value: `${i}` }], { roll: i % 4 === 3 })
  put(log, clock, [{ key: 'x', value: 'active' }], { roll: false })
  await cleaner.cleanDirtiestLog([log])
  for (const segment of log.segments) {
    const bytes = segment.readBytes(0, segment.size)
    const set = splitBatches(bytes)
    assert.equal(set.partialBytes, 0)
    for (const view of set) assert.equal(view.problem(), null)
  }
  assert.deepEqual(keyValues(log), ['17:k2=17', '18:k0=18', '19:k1=19', '20:x=active'])
})
