// Fetch responses point into recycled read buffers (partitions/read-buffers.ts). This proves the memory is not
// handed to another fetch while a response is still waiting in the socket for a slow client: the slow client's
// bytes must arrive intact after other clients have fetched through the same pool. And that this memory is
// bounded: one Fetch per connection is served at a time, and responses shrink (down to one batch) while
// samsa.fetch.memory.max.bytes is spent by responses clients have not taken yet.

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
  type FetchResponse,
  splitBatches,
} from '@samsa/protocol'
import type { Connection } from '@samsa/net'
import { createTopic, produce, startTestBroker, type TestBroker } from './testing.ts'

const PARTITIONS = 12
const VALUE_BYTES = 900 * 1024

const fetchEverything = (topic: string, offsets: readonly bigint[] = []) =>
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
          fetchOffset: offsets[partition] ?? 0n,
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

/** Two topics with different bytes, so a slab reused too early would show the other topic's bytes. */
async function writeTopics(tb: TestBroker): Promise<Connection> {
  const conn = await tb.connect()
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
  return conn
}

/**
 * A raw connection that sends `fetches` Fetches of the whole 'slow' topic at once (correlation ids 0, 1, …) and
 * reads nothing until readResponses() is called; the broker's answers meanwhile pile up in its socket.
 */
async function slowClient(tb: TestBroker, fetches: number) {
  const socket = connect(tb.broker.boundPort, '127.0.0.1')
  await once(socket, 'connect')
  socket.pause()
  for (let i = 0; i < fetches; i++) {
    for (const chunk of encodeRequestFrame(Fetch, 12, { correlationId: i, clientId: 'slow' }, fetchEverything('slow')))
      socket.write(chunk)
  }
  await new Promise((r) => setTimeout(r, 300))
  return {
    socket,
    async readResponses(count: number) {
      const decoder = new FrameDecoder(64 << 20)
      const frames: Buffer[] = []
      socket.on('data', (chunk: Buffer) => frames.push(...decoder.push(chunk)))
      socket.resume()
      while (frames.length < count) await once(socket, 'data')
      return frames.map((frame) => decodeResponseFrame(Fetch, 12, frame))
    },
  }
}

/** Runs `body` against a fresh broker with `config`, stopped afterwards. */
async function withTestBroker(config: Record<string, number>, body: (tb: TestBroker) => Promise<void>): Promise<void> {
  const tb = await startTestBroker({ config })
  try {
    await body(tb)
  } finally {
    await tb.stop()
  }
}

type FetchedPartition = FetchResponse['responses'][number]['partitions'][number]

/** Every given partition holds its one record of bytes partition + base, intact. */
function assertIntact(partitions: readonly FetchedPartition[], base: number): void {
  for (const p of partitions)
    assert.equal(damage(p.records ?? Buffer.alloc(0), p.partitionIndex, base), null, `partition ${p.partitionIndex}`)
}

const batchCount = (records: Buffer | null): number => (records === null ? 0 : splitBatches(records).batches.length)

test('a response still queued for a slow client keeps its memory while other fetches reuse the pool', async () => {
  await withTestBroker({}, async (tb) => {
    const conn = await writeTopics(tb)
    // The slow client asks for ~11 MB and reads nothing yet: most of it waits in the broker's socket.
    const slow = await slowClient(tb, 1)

    // Meanwhile another client fetches the other topic through the same pool, several times over.
    for (let i = 0; i < 4; i++) {
      const res = await conn.request(Fetch, 12, fetchEverything('other'))
      assertIntact(res.responses[0]?.partitions ?? [], 101)
    }

    const [response] = await slow.readResponses(1)
    assert.equal(response?.correlationId, 0)
    const partitions = response?.body.responses[0]?.partitions ?? []
    assert.equal(partitions.length, PARTITIONS)
    assertIntact(partitions, 1)
    slow.socket.destroy()
  })
})

test('a connection that pipelines Fetches and reads none of the answers holds one response at a time', async () => {
  // Room for one ~11 MB response but not two: were the six Fetches read at once, the later ones would shrink.
  await withTestBroker({ 'samsa.fetch.memory.max.bytes': 16 << 20 }, async (tb) => {
    await writeTopics(tb)
    const slow = await slowClient(tb, 6)
    const responses = await slow.readResponses(6)
    assert.deepEqual(
      responses.map((r) => r.correlationId),
      [0, 1, 2, 3, 4, 5],
    )
    for (const { body } of responses) {
      const partitions = body.responses[0]?.partitions ?? []
      assert.equal(partitions.length, PARTITIONS)
      assertIntact(partitions, 1)
    }
    slow.socket.destroy()
  })
})

test('while unread responses hold the fetch memory budget, others get one batch per Fetch and still read everything', async () => {
  // The slow client's response takes 9 of the 12 batches (~8.3 MB) and keeps the budget spent while unread.
  await withTestBroker({ 'samsa.fetch.memory.max.bytes': 8 << 20 }, async (tb) => {
    const conn = await writeTopics(tb)
    const slow = await slowClient(tb, 1)
    const offsets = Array.from({ length: PARTITIONS }, () => 0n)
    for (let i = 0; i < PARTITIONS; i++) {
      const res = await conn.request(Fetch, 12, fetchEverything('other', offsets))
      const withRecords = (res.responses[0]?.partitions ?? []).filter((p) => batchCount(p.records) > 0)
      assert.equal(withRecords.length, 1, `Fetch ${i} answers one batch`)
      assertIntact(withRecords, 101)
      for (const p of withRecords) offsets[p.partitionIndex] = 1n
    }
    assert.deepEqual(offsets, Array(PARTITIONS).fill(1n), 'every partition was read')

    const [slowResponse] = await slow.readResponses(1)
    const slowWithRecords = (slowResponse?.body.responses[0]?.partitions ?? []).filter((p) => batchCount(p.records) > 0)
    assert.equal(slowWithRecords.length, 9)
    assertIntact(slowWithRecords, 1)
    slow.socket.destroy()
    // Taken by its client, that response gave its memory back: a Fetch gets as much as the budget allows again.
    const again = await conn.request(Fetch, 12, fetchEverything('other'))
    assert.equal((again.responses[0]?.partitions ?? []).filter((p) => batchCount(p.records) > 0).length, 9)
  })
})
