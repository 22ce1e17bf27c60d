// The producer against an in-process broker: per-partition order, acks, compression codecs, keyed partitioning,
// explicit partitions, linger/flush, back-pressure and argument errors. Records are read back with the admin
// client's listOffsets and the consumer.

import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { createAdmin, type Admin } from '../admin/admin.ts'
import { isKafkaProtocolError, isSamsaError } from '../errors.ts'
import { startTestBroker, uniqueTopic, type TestBroker } from '../testing.ts'
import { keyPartition } from './murmur2.ts'
import { createProducer } from './producer.ts'

let broker: TestBroker
let admin: Admin

before(async () => {
  broker = await startTestBroker()
  admin = createAdmin({ bootstrapServers: broker.bootstrapServers })
})

after(async () => {
  await admin.close()
  await broker.stop()
})

test('records of one partition get consecutive offsets in send order', { timeout: 20_000 }, async () => {
  const topic = uniqueTopic()
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] })
  const producer = createProducer({ bootstrapServers: broker.bootstrapServers, lingerMs: 0 })
  try {
    const sends = Array.from({ length: 20 }, (_, i) => producer.send({ topic, messages: [{ value: `v${i}` }] }))
    const results = (await Promise.all(sends)).flat()
    assert.deepEqual(
      results.map((r) => r.offset),
      Array.from({ length: 20 }, (_, i) => BigInt(i)),
    )
    assert.ok(results.every((r) => r.topic === topic && r.partition === 0))
  } finally {
    await producer.close()
  }
})

for (const acks of [0, 1, -1, 'all'] as const) {
  test(`acks=${acks}`, { timeout: 20_000 }, async () => {
    const topic = uniqueTopic()
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] })
    const producer = createProducer({ bootstrapServers: broker.bootstrapServers, acks })
    try {
      const [meta] = await producer.send({ topic, messages: [{ value: 'x' }] })
      assert.equal(meta?.offset, acks === 0 ? -1n : 0n)
      if (acks === 0) {
        // No answer comes with acks=0; the next acknowledged write shows the first one landed.
        const acked = createProducer({ bootstrapServers: broker.bootstrapServers, acks: 1 })
        const [next] = await acked.send({ topic, messages: [{ value: 'y' }] })
        await acked.close()
        assert.equal(next?.offset, 1n)
      }
    } finally {
      await producer.close()
    }
  })
}

test('keyed records land on toPositive(murmur2(key)) % numPartitions', { timeout: 20_000 }, async () => {
  const topic = uniqueTopic()
  await admin.createTopics({ topics: [{ topic, numPartitions: 5 }] })
  const producer = createProducer({ bootstrapServers: broker.bootstrapServers })
  try {
    const keys = Array.from({ length: 30 }, (_, i) => `key-${i}`)
    const results = await producer.send({ topic, messages: keys.map((key) => ({ key, value: 'v' })) })
    results.forEach((r, i) => assert.equal(r.partition, keyPartition(Buffer.from(keys[i]!), 5), keys[i]))
  } finally {
    await producer.close()
  }
})

test('keyless records stick to one partition per batch; explicit partitions win', { timeout: 20_000 }, async () => {
  const topic = uniqueTopic()
  await admin.createTopics({ topics: [{ topic, numPartitions: 4 }] })
  const producer = createProducer({ bootstrapServers: broker.bootstrapServers, lingerMs: 1000, batchSize: 1 << 20 })
  try {
    const sent = producer.send({ topic, messages: Array.from({ length: 10 }, () => ({ value: 'v' })) })
    const explicit = producer.send({ topic, messages: [{ value: 'p3', partition: 3 }] })
    await producer.flush()
    const results = await sent
    assert.equal(new Set(results.map((r) => r.partition)).size, 1, 'one batch, one partition')
    assert.equal((await explicit)[0]?.partition, 3)
  } finally {
    await producer.close()
  }
})

test('a custom partitioner decides', { timeout: 20_000 }, async () => {
  const topic = uniqueTopic()
  await admin.createTopics({ topics: [{ topic, numPartitions: 3 }] })
  const producer = createProducer({
    bootstrapServers: broker.bootstrapServers,
    partitioner: ({ numPartitions }) => numPartitions - 1,
  })
  try {
    const results = await producer.send({ topic, messages: [{ value: 'a' }, { key: 'k', value: 'b' }] })
    assert.deepEqual(
      results.map((r) => r.partition),
      [2, 2],
    )
  } finally {
    await producer.close()
  }
})

