// Transactions in the partition log (KIP-98): open transactions and the first unstable offset, COMMIT/ABORT
// markers, the `.txnindex` files (format, reads across segments, restart by snapshot and by replay, truncation,
// retention) and what read_committed reads get.

import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { ControlRecordTypes, buildTransactionMarkerBatch } from '@samsa/protocol'
import type { LogConfig } from '../api.ts'
import { MemoryFileSystem } from '../fs/memory-file-system.ts'
import { logConfig } from '../log-config.ts'
import { openLogManager } from '../manager/log-manager.ts'
import { batchOfValues } from '../testing/batches.ts'
import { ManualClock } from '../testing/manual-clock.ts'
import {
  ABORTED_TXN_BYTES,
  CorruptTransactionIndexError,
  TransactionIndex,
  decodeAbortedTxns,
} from './transaction-index.ts'
import { UnifiedLog, type OpenLogOptions } from './unified-log.ts'

const DIR = '/data/payments-0'
const LEADER = { leaderEpoch: 0, assignOffsets: true } as const
const NOW = 1_700_000_000_000
const txnIndexPath = (base: number): string => `${DIR}/${String(base).padStart(20, '0')}.txnindex`

function openLog(fs: MemoryFileSystem, overrides: Partial<LogConfig> = {}, extra: Partial<OpenLogOptions> = {}) {
  return UnifiedLog.open({
    topic: 'payments',
    partition: 0,
    dir: DIR,
    fs,
    clock: new ManualClock(NOW),
    config: logConfig(overrides),
    onBackgroundError: () => {},
    ...extra,
  })
}

/** A transactional data batch of `count` records from producer `pid` (epoch 0). */
function txnData(pid: bigint, count = 1, baseSequence = 0): Buffer {
  return batchOfValues(count, {
    producerId: pid,
    producerEpoch: 0,
    baseSequence,
    isTransactional: true,
    timestamp: NOW,
  })
}

function marker(pid: bigint, type: 'COMMIT' | 'ABORT', coordinatorEpoch = 7): Buffer {
  return buildTransactionMarkerBatch({
    type: type === 'COMMIT' ? ControlRecordTypes.COMMIT : ControlRecordTypes.ABORT,
    producerId: pid,
    producerEpoch: 0,
    coordinatorEpoch,
    timestamp: NOW,
  })
}

const plain = (count = 1): Buffer => batchOfValues(count, { timestamp: NOW })

const P1 = 1001n
const P2 = 1002n
const P3 = 1003n

