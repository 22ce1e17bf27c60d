// The consumer against an in-process broker, fed by our producer: per-partition order, every compression codec,
// seek, pause/resume, run({ eachMessage | eachBatch }), auto.offset.reset, tiny fetch sizes (KIP-74), and a
// topic that only appears after the consumer was assigned to it.

import assert from 'node:assert/strict'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { isSamsaError } from '../errors.ts'
import type { CompressionName } from '../options.ts'
import { createProducer } from '../producer/producer.ts'
import { startTestBroker, uniqueTopic } from '../testing.ts'
import { createConsumer, type Consumer, type ConsumerOptions } from './consumer.ts'
import type { ConsumerMessage } from './fetched-records.ts'
import { clientFixture } from '../test-fixture.ts'

const fx = clientFixture()

async function topicWith(numPartitions: number): Promise<string> {
  const topic = uniqueTopic()
  await fx.admin.createTopics({ topics: [{ topic, numPartitions }] })
  return topic
}

function consumer(options: Partial<ConsumerOptions> = {}): Consumer {
  return createConsumer({ bootstrapServers: fx.broker.bootstrapServers, fetchMaxWaitMs: 100, ...options })
}

async function take(c: Consumer, count: number): Promise<ConsumerMessage[]> {
  const out: ConsumerMessage[] = []
  if (count === 0) return out
  for await (const message of c) {
    out.push(message)
    if (out.length === count) break
  }
  return out
}

const text = (b: Buffer | null) => (b === null ? null : b.toString())

test('messages arrive in order per partition, with keys, headers and offsets', { timeout: 20_000 }, async () => {
  const topic = await topicWith(3)
  const sent = await fx.producer.send({
    topic,
    messages: Array.from({ length: 60 }, (_, i) => ({ key: `k${i % 7}`, value: `v${i}`, headers: { n: String(i) } })),
  })
  const c = consumer()
  try {
    c.assign([0, 1, 2].map((partition) => ({ topic, partition, offset: 0n })))
    const got = await take(c, 60)
    for (const partition of [0, 1, 2]) {
      const expected = sent.map((m, i) => ({ ...m, i })).filter((m) => m.partition === partition)
      const received = got.filter((m) => m.partition === partition)
      assert.deepEqual(
        received.map((m) => [m.offset, text(m.value), text(m.key), text(m.headers[0]?.value ?? null)]),
        expected.map((m) => [m.offset, `v${m.i}`, `k${m.i % 7}`, String(m.i)]),
      )
    }
  } finally {
    await c.close()
  }
})

for (const compression of ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as CompressionName[]) {
  test(`${compression} batches round-trip`, { timeout: 20_000 }, async () => {
    const topic = await topicWith(1)
    const p = createProducer({ bootstrapServers: fx.broker.bootstrapServers, compression, lingerMs: 1000 })
    const values = Array.from({ length: 50 }, (_, i) => `${compression}-${i}-${'x'.repeat(i * 10)}`)
    const sending = p.send({ topic, messages: values.map((value) => ({ value })) })
    await p.flush()
    await sending
    await p.close()
    const c = consumer()
    try {
      c.assign([{ topic, partition: 0, offset: 0n }])
      assert.deepEqual(
        (await take(c, 50)).map((m) => text(m.value)),
        values,
      )
    } finally {
      await c.close()
    }
  })
}

test('seek moves the position; reading continues from there', { timeout: 20_000 }, async () => {
  const topic = await topicWith(1)
  await fx.producer.send({ topic, messages: Array.from({ length: 10 }, (_, i) => ({ value: `v${i}` })) })
  const c = consumer()
  try {
    c.assign([{ topic, partition: 0, offset: 0n }])
    assert.deepEqual(
      (await take(c, 3)).map((m) => m.offset),
      [0n, 1n, 2n],
    )
    c.seek(topic, 0, 7n)
    assert.deepEqual(
      (await take(c, 3)).map((m) => m.offset),
      [7n, 8n, 9n],
    )
    assert.equal(c.position(topic, 0), 10n)
  } finally {
    await c.close()
  }
})

test('a paused partition delivers nothing until resumed', { timeout: 20_000 }, async () => {
  const topic = await topicWith(2)
  await fx.producer.send({ topic, messages: [0, 0, 1, 1, 1].map((partition, i) => ({ value: `v${i}`, partition })) })
  const c = consumer()
  try {
    c.assign([0, 1].map((partition) => ({ topic, partition, offset: 0n })))
    c.pause([{ topic, partition: 0 }])
    assert.deepEqual(c.paused(), [{ topic, partition: 0 }])
    const first = await take(c, 3)
    assert.ok(first.every((m) => m.partition === 1))
    c.resume([{ topic, partition: 0 }])
    const rest = await take(c, 2)
    assert.deepEqual(
      rest.map((m) => [m.partition, m.offset]),
      [
        [0, 0n],
        [0, 1n],
      ],
    )
  } finally {
    await c.close()
  }
})

