// Fetch limits against a real broker: whole batches only, at least one batch even when larger than the limits
// (KIP-74), maxBytes shared across partitions, and an immediate answer when any partition has an error.

import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { ErrorCode, Fetch, buildRecordBatch, splitBatches } from '@samsa/protocol'
import { createTopic, produce, startTestBroker, type TestBroker } from './testing.ts'

function batch(size: number): Buffer {
  return buildRecordBatch({ timestamp: Date.now(), records: [{ key: null, value: Buffer.alloc(size, 7) }] })
}

describe('fetch limits', () => {
  let tb: TestBroker
  before(async () => {
    tb = await startTestBroker()
  })
  after(async () => {
    await tb.stop()
  })

  const fetch = (
    conn: Awaited<ReturnType<TestBroker['connect']>>,
    partitions: { partition: number; partitionMaxBytes: number }[],
    maxBytes: number,
    maxWaitMs = 0,
    topic = 'limits',
  ) =>
    conn.request(
      Fetch,
      11,
      Fetch.request.make({
        maxWaitMs,
        minBytes: 1,
        maxBytes,
        sessionEpoch: -1,
        topics: [{ topic, partitions: partitions.map((p) => ({ ...p, fetchOffset: 0n })) }],
      }),
    )

  test('whole batches within the limits, but at least one batch even if larger (KIP-74)', async () => {
    const conn = await tb.connect()
    await createTopic(conn, 'limits', 2)
    for (let i = 0; i < 3; i++) await produce(conn, 'limits', 0, batch(1000))
    await produce(conn, 'limits', 1, batch(1000))
    const batchSize = batch(1000).length

    // A partition limit smaller than one batch still returns that first batch.
    const tiny = await fetch(conn, [{ partition: 0, partitionMaxBytes: 10 }], 1 << 20)
    assert.equal(splitBatches(tiny.responses[0]?.partitions[0]?.records ?? Buffer.alloc(0)).batches.length, 1)

    // Room for two batches and a half: two whole batches, never a partial one.
    const two = await fetch(conn, [{ partition: 0, partitionMaxBytes: Math.floor(batchSize * 2.5) }], 1 << 20)
    const set = splitBatches(two.responses[0]?.partitions[0]?.records ?? Buffer.alloc(0))
    assert.deepEqual([set.batches.length, set.partialBytes], [2, 0])

    // The request-wide maxBytes is shared: once partition 0 used it up, partition 1 gets nothing (but its offsets).
    const shared = await fetch(
      conn,
      [
        { partition: 0, partitionMaxBytes: 1 << 20 },
        { partition: 1, partitionMaxBytes: 1 << 20 },
      ],
      batchSize * 3,
    )
    const [p0, p1] = shared.responses[0]?.partitions ?? []
    assert.equal(splitBatches(p0?.records ?? Buffer.alloc(0)).batches.length, 3)
    assert.deepEqual([p1?.errorCode, p1?.highWatermark, p1?.records?.length], [0, 1n, 0])
  })

  test('a partition error answers at once instead of waiting for minBytes', async () => {
    const conn = await tb.connect()
    await createTopic(conn, 'quiet', 1)
    const res = await conn.request(
      Fetch,
      11,
      Fetch.request.make({
        maxWaitMs: 600_000,
        minBytes: 1,
        maxBytes: 1 << 20,
        sessionEpoch: -1,
        topics: [
          { topic: 'quiet', partitions: [{ partition: 0, fetchOffset: 0n, partitionMaxBytes: 1024 }] },
          { topic: 'quiet', partitions: [{ partition: 9, fetchOffset: 0n, partitionMaxBytes: 1024 }] },
        ],
      }),
    )
    // One entry per topic even when the request listed it twice.
    assert.equal(res.responses.length, 1)
    assert.deepEqual(
      res.responses[0]?.partitions.map((p) => [p.partitionIndex, p.errorCode]),
      [
        [0, 0],
        [9, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
      ],
    )
  })
})
