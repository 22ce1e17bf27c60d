// The client under network faults, through @samsa/testkit's test cluster (an in-process broker behind a fault
// proxy that the broker advertises, so every connection after bootstrap meets the faults too). The tests assert
// outcomes — what was written, read and committed — never timings, and wait on the proxy's hit promises instead
// of sleeping; each is bounded by its timeout option.
// - A dropped or over-long Produce response times out (request.timeout.ms); the connection is closed as Kafka's
//   clients do and the batch is resent: written twice without idempotence, once with it (the default, KIP-679).
// - A Fetch whose connection fails is resent from the same position.
// - The broker restarts under a producer and a consumer; both carry on where they were.
// - A group member whose FindCoordinator, JoinGroup or OffsetCommit answer is lost still commits the right offsets.

import assert from 'node:assert/strict'
import { after, test, type TestContext } from 'node:test'
import { startTestCluster, type TestCluster, type TestClusterOptions } from '@samsa/testkit'
import { DescribeCluster, Fetch, FindCoordinator, JoinGroup, OffsetCommit, Produce } from '@samsa/protocol'
import { createAdmin, type Admin } from '../admin/admin.ts'
import { createConsumer, type Consumer } from '../consumer/consumer.ts'
import type { ConsumerMessage } from '../consumer/fetched-records.ts'
import { isSamsaError } from '../errors.ts'
import { createProducer } from '../producer/producer.ts'
import { uniqueTopic } from '../testing.ts'

const cleanups: (() => Promise<void>)[] = []
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup()
})

/** A fresh cluster per test, so one test's rules never meet another's clients. */
async function startCluster(options: TestClusterOptions = {}): Promise<TestCluster> {
  const cluster = await startTestCluster(options)
  cleanups.push(() => cluster.stop())
  return cluster
}

/** Group settings that let a lost JoinGroup answer be retried within a test's time. */
const fastGroupBroker: TestClusterOptions = {
  config: { 'group.initial.rebalance.delay.ms': 0, 'group.min.session.timeout.ms': 500 },
}
const fastGroupMember = { sessionTimeoutMs: 3000, heartbeatIntervalMs: 200, rebalanceTimeoutMs: 2000 } as const

/** Closes `client` when the test ends, passed or failed. */
function closing<T extends { close(): Promise<void> }>(t: TestContext, client: T): T {
  t.after(() => client.close())
  return client
}

/** A fresh cluster with an admin client on it and a new one-partition topic. */
async function setUp(t: TestContext, options: TestClusterOptions = {}) {
  const cluster = await startCluster(options)
  const { bootstrapServers } = cluster
  const admin = closing(t, createAdmin({ bootstrapServers }))
  const topic = uniqueTopic()
  await admin.createTopics({ topics: [{ topic }] })
  return { cluster, bootstrapServers, topic, admin }
}

async function logEndOffset(admin: Admin, topic: string): Promise<bigint | undefined> {
  const [latest] = await admin.listOffsets({ partitions: [{ topic, partition: 0, spec: 'latest' }] })
  return latest?.offset
}

/** The next `count` messages from the consumer's iterator (which resumes after them next time). */
async function take(consumer: Consumer, count: number): Promise<ConsumerMessage[]> {
  const messages: ConsumerMessage[] = []
  if (count === 0) return messages
  for await (const message of consumer) {
    messages.push(message)
    if (messages.length === count) break
  }
  return messages
}

const values = (messages: readonly ConsumerMessage[]): string[] => messages.map((m) => String(m.value))
const numbered = (from: number, to: number): string[] => Array.from({ length: to - from }, (_, i) => `v${from + i}`)

/** Reads a partition from the start with a fresh consumer straight to the broker, past the proxy's faults. */
async function readBack(cluster: TestCluster, topic: string, count: number): Promise<string[]> {
  const { host, port } = cluster.brokerAddress
  const consumer = createConsumer({ bootstrapServers: `${host}:${port}`, fetchMaxWaitMs: 100 })
  try {
    consumer.assign([{ topic, partition: 0, offset: 0n }])
    return values(await take(consumer, count))
  } finally {
    await consumer.close()
  }
}

// A dropped Produce response times out and the batch is sent again. Without idempotence the first attempt was
// written too, and the retry lands right after it (Kafka's classic at-least-once duplicate); the default
// (idempotent) producer's retry carries the same producer id and sequence, and the broker answers with the first
// write's offset (KIP-98).
for (const { name, enableIdempotence, offset, logEnd } of [
  {
    name: 'without idempotence, a dropped Produce response times out and the retry writes the record again',
    enableIdempotence: false,
    offset: 1n,
    logEnd: 2n,
  },
  {
    name: 'the default (idempotent) producer retries a dropped Produce response without a duplicate',
    enableIdempotence: undefined,
    offset: 0n,
    logEnd: 1n,
  },
]) {
  test(name, { timeout: 20_000 }, async (t) => {
    const { cluster, bootstrapServers, topic, admin } = await setUp(t)
    const options = { bootstrapServers, requestTimeoutMs: 500, retryBackoffMs: 10 }
    const producer = closing(
      t,
      createProducer(enableIdempotence === undefined ? options : { ...options, enableIdempotence }),
    )
    const dropped = cluster.faults.drop(Produce.key, { count: 1 })
    const [metadata] = await producer.send({ topic, messages: [{ value: 'once, or twice' }] })
    assert.equal(dropped.hits, 1)
    assert.equal(metadata?.offset, offset)
    assert.equal(await logEndOffset(admin, topic), logEnd)
  })
}