test('a partitioner that throws fails its send() call', { timeout: 20_000 }, async () => {
  const topic = uniqueTopic()
  await admin.createTopics({ topics: [{ topic, numPartitions: 2 }] })
  const producer = createProducer({
    bootstrapServers: broker.bootstrapServers,
    partitioner: ({ value }) => {
      if (value?.toString() === 'boom') throw new Error('no partition for boom')
      return 1
    },
  })
  try {
    await assert.rejects(producer.send({ topic, messages: [{ value: 'a' }, { value: 'boom' }] }), /no partition/)
    // The producer goes on: the next call is delivered, after the record appended before the throw.
    const [next] = await producer.send({ topic, messages: [{ value: 'b' }] })
    assert.deepEqual([next?.partition, next?.offset], [1, 1n])
  } finally {
    await producer.close()
  }
})

test('a full buffer makes send wait for delivered batches (back-pressure)', { timeout: 20_000 }, async () => {
  const topic = uniqueTopic()
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] })
  // Room for about two records at a time: later sends wait until earlier batches are acknowledged.
  const producer = createProducer({
    bootstrapServers: broker.bootstrapServers,
    bufferMemory: 2500,
    batchSize: 1,
    lingerMs: 0,
  })
  try {
    const value = Buffer.alloc(1000, 1)
    const results = await Promise.all(Array.from({ length: 10 }, () => producer.send({ topic, messages: [{ value }] })))
    assert.deepEqual(
      results.flat().map((r) => r.offset),
      Array.from({ length: 10 }, (_, i) => BigInt(i)),
    )
  } finally {
    await producer.close()
  }
})

test('send() calls far larger than buffer.memory are delivered whole and in order', { timeout: 20_000 }, async () => {
  const topic = uniqueTopic()
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] })
  // Room for about 40 records: each call waits for memory many times over, behind its own record that did not fit.
  const producer = createProducer({ bootstrapServers: broker.bootstrapServers, bufferMemory: 5000, batchSize: 1000 })
  try {
    const value = Buffer.alloc(100, 7)
    const calls = [0, 1, 2].map(() =>
      producer.send({ topic, messages: Array.from({ length: 400 }, () => ({ value })) }),
    )
    const offsets = (await Promise.all(calls)).map((results) => results.map((r) => r.offset))
    for (const call of offsets) {
      assert.ok(
        call.every((offset, i) => i === 0 || offset > (call[i - 1] as bigint)),
        'in order within a call',
      )
    }
    assert.deepEqual(
      offsets.flat().sort((a, b) => (a < b ? -1 : 1)),
      Array.from({ length: 1200 }, (_, i) => BigInt(i)),
    )
  } finally {
    await producer.close()
  }
})

test('bad arguments fail with SAMSA_ERR_INVALID_ARGUMENT', { timeout: 20_000 }, async () => {
  const topic = uniqueTopic()
  await admin.createTopics({ topics: [{ topic, numPartitions: 2 }] })
  const producer = createProducer({ bootstrapServers: broker.bootstrapServers })
  try {
    await assert.rejects(producer.send({ topic, messages: [{ value: 'x', partition: 2 }] }), (e) => {
      return isSamsaError(e) && e.code === 'SAMSA_ERR_INVALID_ARGUMENT' && /partition 2/.test(e.message)
    })
    await assert.rejects(producer.send({ topic, messages: [{ value: 42 as unknown as string }] }), /value must be/)
    // Every message is checked before any is appended: good ones before a bad one are not sent either.
    await assert.rejects(
      producer.send({
        topic,
        messages: [
          { value: 'good', partition: 0 },
          { value: 'bad', timestamp: 1.5 },
        ],
      }),
      /timestamp must be an integer/,
    )
    await producer.flush()
    const latest = await admin.listOffsets({
      partitions: [0, 1].map((partition) => ({ topic, partition, spec: 'latest' as const })),
    })
    assert.deepEqual(
      latest.map((o) => o.offset),
      [0n, 0n],
    )
  } finally {
    await producer.close()
  }
  await assert.rejects(
    producer.send({ topic, messages: [{ value: 'late' }] }),
    (e) => isSamsaError(e) && e.code === 'SAMSA_ERR_CLOSED',
  )
})

