// Fetch responses point into recycled read buffers (partitions/read-buffers.ts). This proves the memory is not
// handed to another fetch while a response is still waiting in the socket for a slow client: the slow client's
// bytes must arrive intact after other clients have fetched through the same pool.

import assert from 'node:assert/strict'
import { once } from 'node:events'
import { connect } from 'node:net'
import { test } from 'node:test'
import { FrameDecoder } from '@samsa/net'
import {
  Fetch,
  type RecordBatchView,
  buildRecordBatch,
  decodeBatchRecords,
  decodeResponseFrame,
  encodeRequestFrame,
  splitBatches,
} from '@samsa/protocol'
import { createTopic, produce, startTestBroker } from './testing.ts'

const PARTITIONS = 12
const VALUE_BYTES = 900 * 1024

const fetchEverything = (topic: string) =>
  Fetch.request.make({
    maxWaitMs: 0,
    minBytes: 1,
    maxBytes: 64 << 20,
    sessionEpoch: -1,
    topics: [
      {
        topic,
        partitions: Array.from({ length: PARTITIONS }, (_, partition) => ({
          partition,
          fetchOffset: 0n,
          partitionMaxBytes: 1 << 20,
        })),
      },
    ],
  })

/** Every record of partition p was written with all bytes p + base; says what differs, if anything. */
function damage(records: Buffer, partition: number, base: number): string | null {
  const { batches } = splitBatches(records)
  if (batches.length !== 1) return `${batches.length} batches`
  const view = batches[0] as RecordBatchView
  const problem = view.problem()
  if (problem !== null) return problem
  const value = decodeBatchRecords(view)[0]?.value
  if (value?.length !== VALUE_BYTES) return `value of ${value?.length} bytes`
  const wrong = value.findIndex((b) => b !== partition + base)
  return wrong === -1 ? null : `byte ${wrong} is ${value[wrong]}`
}

test('a response still queued for a slow client keeps its memory while other fetches reuse the pool', async () => {
  const tb = await startTestBroker()
  try {
    const conn = await tb.connect()
    // Two topics with different bytes, so a slab reused too early would show the other topic's bytes.
    for (const [topic, base] of [
      ['slow', 1],
      ['other', 101],
    ] as const) {
      await createTopic(conn, topic, PARTITIONS)
      for (let p = 0; p < PARTITIONS; p++) {
        const value = Buffer.alloc(VALUE_BYTES, p + base)
        await produce(conn, topic, p, buildRecordBatch({ timestamp: 1, records: [{ key: null, value }] }))
      }
    }

    // The slow client asks for ~11 MB and reads nothing yet: most of it waits in the broker's socket.
    const slow = connect(tb.broker.port, '127.0.0.1')
    await once(slow, 'connect')
    slow.pause()
    for (const chunk of encodeRequestFrame(Fetch, 12, { correlationId: 7, clientId: 'slow' }, fetchEverything('slow')))
      slow.write(chunk)
    await new Promise((r) => setTimeout(r, 200))

    // Meanwhile another client fetches the other topic through the same pool, several times over.
    for (let i = 0; i < 4; i++) {
      const res = await conn.request(Fetch, 12, fetchEverything('other'))
      for (const p of res.responses[0]?.partitions ?? [])
        assert.equal(damage(p.records ?? Buffer.alloc(0), p.partitionIndex, 101), null)
    }

    const decoder = new FrameDecoder(64 << 20)
    const frames: Buffer[] = []
    slow.on('data', (chunk: Buffer) => frames.push(...decoder.push(chunk)))
    slow.resume()
    while (frames.length === 0) await once(slow, 'data')
    const { correlationId, body } = decodeResponseFrame(Fetch, 12, frames[0] as Buffer)
    assert.equal(correlationId, 7)
    const partitions = body.responses[0]?.partitions ?? []
    assert.equal(partitions.length, PARTITIONS)
    for (const p of partitions)
      assert.equal(damage(p.records ?? Buffer.alloc(0), p.partitionIndex, 1), null, `partition ${p.partitionIndex}`)
    slow.destroy()
  } finally {
    await tb.stop()
  }
})