test(
  'run({ eachMessage }) delivers until close; a throwing handler rewinds to its message',
  { timeout: 20_000 },
  async () => {
    const topic = await topicWith(1)
    await fx.producer.send({ topic, messages: Array.from({ length: 5 }, (_, i) => ({ value: `v${i}` })) })
    const c = consumer()
    try {
      c.assign([{ topic, partition: 0, offset: 0n }])
      const seen: bigint[] = []
      await assert.rejects(
        c.run({
          eachMessage: (m) => {
            if (m.offset === 2n) throw new Error('boom')
            seen.push(m.offset)
          },
        }),
        /boom/,
      )
      assert.equal(c.position(topic, 0), 2n)
      await c.run({
        eachMessage: async (m) => {
          seen.push(m.offset)
          if (m.offset === 4n) await c.close()
        },
      })
      assert.deepEqual(seen, [0n, 1n, 2n, 3n, 4n])
    } finally {
      await c.close()
    }
  },
)

test('run({ eachBatch }) hands over whole partition batches', { timeout: 20_000 }, async () => {
  const topic = await topicWith(1)
  await fx.producer.send({ topic, messages: Array.from({ length: 4 }, (_, i) => ({ value: `v${i}` })) })
  const c = consumer()
  try {
    c.assign([{ topic, partition: 0, offset: 0n }])
    const offsets: bigint[] = []
    await c.run({
      eachBatch: async (batch) => {
        assert.equal(batch.highWatermark, 4n)
        offsets.push(...batch.messages.map((m) => m.offset))
        if (offsets.length >= 4) await c.close()
      },
    })
    assert.deepEqual(offsets, [0n, 1n, 2n, 3n])
  } finally {
    await c.close()
  }
})

test('auto.offset.reset=earliest starts at the log start; none fails', { timeout: 20_000 }, async () => {
  const topic = await topicWith(1)
  await fx.producer.send({ topic, messages: [{ value: 'a' }, { value: 'b' }] })
  const earliest = consumer({ autoOffsetReset: 'earliest' })
  try {
    earliest.assign([{ topic, partition: 0 }])
    assert.deepEqual(
      (await take(earliest, 2)).map((m) => text(m.value)),
      ['a', 'b'],
    )
  } finally {
    await earliest.close()
  }
  const none = createConsumer({ bootstrapServers: fx.broker.bootstrapServers, 'auto.offset.reset': 'none' })
  try {
    none.assign([{ topic, partition: 0 }])
    await assert.rejects(none.nextBatch(), (e) => isSamsaError(e) && /auto\.offset\.reset is none/.test(e.message))
  } finally {
    await none.close()
  }
})

test('read_committed and a 1-byte partition limit still make progress (KIP-74)', { timeout: 20_000 }, async () => {
  const topic = await topicWith(1)
  await fx.producer.send({ topic, messages: Array.from({ length: 3 }, (_, i) => ({ value: `v${i}` })) })
  const c = consumer({ isolationLevel: 'read_committed', maxPartitionFetchBytes: 1, fetchMaxBytes: 1 })
  try {
    c.assign([{ topic, partition: 0, offset: 0n }])
    assert.deepEqual(
      (await take(c, 3)).map((m) => m.offset),
      [0n, 1n, 2n],
    )
  } finally {
    await c.close()
  }
})

// A caught-up partition's Fetch long-polls for fetch.max.wait.ms; it must not hold the leader while another
// partition has more to read. With a 60 s wait, this only finishes within its timeout if the partitions are fetched
// together once the buffered data is taken.
test('a caught-up partition does not hold back the others on the same leader', { timeout: 20_000 }, async () => {
  const topic = await topicWith(2)
  await fx.producer.send({ topic, messages: [{ value: 'only', partition: 0 }] })
  for (let i = 0; i < 5; i++) await fx.producer.send({ topic, messages: [{ value: `v${i}`, partition: 1 }] })
  const c = consumer({ fetchMaxWaitMs: 60_000, maxPartitionFetchBytes: 1 })
  try {
    c.assign([0, 1].map((partition) => ({ topic, partition, offset: 0n })))
    const got = await take(c, 6)
    assert.deepEqual(
      got.filter((m) => m.partition === 1).map((m) => text(m.value)),
      ['v0', 'v1', 'v2', 'v3', 'v4'],
    )
  } finally {
    await c.close()
  }
})

