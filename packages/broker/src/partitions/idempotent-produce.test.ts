// Idempotent producing over the wire (KIP-98): InitProducerId, duplicates answered with their original offsets and
// stored once, sequence gaps and stale epochs refused, DescribeProducers, and de-duplication and fresh producer ids
// after a restart.

import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { DescribeProducers, ErrorCode, InitProducerId, buildRecordBatch, splitBatches } from '@samsa/protocol'
import type { Connection } from '@samsa/net'
import { createTopic, fetchOnce, produce, startTestBroker, type TestBroker } from '../testing.ts'

function idempotentBatch(producerId: bigint, producerEpoch: number, baseSequence: number, values: string[]): Buffer {
  return buildRecordBatch({
    timestamp: Date.now(),
    producerId,
    producerEpoch,
    baseSequence,
    records: values.map((v) => ({ key: null, value: Buffer.from(v) })),
  })
}

async function initProducerId(conn: Connection, transactionalId: string | null = null, version = 4) {
  return conn.request(
    InitProducerId,
    version,
    InitProducerId.request.make({ transactionalId, transactionTimeoutMs: 60000 }),
  )
}

async function storedBatchCount(conn: Connection, topic: string): Promise<number> {
  const fetched = await fetchOnce(conn, topic, 0, 0n)
  const records = fetched.records
  return records === null ? 0 : splitBatches(Buffer.concat(Array.isArray(records) ? records : [records])).batches.length
}

describe('idempotent producer', () => {
  let tb: TestBroker
  before(async () => {
    tb = await startTestBroker()
  })
  after(async () => {
    await tb.stop()
  })

  test('InitProducerId hands out fresh ids with epoch 0; a transactional id keeps its id and bumps the epoch', async () => {
    const conn = await tb.connect()
    const first = await initProducerId(conn, null, 0)
    const second = await initProducerId(conn, null, 5)
    assert.equal(first.errorCode, ErrorCode.NONE)
    assert.equal(first.producerEpoch, 0)
    assert.equal(second.producerId, first.producerId + 1n)
    const transactional = await initProducerId(conn, 'txn-1')
    assert.equal(transactional.errorCode, ErrorCode.NONE)
    assert.equal(transactional.producerEpoch, 0)
    const again = await initProducerId(conn, 'txn-1')
    assert.deepEqual([again.producerId, again.producerEpoch], [transactional.producerId, 1])
    assert.equal((await initProducerId(conn, '')).errorCode, ErrorCode.INVALID_REQUEST)
  })

  test('DescribeProducers shows the producers a partition remembers (KIP-664)', async () => {
    const conn = await tb.connect()
    await createTopic(conn, 'described')
    const { producerId } = await initProducerId(conn)
    await produce(conn, 'described', 0, idempotentBatch(producerId, 0, 0, ['a', 'b', 'c']))
    const res = await conn.request(
      DescribeProducers,
      0,
      DescribeProducers.request.make({ topics: [{ name: 'described', partitionIndexes: [0, 7] }] }),
    )
    const [known, unknown] = res.topics[0]?.partitions ?? []
    assert.equal(known?.errorCode, ErrorCode.NONE)
    assert.deepEqual(
      known?.activeProducers.map((p) => [p.producerId, p.producerEpoch, p.lastSequence, p.currentTxnStartOffset]),
      [[producerId, 0, 2, -1n]],
    )
    assert.ok((known?.activeProducers[0]?.lastTimestamp ?? -1n) > 0n)
    assert.equal(unknown?.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
  })

  test('a retried batch gets its original offset and is stored once; gaps and old epochs are refused', async () => {
    const conn = await tb.connect()
    await createTopic(conn, 'idem')
    const { producerId } = await initProducerId(conn)
    const first = idempotentBatch(producerId, 0, 0, ['a', 'b'])
    assert.equal((await produce(conn, 'idem', 0, Buffer.from(first))).baseOffset, 0n)
    const second = idempotentBatch(producerId, 0, 2, ['c'])
    assert.equal((await produce(conn, 'idem', 0, Buffer.from(second))).baseOffset, 2n)
    // Retries of either of the last batches: success with the original offsets, nothing written.
    const retryFirst = await produce(conn, 'idem', 0, Buffer.from(first))
    assert.equal(retryFirst.errorCode, ErrorCode.NONE)
    assert.equal(retryFirst.baseOffset, 0n)
    assert.equal((await produce(conn, 'idem', 0, Buffer.from(second))).baseOffset, 2n)
    assert.equal(await storedBatchCount(conn, 'idem'), 2)

    const gap = await produce(conn, 'idem', 0, idempotentBatch(producerId, 0, 5, ['x']))
    assert.equal(gap.errorCode, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER)
    // A bumped epoch (KIP-360) must start again at sequence 0.
    const newEpochGap = await produce(conn, 'idem', 0, idempotentBatch(producerId, 1, 3, ['x']))
    assert.equal(newEpochGap.errorCode, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER)
    assert.equal((await produce(conn, 'idem', 0, idempotentBatch(producerId, 1, 0, ['d']))).baseOffset, 3n)
    const stale = await produce(conn, 'idem', 0, idempotentBatch(producerId, 0, 3, ['e']))
    assert.equal(stale.errorCode, ErrorCode.INVALID_PRODUCER_EPOCH)
    assert.equal(await storedBatchCount(conn, 'idem'), 3)
  })

  test('an unknown producer may start at any sequence (Kafka 3.x, KIP-360)', async () => {
    const conn = await tb.connect()
    await createTopic(conn, 'idem-unknown')
    const res = await produce(conn, 'idem-unknown', 0, idempotentBatch(424242n, 3, 17, ['late']))
    assert.equal(res.errorCode, ErrorCode.NONE)
    assert.equal(res.baseOffset, 0n)
  })
})

describe('idempotent producer across a restart', () => {
  test('de-duplication survives a clean restart and producer ids never repeat', async () => {
    let tb = await startTestBroker()
    const dir = tb.dir
    try {
      let conn = await tb.connect()
      await createTopic(conn, 'durable')
      const { producerId } = await initProducerId(conn)
      const batches = [0, 1, 2].map((i) => idempotentBatch(producerId, 0, i, [`v${i}`]))
      for (const b of batches) await produce(conn, 'durable', 0, Buffer.from(b))
      await tb.stop(false)

      tb = await startTestBroker({ dir })
      conn = await tb.connect()
      // The last batch comes from the snapshot written on close...
      assert.equal((await produce(conn, 'durable', 0, Buffer.from(batches[2] as Buffer))).baseOffset, 2n)
      assert.equal(await storedBatchCount(conn, 'durable'), 3)
      // ...and the sequence continues where it stopped.
      const next = await produce(conn, 'durable', 0, idempotentBatch(producerId, 0, 3, ['v3']))
      assert.equal(next.baseOffset, 3n)
      const gap = await produce(conn, 'durable', 0, idempotentBatch(producerId, 0, 9, ['v9']))
      assert.equal(gap.errorCode, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER)
      // A restart skips the rest of the previous block of producer ids.
      const after = await initProducerId(conn)
      assert.ok(after.producerId > producerId, `${after.producerId} must be above ${producerId}`)
      assert.equal(after.producerId % 1000n, 0n)
    } finally {
      await tb.stop()
    }
  })
})