test(
  'Produce responses held past request.timeout.ms are retried, and the idempotent producer writes each record once',
  { timeout: 30_000 },
  async (t) => {
    const { cluster, bootstrapServers, topic, admin } = await setUp(t)
    // Small batches and no linger: the records go out as a run of batches (one in flight per partition, as the
    // accumulator sends them), so the batch whose answer is held has sequenced batches queued behind it. It is
    // resent on a new connection with the same sequence, and every later batch must still land once and in order.
    const producer = closing(
      t,
      createProducer({
        bootstrapServers,
        requestTimeoutMs: 500,
        retryBackoffMs: 10,
        lingerMs: 0,
        batchSize: 64,
      }),
    )
    // Far longer than the request timeout: the client gives up on the connection long before it is released.
    const held = cluster.faults.delay(Produce.key, 10_000, { count: 1 })
    const sends = Array.from({ length: 5 }, (_, s) =>
      producer.send({ topic, messages: numbered(s * 4, s * 4 + 4).map((value) => ({ value })) }),
    )
    const delivered = (await Promise.all(sends)).flat()
    assert.equal(held.hits, 1)
    assert.deepEqual(
      delivered.map((m) => m.offset),
      Array.from({ length: 20 }, (_, i) => BigInt(i)),
    )
    assert.equal(await logEndOffset(admin, topic), 20n)
    assert.deepEqual(await readBack(cluster, topic, 20), numbered(0, 20))
  },
)

test('without retries the timeout surfaces as a retriable SAMSA_ERR_TIMEOUT', { timeout: 20_000 }, async (t) => {
  const cluster = await startCluster()
  const admin = closing(
    t,
    createAdmin({ bootstrapServers: cluster.bootstrapServers, requestTimeoutMs: 300, retries: 0 }),
  )
  const dropped = cluster.faults.drop(DescribeCluster.key, { count: 1 })
  await assert.rejects(admin.describeCluster(), (e) => isSamsaError(e) && e.code === 'SAMSA_ERR_TIMEOUT' && e.retriable)
  assert.equal(dropped.hits, 1)
  // The connection was closed on the timeout; the next call reconnects.
  assert.equal((await admin.describeCluster()).brokers.length, 1)
})

test(
  'a Fetch whose connection fails is resent from the same position, and the consumer reads everything in order',
  { timeout: 20_000 },
  async (t) => {
    const { cluster, bootstrapServers, topic } = await setUp(t)
    const producer = closing(t, createProducer({ bootstrapServers }))
    const consumer = closing(t, createConsumer({ bootstrapServers, fetchMaxWaitMs: 100, retryBackoffMs: 10 }))
    await producer.send({ topic, messages: numbered(0, 10).map((value) => ({ value })) })
    consumer.assign([{ topic, partition: 0, offset: 0n }])
    const read = await take(consumer, 10)
    // The next two Fetches close the consumer's connection as they arrive; the records behind them wait.
    const failed = cluster.faults.fail(Fetch.key, { count: 2 })
    const connectionsBefore = cluster.faults.connectionsAccepted
    await producer.send({ topic, messages: numbered(10, 30).map((value) => ({ value })) })
    read.push(...(await take(consumer, 20)))
    assert.equal(failed.hits, 2)
    assert.ok(cluster.faults.connectionsAccepted > connectionsBefore, 'the consumer reconnected')
    assert.deepEqual(values(read), numbered(0, 30))
    assert.deepEqual(
      read.map((m) => m.offset),
      Array.from({ length: 30 }, (_, i) => BigInt(i)),
    )
  },
)