describe('transactions in the log', () => {
  test('the first unstable offset follows the oldest open transaction across interleaved producers', () => {
    const log = openLog(new MemoryFileSystem())
    assert.equal(log.firstUnstableOffset, null)
    log.append(plain(), LEADER) // 0
    log.append(txnData(P1, 2), LEADER) // 1-2: P1 opens at 1
    log.append(txnData(P2), LEADER) // 3: P2 opens at 3
    log.append(txnData(P1), LEADER) // 4
    assert.equal(log.firstUnstableOffset, 1n)
    log.highWatermark = log.logEndOffset
    log.append(marker(P1, 'COMMIT', 3), LEADER) // 5: P1 decided, but its marker is not below the high watermark yet
    assert.equal(log.firstUnstableOffset, 1n)
    assert.equal(log.producerState.get(P1)?.coordinatorEpoch, 3)
    assert.equal(log.producerState.get(P1)?.currentTxnFirstOffset, -1n)
    log.highWatermark = log.logEndOffset // 6: the marker is replicated
    assert.equal(log.firstUnstableOffset, 3n)
    log.append(txnData(P1), LEADER) // 6: P1's next transaction
    log.append(marker(P2, 'ABORT'), LEADER) // 7
    log.highWatermark = log.logEndOffset
    assert.equal(log.firstUnstableOffset, 6n)
    // The ABORT's entry: P2's range, and the LSO right after it, P1's open transaction at 6.
    assert.deepEqual(log.activeSegment.txnIndex.entries, [
      { producerId: P2, firstOffset: 3n, lastOffset: 7n, lastStableOffset: 6n },
    ])
    log.append(marker(P1, 'ABORT'), LEADER) // 8: nothing else open, so the LSO is the marker + 1
    log.highWatermark = log.logEndOffset
    assert.equal(log.firstUnstableOffset, null)
    assert.deepEqual(log.activeSegment.txnIndex.entries.at(-1), {
      producerId: P1,
      firstOffset: 6n,
      lastOffset: 8n,
      lastStableOffset: 9n,
    })
    assert.deepEqual(log.abortedTransactions(0n, 9n), [
      { producerId: P2, firstOffset: 3n },
      { producerId: P1, firstOffset: 6n },
    ])
  })

  test('a marker without transactional data only records the coordinator epoch; batch headers carry markers', () => {
    const log = openLog(new MemoryFileSystem())
    log.append(marker(P1, 'ABORT', 4), LEADER)
    log.append(txnData(P2), LEADER)
    log.append(marker(P2, 'COMMIT', 5), LEADER)
    assert.deepEqual(log.activeSegment.txnIndex.entries, [])
    assert.equal(log.producerState.get(P1)?.coordinatorEpoch, 4)
    assert.deepEqual(
      [...log.batchHeaders(0n)].map((h) => h.marker),
      [{ type: 'ABORT', coordinatorEpoch: 4 }, undefined, { type: 'COMMIT', coordinatorEpoch: 5 }],
    )
  })

  test('.txnindex is Kafka format, created only with the first abort', async () => {
    const fs = new MemoryFileSystem()
    const log = openLog(fs)
    log.append(txnData(P1), LEADER)
    log.append(marker(P1, 'COMMIT'), LEADER)
    await log.flush()
    assert.ok(!fs.exists(txnIndexPath(0)))
    log.append(txnData(P1, 3), LEADER) // 2-4
    log.append(marker(P1, 'ABORT'), LEADER) // 5
    await log.flush()
    const bytes = fs.readFile(txnIndexPath(0))
    assert.equal(bytes.length, ABORTED_TXN_BYTES)
    assert.equal(ABORTED_TXN_BYTES, 34)
    assert.equal(bytes.readInt16BE(0), 0)
    assert.deepEqual(
      [bytes.readBigInt64BE(2), bytes.readBigInt64BE(10), bytes.readBigInt64BE(18), bytes.readBigInt64BE(26)],
      [P1, 2n, 5n, 6n],
    )
  })

  test('reads collect the aborted transactions overlapping the returned batches, across segments', () => {
    const log = openLog(new MemoryFileSystem())
    log.append(txnData(P1), LEADER) // 0, segment 0
    log.append(plain(), LEADER) // 1
    log.roll()
    log.append(txnData(P2), LEADER) // 2, segment 2
    log.append(plain(), LEADER) // 3
    log.roll()
    log.append(marker(P1, 'ABORT'), LEADER) // 4, segment 4: P1 [0, 4], LSO 2 (P2 still open)
    log.append(plain(), LEADER) // 5
    log.roll()
    log.append(marker(P2, 'ABORT'), LEADER) // 6, segment 6: P2 [2, 6], LSO 7
    log.append(plain(), LEADER) // 7
    log.highWatermark = log.logEndOffset
    assert.deepEqual(
      log.segments.map((s) => s.baseOffset),
      [0n, 2n, 4n, 6n],
    )
    const read = (fetchOffset: bigint) =>
      log.read({ fetchOffset, maxOffset: 8n, maxBytes: 1 << 20, minOneMessage: true, collectAbortedTransactions: true })
    // From segment 2: its batches (2-3) overlap both, though both markers are in later segments.
    assert.deepEqual(read(2n).abortedTransactions, [
      { producerId: P1, firstOffset: 0n },
      { producerId: P2, firstOffset: 2n },
    ])
    assert.deepEqual(read(0n).abortedTransactions, [{ producerId: P1, firstOffset: 0n }])
    assert.deepEqual(read(7n).abortedTransactions, [])
    assert.equal(
      log.read({ fetchOffset: 2n, maxOffset: 8n, maxBytes: 1 << 20, minOneMessage: true }).abortedTransactions,
      undefined,
    )
    assert.deepEqual(log.abortedTransactions(5n, 6n), [{ producerId: P2, firstOffset: 2n }])
    assert.deepEqual(log.abortedTransactions(7n, 8n), [])
    assert.deepEqual(
      log.read({
        fetchOffset: 8n,
        maxOffset: 8n,
        maxBytes: 100,
        minOneMessage: true,
        collectAbortedTransactions: true,
      }),
      { chunks: [], byteLength: 0, abortedTransactions: [] },
    )
  })

  test('a clean restart loads open transactions from the snapshot and the index from its file', async () => {
    const fs = new MemoryFileSystem()
    const log = openLog(fs)
    log.append(txnData(P1), LEADER) // 0
    log.append(txnData(P2), LEADER) // 1
    log.append(marker(P1, 'ABORT', 2), LEADER) // 2: LSO 1
    log.append(txnData(P3), LEADER) // 3
    log.highWatermark = log.logEndOffset
    await log.close()
    const reopened = openLog(fs, {}, { hadCleanShutdown: true, highWatermark: 4n })
    assert.equal(reopened.firstUnstableOffset, 1n)
    assert.equal(reopened.producerState.get(P1)?.coordinatorEpoch, 2)
    assert.deepEqual(reopened.abortedTransactions(0n, 4n), [{ producerId: P1, firstOffset: 0n }])
    reopened.append(marker(P2, 'COMMIT'), LEADER) // 4
    reopened.highWatermark = reopened.logEndOffset
    assert.equal(reopened.firstUnstableOffset, 3n)
  })

  test('open transactions from a snapshot are ordered by first offset, not by producer', async () => {
    const fs = new MemoryFileSystem()
    const log = openLog(fs)
    log.append(txnData(P1), LEADER) // 0: P1 is the snapshot's first producer...
    log.append(marker(P1, 'COMMIT'), LEADER) // 1
    log.append(txnData(P2), LEADER) // 2
    log.append(txnData(P1, 1, 1), LEADER) // 3: ...but its open transaction is the younger one
    log.highWatermark = log.logEndOffset
    await log.close()
    const reopened = openLog(fs, {}, { hadCleanShutdown: true, highWatermark: 4n })
    assert.equal(reopened.firstUnstableOffset, 2n)
    reopened.append(marker(P2, 'ABORT'), LEADER) // 4: the LSO after it is P1's 3
    reopened.highWatermark = reopened.logEndOffset
    assert.equal(reopened.firstUnstableOffset, 3n)
    assert.deepEqual(reopened.activeSegment.txnIndex.entries, [
      { producerId: P2, firstOffset: 2n, lastOffset: 4n, lastStableOffset: 3n },
    ])
  })

  test('after a crash, replay rebuilds the open transactions and the recovered segments\u2019 indexes', async () => {
    const fs = new MemoryFileSystem()
    const log = openLog(fs)
    log.append(txnData(P1), LEADER) // 0
    log.append(txnData(P2), LEADER) // 1
    log.append(marker(P1, 'ABORT'), LEADER) // 2: LSO 1
    log.roll() // snapshot at 3 holds P2 open
    log.append(txnData(P3), LEADER) // 3: segment 3
    log.append(marker(P2, 'ABORT', 9), LEADER) // 4: LSO 3 (P3)
    await log.flush()
    const before = [log.segments[0]?.txnIndex.entries, log.segments[1]?.txnIndex.entries]
    const crashed = fs.crash()
    crashed.remove(txnIndexPath(3)) // as if the index write had not happened
    // Recovery point 0: every segment is re-read and its index rebuilt by replay from the start.
    const recovered = openLog(crashed, {}, { highWatermark: 5n })
    assert.deepEqual([recovered.segments[0]?.txnIndex.entries, recovered.segments[1]?.txnIndex.entries], before)
    assert.equal(recovered.firstUnstableOffset, 3n)
    assert.equal(recovered.producerState.get(P2)?.coordinatorEpoch, 9)
    await recovered.flush()
    assert.equal(decodeAbortedTxns(crashed.readFile(txnIndexPath(3))).length, 1)

    // Recovery point 3: segment 0 is trusted (its index loaded), segment 3 replayed from the snapshot at 3.
    const again = openLog(crashed.crash(), {}, { recoveryPoint: 3n, highWatermark: 5n })
    assert.deepEqual(again.abortedTransactions(0n, 5n), [
      { producerId: P1, firstOffset: 0n },
      { producerId: P2, firstOffset: 1n },
    ])
    assert.equal(again.firstUnstableOffset, 3n)
  })

  test('a marker lost in a crash leaves its transaction open; the log manager restores the LSO', async () => {
    const fs = new MemoryFileSystem()
    const managerOptions = (files: MemoryFileSystem) => ({
      logDirs: ['/kafka/logs'],
      fs: files,
      clock: new ManualClock(NOW),
      nodeId: 1,
      clusterId: 'MkU3OEVBNTcwNTJENDM2Qg',
      onBackgroundError: () => {},
    })
    const manager = await openLogManager(managerOptions(fs))
    const log = manager.getOrCreateLog({ topic: 'payments', partition: 0, topicId: 'vHd5NCxVQLmFAd5kMKoI1A' })
    log.append(txnData(P1, 2), LEADER) // 0-1
    log.append(txnData(P2), LEADER) // 2
    log.append(marker(P1, 'ABORT'), LEADER) // 3
    log.highWatermark = log.logEndOffset
    await log.flush()
    await manager.checkpoint()
    log.append(marker(P2, 'ABORT'), LEADER) // 4: never synced
    const crashed = fs.crash()
    const reopened = await openLogManager(managerOptions(crashed))
    const recovered = reopened.getLog('payments', 0)
    assert.ok(recovered)
    assert.equal(recovered.logEndOffset, 4n)
    assert.equal(recovered.firstUnstableOffset, 2n)
    assert.deepEqual(recovered.abortedTransactions(0n, 4n), [{ producerId: P1, firstOffset: 0n }])
    recovered.append(marker(P2, 'COMMIT'), LEADER)
    recovered.highWatermark = recovered.logEndOffset
    assert.equal(recovered.firstUnstableOffset, null)
    await reopened.close()
    const again = await openLogManager(managerOptions(crashed))
    const reloaded = again.getLog('payments', 0)
    assert.deepEqual(
      [reloaded?.firstUnstableOffset, reloaded?.abortedTransactions(0n, 5n)],
      [null, [{ producerId: P1, firstOffset: 0n }]],
    )
    assert.equal(reloaded?.producerState.get(P2)?.coordinatorEpoch, 7)
    await again.close()
  })

  test('truncation drops index entries at and after the offset and reopens their transactions', () => {
    const fs = new MemoryFileSystem()
    const log = openLog(fs)
    log.append(txnData(P1), LEADER) // 0
    log.append(txnData(P2), LEADER) // 1
    log.append(marker(P1, 'ABORT'), LEADER) // 2
    log.append(marker(P2, 'ABORT'), LEADER) // 3
    log.highWatermark = log.logEndOffset
    assert.equal(log.firstUnstableOffset, null)
    log.truncateTo(3n)
    assert.deepEqual(log.abortedTransactions(0n, 10n), [{ producerId: P1, firstOffset: 0n }])
    assert.equal(log.firstUnstableOffset, 1n)
    assert.equal(decodeAbortedTxns(fs.readFile(txnIndexPath(0))).length, 1)
    log.truncateTo(2n)
    assert.deepEqual(log.abortedTransactions(0n, 10n), [])
    assert.equal(log.firstUnstableOffset, 0n)
    assert.equal(fs.readFile(txnIndexPath(0)).length, 0)
    log.truncateFullyAndStartAt(10n)
    assert.equal(log.firstUnstableOffset, null)
    assert.deepEqual(log.abortedTransactions(0n, 20n), [])
  })

  test('retention deletes a segment\u2019s .txnindex with it', async () => {
    const fs = new MemoryFileSystem()
    const clock = new ManualClock(NOW)
    const log = UnifiedLog.open({
      topic: 'payments',
      partition: 0,
      dir: DIR,
      fs,
      clock,
      config: logConfig({ retentionMs: 1000, fileDeleteDelayMs: 10 }),
    })
    log.append(txnData(P1), LEADER) // 0
    log.append(marker(P1, 'ABORT'), LEADER) // 1
    log.roll()
    log.append(plain(), LEADER) // 2: segment 2
    log.highWatermark = log.logEndOffset
    log.roll()
    await log.flush()
    assert.ok(fs.exists(txnIndexPath(0)))
    clock.advance(2000)
    assert.equal(log.deleteOldSegments(), 2)
    assert.ok(!fs.exists(txnIndexPath(0)))
    assert.ok(fs.exists(`${txnIndexPath(0)}.deleted`))
    clock.advance(10)
    assert.ok(!fs.exists(`${txnIndexPath(0)}.deleted`))
    assert.deepEqual(log.abortedTransactions(0n, 10n), [])
  })

  test('a transaction ended below the log start offset stays ended when the state is rebuilt', () => {
    const log = openLog(new MemoryFileSystem())
    log.append(txnData(P1), LEADER) // 0
    log.roll() // snapshot at 1: P1's transaction open
    log.append(marker(P1, 'ABORT'), LEADER) // 1
    log.append(plain(), LEADER) // 2
    log.append(plain(), LEADER) // 3
    log.highWatermark = log.logEndOffset
    log.deleteRecordsBefore(3n) // the log start moves inside segment 1, past the marker
    log.roll() // snapshot at 4
    log.append(plain(), LEADER) // 4
    // Truncation drops segment 4 and its snapshot: the rebuild starts from the snapshot at 1, below the log start,
    // and must replay the marker at 1 rather than start at the log start (which left P1 open for ever).
    log.truncateTo(3n)
    assert.equal(log.logStartOffset, 3n)
    assert.equal(log.firstUnstableOffset, null)
    assert.equal(log.producerState.get(P1)?.currentTxnFirstOffset, -1n)
  })

  test('the first unstable offset is never below the log start offset', () => {
    const log = openLog(new MemoryFileSystem())
    log.append(txnData(P1), LEADER) // 0
    log.append(plain(), LEADER) // 1
    log.highWatermark = log.logEndOffset
    log.deleteRecordsBefore(1n)
    assert.equal(log.firstUnstableOffset, 1n)
  })

  test('a .txnindex that does not decode makes its segment recovered, which rebuilds it', async () => {
    const fs = new MemoryFileSystem()
    const log = openLog(fs)
    log.append(txnData(P1), LEADER) // 0
    log.append(marker(P1, 'ABORT'), LEADER) // 1
    log.roll()
    log.append(plain(), LEADER) // 2
    await log.close()
    const bytes = fs.readFile(txnIndexPath(0))
    bytes.writeInt16BE(5, 0) // an unknown entry version
    fs.writeFile(txnIndexPath(0), bytes)
    const warnings: string[] = []
    const reopened = openLog(fs, {}, { hadCleanShutdown: true, warn: (m) => warnings.push(m) })
    assert.match(warnings.join('\n'), /rebuilding the indexes of .*00000000000000000000\.log/)
    assert.deepEqual(reopened.abortedTransactions(0n, 3n), [{ producerId: P1, firstOffset: 0n }])
    await reopened.flush()
    assert.equal(decodeAbortedTxns(fs.readFile(txnIndexPath(0))).length, 1)
  })
})

