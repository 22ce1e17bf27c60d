// kill -9 the broker while a client produces 1,000,000 acknowledged records (acks=all), restart it on the same
// data, and check what a Kafka user relies on: every acknowledged record is readable, offsets are contiguous from 0,
// and every batch passes its CRC. Records that were sent but not acknowledged when the broker died are resent,
// as a producer without idempotence would, so duplicates are allowed and counted, losses are not.

import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { Connection } from '@samsa/net'
import { buildRecordBatch, decodeBatchRecords, resolveRecords } from '@samsa/protocol'
import {
  createTopics,
  fetchAllBatches,
  listOffset,
  produceBatch,
  startBrokerProcess,
  type BrokerProcess,
} from '../index.ts'

const TOTAL_RECORDS = 1_000_000
const RECORDS_PER_BATCH = 1000
const PARTITIONS = 4
const IN_FLIGHT = 8
const KILL_AFTER_ACKED_BATCHES = 350
const topic = 'kill9'

/** Batch i holds records i*1000 … i*1000+999; each value is its 8-byte sequence number padded to 100 bytes. */
function batchFor(index: number): Buffer {
  const records = []
  for (let r = 0; r < RECORDS_PER_BATCH; r++) {
    const value = Buffer.alloc(100, 0x2e)
    value.writeBigUInt64BE(BigInt(index * RECORDS_PER_BATCH + r), 0)
    records.push({ key: null, value })
  }
  return buildRecordBatch({ records, timestamp: 1_700_000_000_000 + index })
}

/** Sends every batch not yet acknowledged, IN_FLIGHT at a time, until all are or the connection dies. */
async function produceUntilDone(conn: Connection, acked: Set<number>, onAck: () => void): Promise<void> {
  const pending = Array.from({ length: TOTAL_RECORDS / RECORDS_PER_BATCH }, (_, i) => i).filter((i) => !acked.has(i))
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < pending.length) {
      const index = pending[next++] as number
      await produceBatch(conn, topic, index % PARTITIONS, batchFor(index), -1)
      acked.add(index)
      onAck()
    }
  }
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker))
}

// Three times: with the defaults (appends through the page cache, written by the storage's background writer, the
// broker acknowledging an append only once the writer thread has written it); with the ~100 KB batches written
// with O_DIRECT by that thread; and with every append written on the event loop.
const variants: [string, Record<string, number | boolean>][] = [
  ['', {}],
  [' (direct appends)', { 'samsa.log.direct.append.min.bytes': 65536 }],
  [' (appends on the event loop)', { 'samsa.log.background.appends': false }],
]
for (const [how, overrides] of variants) {
  test(`kill -9 during 1,000,000 acknowledged records${how}: nothing acknowledged is lost`, { timeout: 300_000 }, () =>
    killDuringProduce(overrides),
  )
}

async function killDuringProduce(overrides: Record<string, number | boolean>): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'samsa-kill9-'))
  let broker: BrokerProcess | undefined
  try {
    broker = await startBrokerProcess({ dataDir, overrides })
    let conn = await Connection.connect({ host: broker.host, port: broker.port })
    await createTopics(conn, [{ name: topic, partitions: PARTITIONS }])

    const acked = new Set<number>()
    let killed: Promise<unknown> | undefined
    const first = produceUntilDone(conn, acked, () => {
      if (acked.size === KILL_AFTER_ACKED_BATCHES && broker !== undefined) killed = broker.kill()
    })
    await assert.rejects(first, 'the producer sees the broker die')
    assert.ok(killed, 'the broker was killed mid-run')
    assert.equal(await killed, 'SIGKILL')
    const ackedBeforeCrash = new Set(acked)
    conn.destroy()

    broker = await startBrokerProcess({ dataDir, port: broker.port, overrides })
    conn = await Connection.connect({ host: broker.host, port: broker.port })
    await produceUntilDone(conn, acked, () => {})
    assert.equal(acked.size, TOTAL_RECORDS / RECORDS_PER_BATCH)

    const seen = new Uint8Array(TOTAL_RECORDS)
    let duplicates = 0
    for (let partition = 0; partition < PARTITIONS; partition++) {
      const batches = await fetchAllBatches(conn, topic, partition)
      let expected = 0n
      for (const view of batches) {
        assert.equal(view.baseOffset, expected, `partition ${partition}: offsets contiguous`)
        for (const record of resolveRecords(view, decodeBatchRecords(view))) {
          const sequence = Number(record.value?.readBigUInt64BE(0))
          if (seen[sequence] === 1) duplicates++
          seen[sequence] = 1
        }
        expected = view.nextOffset
      }
      assert.equal(await listOffset(conn, topic, partition, -1n), expected, `partition ${partition}: end offset`)
    }
    for (const index of ackedBeforeCrash) {
      for (let r = 0; r < RECORDS_PER_BATCH; r++) {
        assert.equal(
          seen[index * RECORDS_PER_BATCH + r],
          1,
          `record ${index * RECORDS_PER_BATCH + r} acknowledged before the crash is readable`,
        )
      }
    }
    assert.equal(
      seen.reduce((a, b) => a + b, 0),
      TOTAL_RECORDS,
      'every acknowledged record is readable',
    )
    console.log(
      `kill -9: ${ackedBeforeCrash.size} batches acknowledged before the crash, ${duplicates} duplicate records after resending unacknowledged ones`,
    )
    await conn.close()
  } finally {
    await broker?.stop()
    rmSync(dataDir, { recursive: true, force: true })
  }
}
