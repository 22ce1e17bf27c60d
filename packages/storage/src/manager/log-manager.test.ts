import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { LogConfig, PartitionLog } from '../api.ts'
import { LogDirectoryError } from '../errors.ts'
import { MemoryFileSystem } from '../fs/memory-file-system.ts'
import { logConfig } from '../log-config.ts'
import { batchOf, batchOfValues, recordsOf } from '../testing/batches.ts'
import type { UnifiedLog } from '../log/unified-log.ts'
import { ManualClock } from '../testing/manual-clock.ts'
import { openLogManager, type LogManagerOptions } from './log-manager.ts'

const TOPIC_ID = 'vHd5NCxVQLmFAd5kMKoI1A'
const LEADER = { leaderEpoch: 1, assignOffsets: true } as const

/** Lets the memory file system's asynchronous syncs (microtasks) and the tasks they unblock run. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

function options(fs: MemoryFileSystem, clock: ManualClock, extra: Partial<LogManagerOptions> = {}): LogManagerOptions {
  return {
    logDirs: ['/kafka/logs'],
    fs,
    clock,
    nodeId: 1,
    clusterId: 'MkU3OEVBNTcwNTJENDM2Qg',
    ...extra,
  }
}

function readAllValues(log: PartitionLog): Array<string | null> {
  const read = log.read({
    fetchOffset: log.logStartOffset,
    maxOffset: log.logEndOffset,
    maxBytes: 1 << 20,
    minOneMessage: true,
  })
  return recordsOf(read.chunks).map((r) => r.value)
}

describe('LogManager', () => {
  test('formats a new log dir, creates partition dirs in Kafka layout and writes checkpoints on close', async () => {
    const fs = new MemoryFileSystem()
    const manager = await openLogManager(options(fs, new ManualClock()))
    const log = manager.getOrCreateLog({ topic: 'orders', partition: 2, topicId: TOPIC_ID })
    log.append(batchOfValues(3), LEADER)
    log.highWatermark = 3n
    await manager.close()
    assert.match(fs.readFile('/kafka/logs/meta.properties').toString(), /cluster.id=MkU3OEVBNTcwNTJENDM2Qg\n/)
    assert.equal(
      fs.readFile('/kafka/logs/orders-2/partition.metadata').toString(),
      `version: 0\ntopic_id: ${TOPIC_ID}\n`,
    )
    assert.equal(fs.readFile('/kafka/logs/recovery-point-offset-checkpoint').toString(), '0\n1\norders 2 3\n')
    assert.equal(fs.readFile('/kafka/logs/replication-offset-checkpoint').toString(), '0\n1\norders 2 3\n')
    assert.equal(fs.readFile('/kafka/logs/log-start-offset-checkpoint').toString(), '0\n0\n')
    assert.ok(fs.exists('/kafka/logs/.kafka_cleanshutdown'))
    assert.deepEqual(fs.list('/kafka/logs/orders-2').sort(), [
      '00000000000000000000.index',
      '00000000000000000000.log',
      '00000000000000000000.timeindex',
      '00000000000000000003.snapshot', // producer state, written on close as Kafka does
      'leader-epoch-checkpoint',
      'partition.metadata',
    ])
  })

  test('reopens every log with its log start offset and high watermark after a clean shutdown', async () => {
    const fs = new MemoryFileSystem()
    const first = await openLogManager(options(fs, new ManualClock()))
    const log = first.getOrCreateLog({ topic: 'orders', partition: 0, topicId: TOPIC_ID })
    for (let i = 0; i < 3; i++) log.append(batchOfValues(2), LEADER)
    log.highWatermark = 5n
    log.deleteRecordsBefore(3n)
    await first.close()

    const warnings: string[] = []
    const second = await openLogManager(options(fs, new ManualClock(), { warn: (w) => warnings.push(w) }))
    const reopened = second.getLog('orders', 0)
    assert.ok(reopened)
    assert.deepEqual([reopened.logStartOffset, reopened.logEndOffset, reopened.highWatermark], [3n, 6n, 5n])
    assert.equal(reopened.topicId, TOPIC_ID)
    assert.deepEqual(warnings, [])
    assert.equal(fs.exists('/kafka/logs/.kafka_cleanshutdown'), false, 'a crash from now on is not clean')
    await second.close()
  })

  test('after a crash: flushed records survive, checkpointed values come back, the tail is re-checked', async () => {
    const fs = new MemoryFileSystem()
    const manager = await openLogManager(options(fs, new ManualClock(), { onBackgroundError: () => {} }))
    const log = manager.getOrCreateLog({ topic: 'orders', partition: 0, topicId: TOPIC_ID })
    log.append(batchOfValues(2, { prefix: 'a' }), LEADER)
    log.append(batchOfValues(2, { prefix: 'b' }), LEADER)
    log.highWatermark = 4n
    await log.flush()
    await manager.checkpoint()
    log.append(batchOfValues(2, { prefix: 'c' }), LEADER)
    log.highWatermark = 6n
    const survivor = fs.crash({ keepUnsyncedBytes: (path, n) => (path.endsWith('.log') ? n - 5 : 0) })

    const warnings: string[] = []
    const reopened = await openLogManager(options(survivor, new ManualClock(), { warn: (w) => warnings.push(w) }))
    const recovered = reopened.getLog('orders', 0)
    assert.ok(recovered)
    assert.deepEqual(readAllValues(recovered), ['a0', 'a1', 'b0', 'b1'])
    assert.deepEqual([recovered.logEndOffset, recovered.highWatermark], [4n, 4n])
    assert.match(warnings.join('\n'), /orders-0: truncated \d+ bytes/)
    // Recovery's result was flushed and checkpointed at once.
    assert.equal(survivor.readFile('/kafka/logs/recovery-point-offset-checkpoint').toString(), '0\n1\norders 0 4\n')
    await reopened.close()
  })

  test('runs retention and writes checkpoints on the clock', async () => {
    const fs = new MemoryFileSystem()
    const clock = new ManualClock(10_000_000)
    const batchSize = batchOfValues(1).length
    const config: LogConfig = logConfig({ segmentBytes: batchSize, retentionMs: 1000, fileDeleteDelayMs: 0 })
    const manager = await openLogManager(
      options(fs, clock, {
        configFor: () => config,
        logRetentionCheckIntervalMs: 60_000,
        logInitialTaskDelayMs: 60_000,
        replicaHighWatermarkCheckpointIntervalMs: 5_000,
      }),
    )
    const log = manager.getOrCreateLog({ topic: 'metrics', partition: 0, topicId: TOPIC_ID })
    for (let i = 0; i < 3; i++) log.append(batchOfValues(1, { timestamp: clock.now() }), LEADER)
    log.highWatermark = 3n
    clock.advance(5_000)
    await settle()
    assert.equal(fs.readFile('/kafka/logs/replication-offset-checkpoint').toString(), '0\n1\nmetrics 0 3\n')
    assert.equal(log.logStartOffset, 0n)
    clock.advance(55_000)
    await settle()
    assert.equal(log.logStartOffset, 2n, 'the two inactive segments expired; the active one stays')
    clock.advance(5_000)
    await settle()
    assert.equal(fs.readFile('/kafka/logs/log-start-offset-checkpoint').toString(), '0\n0\n')
    assert.deepEqual(
      fs.list('/kafka/logs/metrics-0').filter((n) => n.endsWith('.log')),
      ['00000000000000000002.log'],
    )
    await manager.close()
    assert.equal(clock.pendingTimers, 0)
  })

  test('refuses a log dir formatted for another cluster or node', async () => {
    const fs = new MemoryFileSystem()
    await (await openLogManager(options(fs, new ManualClock()))).close()
    await assert.rejects(openLogManager(options(fs, new ManualClock(), { clusterId: 'other' })), LogDirectoryError)
    await assert.rejects(openLogManager(options(fs, new ManualClock(), { nodeId: 2 })), LogDirectoryError)
  })

  test('deleteLog renames the partition dir to …-delete and removes it after file.delete.delay.ms', async () => {
    const fs = new MemoryFileSystem()
    const clock = new ManualClock()
    const manager = await openLogManager(
      options(fs, clock, { configFor: () => logConfig({ fileDeleteDelayMs: 1000 }) }),
    )
    manager.getOrCreateLog({ topic: 'gone', partition: 0, topicId: TOPIC_ID }).append(batchOfValues(1), LEADER)
    assert.equal(manager.deleteLog('gone', 0), true)
    assert.equal(manager.getLog('gone', 0), undefined)
    const [renamed] = fs.list('/kafka/logs').filter((n) => n.startsWith('gone-0.'))
    assert.match(renamed ?? '', /^gone-0\.[0-9a-f]{32}-delete$/)
    clock.advance(1000)
    assert.deepEqual(
      fs.list('/kafka/logs').filter((n) => n.startsWith('gone-0')),
      [],
    )
    await manager.close()
  })

  test('spreads new partitions over the log dirs and refuses a topic id mismatch', async () => {
    const fs = new MemoryFileSystem()
    const manager = await openLogManager(options(fs, new ManualClock(), { logDirs: ['/d1', '/d2'] }))
    for (let p = 0; p < 4; p++) manager.getOrCreateLog({ topic: 't', partition: p, topicId: TOPIC_ID })
    assert.deepEqual(
      manager.describeLogDirs().map((d) => d.partitions.length),
      [2, 2],
    )
    assert.throws(
      () => manager.getOrCreateLog({ topic: 't', partition: 0, topicId: 'AAAAAAAAAAAAAAAAAAAAAA' }),
      LogDirectoryError,
    )
    await manager.close()
    const reopened = await openLogManager(options(fs, new ManualClock(), { logDirs: ['/d1', '/d2'] }))
    assert.equal(reopened.allLogs().length, 4)
    await reopened.close()
  })

  test('runs the cleaner on the clock and keeps its first dirty offset in cleaner-offset-checkpoint', async () => {
    const fs = new MemoryFileSystem()
    const clock = new ManualClock()
    const config = logConfig({ cleanupPolicy: ['compact'] })
    const settings = { configFor: () => config, logCleanerBackoffMs: 15_000, logInitialTaskDelayMs: 15_000 }
    const manager = await openLogManager(options(fs, clock, settings))
    const log = manager.getOrCreateLog({ topic: '__consumer_offsets', partition: 0, topicId: TOPIC_ID })
    for (const value of ['1', '2', '3']) {
      log.append(batchOf([{ key: 'group', value, timestamp: clock.now() }]), LEADER)
      ;(log as unknown as UnifiedLog).roll()
    }
    log.highWatermark = log.logEndOffset
    clock.advance(15_000)
    await settle()
    await settle()
    assert.deepEqual(readAllValues(log), ['3'])
    assert.equal(fs.readFile('/kafka/logs/cleaner-offset-checkpoint').toString(), '0\n1\n__consumer_offsets 0 3\n')
    await manager.close()
    const reopened = await openLogManager(options(fs, new ManualClock(), settings))
    assert.equal(await reopened.cleanDirtiestLog(), false, 'nothing dirty since the checkpointed offset')
    await reopened.close()
  })
})