test('an idempotent producer needs acks=all, and gets a producer id from the broker', { timeout: 20_000 }, async () => {
  assert.throws(
    () => createProducer({ bootstrapServers: broker.bootstrapServers, 'enable.idempotence': 'true', acks: 1 }),
    (e) => isSamsaError(e) && e.code === 'SAMSA_ERR_INVALID_OPTION' && /"acks" must be all/.test(e.message),
  )
  const topic = uniqueTopic()
  await admin.createTopics({ topics: [{ topic }] })
  // The broker hands out producer ids (InitProducerId), so an idempotent send goes through.
  const idempotent = createProducer({ bootstrapServers: broker.bootstrapServers, enableIdempotence: true })
  assert.equal((await idempotent.send({ topic, messages: [{ value: 'x' }] }))[0]?.offset, 0n)
  await idempotent.close()
  const plain = createProducer({ bootstrapServers: broker.bootstrapServers })
  assert.equal((await plain.send({ topic, messages: [{ value: 'x' }] }))[0]?.offset, 1n)
  await plain.close()
})

test('a batch the broker refuses leaves no gap in the idempotent sequence', { timeout: 20_000 }, async () => {
  const topic = uniqueTopic()
  await admin.createTopics({ topics: [{ topic, configs: { 'max.message.bytes': '2000' } }] })
  const producer = createProducer({ bootstrapServers: broker.bootstrapServers, lingerMs: 0 })
  try {
    await producer.send({ topic, messages: [{ value: 'a' }] })
    await assert.rejects(
      producer.send({ topic, messages: [{ value: 'x'.repeat(5000) }] }),
      (e) => isKafkaProtocolError(e) && e.errorName === 'MESSAGE_TOO_LARGE',
    )
    // Without giving the refused batch's sequence back, the broker would answer OUT_OF_ORDER_SEQUENCE_NUMBER here.
    assert.equal((await producer.send({ topic, messages: [{ value: 'b' }] }))[0]?.offset, 1n)
  } finally {
    await producer.close()
  }
})

test('partitions added after the metadata was cached are found by a refresh', { timeout: 20_000 }, async () => {
  const topic = uniqueTopic()
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] })
  const producer = createProducer({ bootstrapServers: broker.bootstrapServers })
  try {
    await producer.send({ topic, messages: [{ value: 'cached one partition' }] })
    await admin.createPartitions({ topicPartitions: [{ topic, count: 3 }] })
    const [metadata] = await producer.send({ topic, messages: [{ value: 'new partition', partition: 2 }] })
    assert.deepEqual([metadata?.partition, metadata?.offset], [2, 0n])
  } finally {
    await producer.close()
  }
})

test('send waits for a topic that does not exist yet (max.block.ms)', { timeout: 20_000 }, async () => {
  const topic = uniqueTopic()
  const producer = createProducer({
    bootstrapServers: broker.bootstrapServers,
    allowAutoTopicCreation: false,
    retryBackoffMs: 10,
    retryBackoffMaxMs: 50,
  })
  try {
    const sending = producer.send({ topic, messages: [{ value: 'waits for its topic' }] })
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] })
    assert.equal((await sending)[0]?.offset, 0n)
  } finally {
    await producer.close()
  }
})

test('a topic that never appears fails the send after max.block.ms', { timeout: 20_000 }, async () => {
  const producer = createProducer({
    bootstrapServers: broker.bootstrapServers,
    allowAutoTopicCreation: false,
    maxBlockMs: 200,
    retryBackoffMs: 10,
  })
  try {
    await assert.rejects(
      producer.send({ topic: uniqueTopic(), messages: [{ value: 'lost' }] }),
      (e) => isSamsaError(e) && e.code === 'SAMSA_ERR_TIMEOUT' && /UNKNOWN_TOPIC_OR_PARTITION/.test(String(e.message)),
    )
  } finally {
    await producer.close()
  }
})