describe('TransactionIndex', () => {
  const entry = (lastOffset: bigint) => ({ producerId: P1, firstOffset: 0n, lastOffset, lastStableOffset: lastOffset })

  test('persists appends, rewrites after truncation, ignores a torn entry and refuses unknown versions', () => {
    const fs = new MemoryFileSystem()
    fs.mkdirp('/x')
    const index = new TransactionIndex()
    assert.equal(index.writeChanges(fs, '/x/i'), false)
    assert.ok(!fs.exists('/x/i'))
    index.append(entry(5n))
    index.append(entry(9n))
    assert.throws(() => index.append(entry(9n)), CorruptTransactionIndexError)
    assert.equal(index.writeChanges(fs, '/x/i'), true)
    assert.equal(fs.readFile('/x/i').length, 2 * ABORTED_TXN_BYTES)
    index.truncateTo(9n)
    index.append(entry(12n))
    index.writeChanges(fs, '/x/i')
    assert.deepEqual(
      decodeAbortedTxns(fs.readFile('/x/i')).map((e) => e.lastOffset),
      [5n, 12n],
    )
    const loaded = new TransactionIndex()
    loaded.load(Buffer.concat([fs.readFile('/x/i'), Buffer.alloc(10)]))
    assert.equal(loaded.entries.length, 2)
    assert.equal(loaded.hasUnpersistedChanges, true, 'the torn tail is cut on the next write')
    const found: Array<{ producerId: bigint; firstOffset: bigint }> = []
    assert.equal(loaded.collectAbortedTxns(6n, 13n, found), false)
    assert.deepEqual(found, [{ producerId: P1, firstOffset: 0n }])
    assert.equal(loaded.collectAbortedTxns(0n, 12n, []), true, 'an entry whose LSO reaches the bound ends the search')
    const bad = encodeOne()
    bad.writeInt16BE(1, 0)
    assert.throws(() => decodeAbortedTxns(bad), CorruptTransactionIndexError)
  })
})

function encodeOne(): Buffer {
  const buffer = Buffer.alloc(ABORTED_TXN_BYTES)
  buffer.writeBigInt64BE(1n, 2)
  return buffer
}