test('a topic created after assign is picked up by a metadata refresh', { timeout: 20_000 }, async () => {
  const topic = uniqueTopic()
  const c = consumer({ retryBackoffMs: 10, retryBackoffMaxMs: 50 })
  try {
    c.assign([{ topic, partition: 0, offset: 0n }])
    const reading = take(c, 1)
    await fx.admin.createTopics({ topics: [{ topic, numPartitions: 1 }] })
    await fx.producer.send({ topic, messages: [{ value: 'late topic' }] })
    assert.equal(text((await reading)[0]!.value), 'late topic')
  } finally {
    await c.close()
  }
})

test('read_committed stops at the last stable offset, and its lag counts to it', { timeout: 20_000 }, async () => {
  const topic = await topicWith(1)
  const producer = createProducer({
    bootstrapServers: fx.broker.bootstrapServers,
    transactionalId: uniqueTopic('tid'),
    lingerMs: 0,
  })
  const committed = consumer({ isolationLevel: 'read_committed' })
  const uncommitted = consumer({ isolationLevel: 'read_uncommitted' })
  try {
    await producer.initTransactions()
    producer.beginTransaction()
    await producer.send({ topic, messages: [{ value: 'a' }, { value: 'b' }, { value: 'c' }] })
    await producer.commitTransaction() // offsets 0-2, the marker at 3
    producer.beginTransaction()
    await producer.send({ topic, messages: [{ value: 'open-1' }, { value: 'open-2' }] }) // 4-5, still open
    committed.assign([{ topic, partition: 0, offset: 0n }])
    uncommitted.assign([{ topic, partition: 0, offset: 0n }])
    assert.deepEqual(
      (await take(committed, 3)).map((m) => text(m.value)),
      ['a', 'b', 'c'],
    )
    assert.deepEqual(
      (await take(uncommitted, 5)).map((m) => text(m.value)),
      ['a', 'b', 'c', 'open-1', 'open-2'],
    )
    const [metrics] = committed.metrics().partitions
    assert.deepEqual(
      [metrics?.highWatermark, metrics?.lastStableOffset, metrics?.position, metrics?.['records-lag']],
      [6n, 4n, 4n, 0],
    )
    await producer.abortTransaction()
  } finally {
    await committed.close()
    await uncommitted.close()
    await producer.close()
  }
})

test(
  'a corrupt batch is an error at its position, and the records after a seek past it still arrive',
  { timeout: 20_000 },
  async () => {
    let broker = await startTestBroker()
    const topic = uniqueTopic()
    const producer = createProducer({ bootstrapServers: broker.bootstrapServers, lingerMs: 0 })
    try {
      for (const value of ['fine', 'damaged', 'after']) await producer.send({ topic, messages: [{ value }] })
    } finally {
      await producer.close()
    }
    // After a clean shutdown (no recovery at start-up), flip the last byte of the second batch: its CRC no longer
    // matches, which the consumer checks (check.crcs, as in Java).
    const port = Number(broker.bootstrapServers.split(':')[1])
    await broker.stop(true)
    const segment = join(broker.dir, `${topic}-0`, '00000000000000000000.log')
    const bytes = readFileSync(segment)
    const secondEnd = firstBatchEnd(bytes) + firstBatchEnd(bytes.subarray(firstBatchEnd(bytes)))
    bytes[secondEnd - 1]! ^= 0xff
    writeFileSync(segment, bytes)
    broker = await startTestBroker({ dir: broker.dir, port })
    const c = createConsumer({ bootstrapServers: broker.bootstrapServers, fetchMaxWaitMs: 100 })
    try {
      c.assign([{ topic, partition: 0, offset: 1n }])
      await assert.rejects(c.nextBatch(), /CRC/)
      assert.equal(c.position(topic, 0), 1n, 'the position stays at the corrupt batch')
      c.seek(topic, 0, 2n)
      assert.deepEqual(
        (await take(c, 1)).map((m) => [m.offset, text(m.value)]),
        [[2n, 'after']],
      )
    } finally {
      await c.close()
      await broker.stop()
    }
  },
)

/** The byte length of the first record batch in `bytes` (offset int64 + length int32 + length). */
function firstBatchEnd(bytes: Buffer): number {
  return 12 + bytes.readInt32BE(8)
}
