// The same start-up recovery on the real disk, through NodeFileSystem in a temporary directory. A process that dies
// without closing keeps what it wrote in the page cache, so the damage here is made by hand: garbage after the
// last batch (a torn write) and a lost index file.

import assert from 'node:assert/strict'
import { appendFileSync, mkdtempSync, readdirSync, rmSync, statSync, unlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import type { PartitionLog } from '../api.ts'
import { NodeFileSystem } from '../fs/node-file-system.ts'
import { logConfig } from '../log-config.ts'
import { batchOf, batchOfValues, recordsOf, type ReadRecord } from '../testing/batches.ts'
import { ManualClock } from '../testing/manual-clock.ts'
import { openLogManager } from './log-manager.ts'

const root = mkdtempSync(join(tmpdir(), 'samsa-storage-'))
after(() => rmSync(root, { recursive: true, force: true }))

const LEADER = { leaderEpoch: 0, assignOffsets: true } as const
const BATCH_SIZE = batchOfValues(10).length

function open(logDir: string, warnings: string[] = [], fs = new NodeFileSystem(), segmentBytes = BATCH_SIZE * 4) {
  return openLogManager({
    logDirs: [logDir],
    fs,
    clock: new ManualClock(),
    nodeId: 0,
    clusterId: 'local',
    configFor: () => logConfig({ segmentBytes, indexIntervalBytes: BATCH_SIZE - 1 }),
    warn: (message) => warnings.push(message),
  })
}

/** Every record of the log, read segment by segment. */
function allRecords(log: PartitionLog): ReadRecord[] {
  const out: ReadRecord[] = []
  let next = log.logStartOffset
  while (next < log.logEndOffset) {
    const read = log.read({ fetchOffset: next, maxOffset: log.logEndOffset, maxBytes: 1 << 20, minOneMessage: true })
    const records = recordsOf(read.chunks)
    if (records.length === 0) break
    out.push(...records)
    next = (records.at(-1)?.offset ?? next) + 1n
  }
  return out
}

const offsets = (log: PartitionLog): bigint[] => allRecords(log).map((r) => r.offset)

describe('LogManager on node:fs', () => {
  test('a clean restart finds every record', async () => {
    const logDir = join(root, 'clean')
    const manager = await open(logDir)
    const log = manager.getOrCreateLog({ topic: 'orders', partition: 0, topicId: 'AAAAAAAAAAAAAAAAAAAAAA' })
    for (let i = 0; i < 10; i++) log.append(batchOfValues(10), LEADER)
    log.highWatermark = log.logEndOffset
    await manager.close()
    assert.deepEqual(
      readdirSync(join(logDir, 'orders-0')).filter((n) => n.endsWith('.log')),
      ['00000000000000000000.log', '00000000000000000040.log', '00000000000000000080.log'],
    )
    const reopened = await open(logDir)
    const again = reopened.getLog('orders', 0)
    assert.ok(again)
    assert.equal(offsets(again).length, 100)
    assert.equal(again.highWatermark, 100n)
    await reopened.close()
  })

  test('after a crash: a torn tail is cut and a lost index rebuilt', async () => {
    const logDir = join(root, 'crash')
    const manager = await open(logDir)
    const log = manager.getOrCreateLog({ topic: 'orders', partition: 1, topicId: 'AAAAAAAAAAAAAAAAAAAAAA' })
    for (let i = 0; i < 6; i++) log.append(batchOfValues(10), LEADER)
    await log.flush()
    await manager.checkpoint()
    log.append(batchOfValues(10), LEADER)
    // The process dies here without closing anything. Then the disk shows damage:
    const dir = join(logDir, 'orders-1')
    appendFileSync(join(dir, '00000000000000000040.log'), Buffer.from([0, 0, 0, 0, 0, 0, 0, 70, 0, 0, 1]))
    unlinkSync(join(dir, '00000000000000000000.index'))

    const warnings: string[] = []
    const reopened = await open(logDir, warnings)
    const recovered = reopened.getLog('orders', 1)
    assert.ok(recovered)
    assert.deepEqual(
      offsets(recovered),
      Array.from({ length: 70 }, (_, i) => BigInt(i)),
    )
    assert.equal(statSync(join(dir, '00000000000000000040.log')).size, BATCH_SIZE * 3)
    assert.match(warnings.join('\n'), /truncated 11 bytes/)
    assert.match(warnings.join('\n'), /rebuilding the indexes of .*00000000000000000000\.log/)
    assert.equal(statSync(join(dir, '00000000000000000000.index')).size, 3 * 8)
    assert.equal(recovered.append(batchOfValues(1), LEADER).firstOffset, 70n)
    await reopened.close()
  })

  test('with direct appends (O_DIRECT), every record survives a crash and a clean restart', async () => {
    const logDir = join(root, 'direct')
    const values: string[] = []
    const direct = new NodeFileSystem({ directAppendMinBytes: 4096 })
    const manager = await open(logDir, [], direct, 256 * 1024)
    const log = manager.getOrCreateLog({ topic: 'clicks', partition: 0, topicId: 'AAAAAAAAAAAAAAAAAAAAAA' })
    // Large batches go direct, small ones through the page cache, at every alignment in between.
    for (let i = 0; i < 60; i++) {
      const batch = Array.from({ length: i % 3 === 2 ? 1 : 3 }, (_, r) => ({ value: `${i}-${r}-`.repeat(i * 13 + 1) }))
      values.push(...batch.map((r) => r.value))
      log.append(batchOf(batch), LEADER)
    }
    assert.ok(direct.directAppends.bytes > 0 && direct.directAppends.fallbacks === 0, 'the direct path was taken')
    log.highWatermark = log.logEndOffset
    await manager.checkpoint()
    // The process dies here without closing anything.
    const warnings: string[] = []
    const reopened = await open(logDir, warnings, new NodeFileSystem({ directAppendMinBytes: 4096 }), 256 * 1024)
    const recovered = reopened.getLog('clicks', 0)
    assert.ok(recovered)
    assert.deepEqual(
      allRecords(recovered).map((r) => r.value),
      values,
    )
    assert.equal(recovered.append(batchOfValues(1), LEADER).firstOffset, BigInt(values.length))
    await reopened.close()
    const again = await open(logDir, [], new NodeFileSystem({ directAppendMinBytes: 4096 }), 256 * 1024)
    const reread = again.getLog('clicks', 0)
    assert.ok(reread)
    assert.equal(allRecords(reread).length, values.length + 1)
    await again.close()
  })
})