test(
  'the broker restarts mid-stream: the producer and the consumer both carry on, nothing lost or repeated',
  { timeout: 40_000 },
  async (t) => {
    const { cluster, bootstrapServers, topic, admin } = await setUp(t)
    const retrying = { bootstrapServers, retryBackoffMs: 10, retryBackoffMaxMs: 100 }
    const producer = closing(t, createProducer(retrying))
    const consumer = closing(t, createConsumer({ ...retrying, fetchMaxWaitMs: 100 }))
    consumer.assign([{ topic, partition: 0, offset: 0n }])
    const read: string[] = []
    let consumerHalfway: () => void = () => {}
    const consumerReachedHalf = new Promise<void>((resolve) => (consumerHalfway = resolve))
    const reading = (async () => {
      for await (const message of consumer) {
        read.push(String(message.value))
        if (read.length === 20) consumerHalfway()
        if (read.length === 40) return
      }
    })()
    // One record per send, each awaited. The producer pauses after half of them until the restart begins, so the
    // rest cross it: some in flight as the broker goes away, the others sent while it is down or back.
    let sent = 0
    let producerHalfway: () => void = () => {}
    const producerReachedHalf = new Promise<void>((resolve) => (producerHalfway = resolve))
    let carryOn: () => void = () => {}
    const restarting = new Promise<void>((resolve) => (carryOn = resolve))
    const sending = (async () => {
      for (const value of numbered(0, 40)) {
        await producer.send({ topic, messages: [{ value }] })
        if (++sent === 20) {
          producerHalfway()
          await restarting
        }
      }
    })()
    await Promise.all([producerReachedHalf, consumerReachedHalf])
    let sentWhileDown = -1
    carryOn()
    await cluster.restart({ whileStopped: () => void (sentWhileDown = sent) })
    await sending
    await reading
    assert.ok(sentWhileDown < 40, `the producer was still sending when the broker stopped (${sentWhileDown} sent)`)
    assert.deepEqual(read, numbered(0, 40))
    assert.equal(await logEndOffset(admin, topic), 40n)
  },
)

test('records sent while the broker is down are delivered once it is back', { timeout: 30_000 }, async (t) => {
  const { cluster, bootstrapServers, topic } = await setUp(t)
  const retrying = { bootstrapServers, retryBackoffMs: 10, retryBackoffMaxMs: 100 }
  const producer = closing(t, createProducer(retrying))
  const consumer = closing(t, createConsumer({ ...retrying, fetchMaxWaitMs: 100 }))
  await producer.send({ topic, messages: [{ value: 'before' }] })
  consumer.assign([{ topic, partition: 0, offset: 0n }])
  const reading = take(consumer, 2)
  let sending: Promise<unknown> = Promise.resolve()
  await cluster.restart({
    whileStopped: () => {
      sending = producer.send({ topic, messages: [{ value: 'after' }] })
    },
  })
  const [metadata] = (await sending) as { offset: bigint }[]
  assert.equal(metadata?.offset, 1n)
  assert.deepEqual(values(await reading), ['before', 'after'])
})

for (const [lost, apiKey] of [
  ['FindCoordinator', FindCoordinator.key],
  ['JoinGroup', JoinGroup.key],
  ['OffsetCommit', OffsetCommit.key],
] as const) {
  test(
    `a group member whose ${lost} answer is dropped still commits the right offsets`,
    { timeout: 30_000 },
    async (t) => {
      const { cluster, bootstrapServers, topic, admin } = await setUp(t, fastGroupBroker)
      const groupId = uniqueTopic('group')
      const producer = closing(t, createProducer({ bootstrapServers }))
      const consumer = closing(
        t,
        createConsumer({
          bootstrapServers,
          ...fastGroupMember,
          groupId,
          autoCommit: false,
          autoOffsetReset: 'earliest',
          requestTimeoutMs: 1000,
          retryBackoffMs: 10,
          fetchMaxWaitMs: 100,
        }),
      )
      await producer.send({ topic, messages: numbered(0, 10).map((value) => ({ value })) })
      const dropped = cluster.faults.drop(apiKey, { count: 1 })
      consumer.subscribe([topic])
      const read: ConsumerMessage[] = []
      for await (const message of consumer) {
        read.push(message)
        if (read.length === 10) {
          await consumer.commit() // includes the message in hand
          break
        }
      }
      assert.equal(dropped.hits, 1)
      assert.deepEqual(values(read), numbered(0, 10))
      assert.deepEqual(
        (await consumer.committed([{ topic, partition: 0 }])).map((c) => c.offset),
        [10n],
      )
      const committed = await admin.listConsumerGroupOffsets({ groupId })
      assert.deepEqual(
        committed.map((c) => [c.topic, c.partition, c.offset]),
        [[topic, 0, 10n]],
      )
    },
  )
}

test('close({ timeoutMs }) gives up on records the stopped broker never took', { timeout: 20_000 }, async (t) => {
  const { cluster, bootstrapServers, topic } = await setUp(t)
  const producer = createProducer({ bootstrapServers, retryBackoffMs: 10, retryBackoffMaxMs: 50 })
  await producer.send({ topic, messages: [{ value: 'delivered' }] })
  await cluster.stop()
  const stranded = producer.send({ topic, messages: [{ value: 'stranded' }] })
  await producer.close({ timeoutMs: 100 })
  await assert.rejects(stranded, (e) => isSamsaError(e) && e.code === 'SAMSA_ERR_CLOSED')
})
