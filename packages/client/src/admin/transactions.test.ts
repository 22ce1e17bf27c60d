// Transactions and producers admin (KIP-664) against the in-process broker: a transaction opened by the client's
// transactional producer is listed (with and without filters) and described as Ongoing with its partitions, then
// CompleteCommit after the commit; DescribeProducers shows the producer state the partition leader keeps. Against a
// scripted broker: an older broker without ListTransactions v1 refuses only a duration filter, and a moved
// transaction coordinator is looked up again.

import assert from 'node:assert/strict'
import { test } from 'node:test'
import { DescribeTransactions, ErrorCode, FindCoordinator, ListTransactions } from '@samsa/protocol'
import { isKafkaProtocolError, isSamsaError, SamsaErrorCode } from '../errors.ts'
import { createProducer, type Producer } from '../producer/producer.ts'
import { clientFixture } from '../test-fixture.ts'
import { uniqueTopic } from '../testing.ts'
import { createAdmin } from './admin.ts'
import { handle, SCRIPTED_NODE_ID, startScriptedBroker } from './scripted-admin-testing.ts'
import type { TransactionDescription } from './transactions.ts'

const fx = clientFixture()
const TIMEOUT = { timeout: 30_000 }
const isCode = (code: string) => (e: unknown) => isSamsaError(e) && e.code === code

async function twoPartitionTopic(): Promise<string> {
  const topic = uniqueTopic('txn-admin')
  await fx.admin.createTopics({ topics: [{ topic, numPartitions: 2 }] })
  return topic
}

/** A transactional producer with an open transaction that wrote 3 records to partition 0 and 2 to partition 1. */
async function openTransaction(topic: string): Promise<{ producer: Producer; transactionalId: string }> {
  const transactionalId = uniqueTopic('tid')
  const producer = createProducer({
    bootstrapServers: fx.broker.bootstrapServers,
    transactionalId,
    transactionTimeoutMs: 45_000,
    lingerMs: 0,
  })
  await producer.initTransactions()
  producer.beginTransaction()
  await producer.send({
    topic,
    messages: [
      { partition: 0, value: 'a' },
      { partition: 0, value: 'b' },
      { partition: 0, value: 'c' },
      { partition: 1, value: 'd' },
      { partition: 1, value: 'e' },
    ],
  })
  return { producer, transactionalId }
}

test(
  'an open transaction is listed and described as Ongoing with its partitions, then CompleteCommit',
  TIMEOUT,
  async () => {
    const topic = await twoPartitionTopic()
    const { producer, transactionalId } = await openTransaction(topic)
    try {
      const nodeId = fx.broker.broker.nodeId
      const startedBefore = Date.now()
      const [described] = await fx.admin.describeTransactions({ transactionalIds: [transactionalId] })
      const { producerId, producerEpoch } = described as TransactionDescription
      assert.ok(producerId >= 0n && producerEpoch >= 0)
      assert.equal(described?.state, 'Ongoing')
      assert.equal(described?.coordinatorId, nodeId)
      assert.equal(described?.transactionTimeoutMs, 45_000)
      assert.ok(
        (described?.transactionStartTimeMs ?? 0) > 0 && (described?.transactionStartTimeMs ?? 0) <= startedBefore,
      )
      assert.deepEqual(described?.topicPartitions, [
        { topic, partition: 0 },
        { topic, partition: 1 },
      ])

      const listing = { transactionalId, producerId, state: 'Ongoing', coordinatorId: nodeId }
      const mine = (list: readonly { transactionalId: string }[]) =>
        list.filter((t) => t.transactionalId === transactionalId)
      assert.deepEqual(mine(await fx.admin.listTransactions()), [listing])
      assert.deepEqual(mine(await fx.admin.listTransactions({ states: ['Ongoing'] })), [listing])
      assert.deepEqual(mine(await fx.admin.listTransactions({ states: ['CompleteCommit', 'Empty'] })), [])
      assert.deepEqual(await fx.admin.listTransactions({ producerIds: [producerId] }), [listing])
      // Opened well under an hour ago: a one-hour duration filter (KIP-994) leaves it out.
      assert.deepEqual(mine(await fx.admin.listTransactions({ durationFilterMs: 3_600_000 })), [])

      const producers = await fx.admin.describeProducers({
        partitions: [
          { topic, partition: 0 },
          { topic, partition: 1 },
        ],
      })
      assert.deepEqual(
        producers.map((p) => [p.topic, p.partition, p.activeProducers.map((s) => [s.producerId, s.producerEpoch])]),
        [
          [topic, 0, [[producerId, producerEpoch]]],
          [topic, 1, [[producerId, producerEpoch]]],
        ],
      )
      // Sequences count records from 0; the open transaction started at each partition's first offset.
      assert.deepEqual(
        producers.map((p) => [p.activeProducers[0]?.lastSequence, p.activeProducers[0]?.currentTransactionStartOffset]),
        [
          [2, 0n],
          [1, 0n],
        ],
      )

      await producer.commitTransaction()
      const [committed] = await fx.admin.describeTransactions({ transactionalIds: [transactionalId] })
      assert.equal(committed?.state, 'CompleteCommit')
      assert.deepEqual(committed?.topicPartitions, [])
      assert.deepEqual([committed?.producerId, committed?.producerEpoch], [producerId, producerEpoch])
      assert.deepEqual(mine(await fx.admin.listTransactions({ states: ['CompleteCommit'] })), [
        { ...listing, state: 'CompleteCommit' },
      ])
      const [afterCommit] = await fx.admin.describeProducers({ partitions: [{ topic, partition: 0 }] })
      assert.equal(afterCommit?.activeProducers[0]?.currentTransactionStartOffset, null)
      assert.equal(afterCommit?.activeProducers[0]?.lastSequence, 2)
    } finally {
      await producer.close()
    }
  },
)

test('describeProducers shows an idempotent producer with epoch 0 and its last sequence', TIMEOUT, async () => {
  const topic = await twoPartitionTopic()
  const producer = createProducer({ bootstrapServers: fx.broker.bootstrapServers, lingerMs: 0 })
  try {
    await producer.send({
      topic,
      messages: [
        { partition: 1, value: '1' },
        { partition: 1, value: '2' },
      ],
    })
    await producer.send({ topic, messages: [{ partition: 1, value: '3' }] })
    const [p0, p1] = await fx.admin.describeProducers({
      partitions: [
        { topic, partition: 0 },
        { topic, partition: 1 },
      ],
    })
    assert.deepEqual(p0, { topic, partition: 0, activeProducers: [] })
    const [state] = p1?.activeProducers ?? []
    assert.equal(p1?.activeProducers.length, 1)
    assert.ok((state?.producerId ?? -1n) >= 0n)
    assert.equal(state?.producerEpoch, 0)
    assert.equal(state?.lastSequence, 2)
    assert.equal(state?.currentTransactionStartOffset, null)
    assert.ok(Number(state?.lastTimestamp) > 0)
  } finally {
    await producer.close()
  }
})

test('describeTransactions of an unknown transactional id is TRANSACTIONAL_ID_NOT_FOUND', TIMEOUT, async () => {
  const transactionalId = uniqueTopic('never-used')
  await assert.rejects(
    fx.admin.describeTransactions({ transactionalIds: [transactionalId] }),
    (e: unknown) =>
      isKafkaProtocolError(e) &&
      e.errorCode === ErrorCode.TRANSACTIONAL_ID_NOT_FOUND &&
      e.message.includes(transactionalId),
  )
})

test('bad arguments are refused before anything is sent, naming the field', TIMEOUT, async () => {
  const invalid = isCode(SamsaErrorCode.INVALID_ARGUMENT)
  await assert.rejects(
    fx.admin.listTransactions({ states: ['Ongoing', 'Running' as 'Ongoing'] }),
    (e: unknown) => invalid(e) && (e as Error).message.startsWith('states[1]'),
  )
  await assert.rejects(fx.admin.listTransactions({ durationFilterMs: -5 }), invalid)
  await assert.rejects(fx.admin.describeTransactions({ transactionalIds: [] }), invalid)
  await assert.rejects(
    fx.admin.describeProducers({ partitions: [{ topic: 'x', partition: -1 }] }),
    (e: unknown) => invalid(e) && (e as Error).message.startsWith('partitions[0].partition'),
  )
})

test('a broker without ListTransactions v1 refuses only a duration filter', TIMEOUT, async () => {
  const broker = await startScriptedBroker(
    [
      handle(ListTransactions, (body) =>
        ListTransactions.response.make({
          transactionStates: [
            { transactionalId: 'old-1', producerId: 7n, transactionState: body.stateFilters[0] ?? 'Empty' },
          ],
        }),
      ),
    ],
    { [ListTransactions.key]: 0 },
  )
  const admin = createAdmin({ bootstrapServers: broker.bootstrapServers, retryBackoffMs: 1 })
  try {
    assert.deepEqual(await admin.listTransactions({ states: ['Ongoing'], producerIds: [7n] }), [
      { transactionalId: 'old-1', producerId: 7n, state: 'Ongoing', coordinatorId: SCRIPTED_NODE_ID },
    ])
    assert.deepEqual(
      broker.seen.get(ListTransactions.key)?.map(({ version, body }) => ({ version, body })),
      [
        {
          version: 0,
          body: {
            stateFilters: ['Ongoing'],
            producerIdFilters: [7n],
            durationFilter: -1n,
            transactionalIdPattern: null,
          },
        },
      ],
    )
    await assert.rejects(
      admin.listTransactions({ durationFilterMs: 1000 }),
      (e: unknown) =>
        isCode(SamsaErrorCode.UNSUPPORTED_VERSION)(e) && /ListTransactions v0; durationFilterMs/.test(String(e)),
    )
    assert.equal(broker.seen.get(ListTransactions.key)?.length, 1, 'nothing was sent for the refused call')
  } finally {
    await admin.close()
  }
})

test('describeTransactions looks the coordinator up again after NOT_COORDINATOR', TIMEOUT, async () => {
  let answers = 0
  const broker = await startScriptedBroker([
    handle(FindCoordinator, (body, version) =>
      FindCoordinator.response.make(
        version >= 4
          ? {
              coordinators: body.coordinatorKeys.map((key) => ({
                key,
                nodeId: SCRIPTED_NODE_ID,
                host: '127.0.0.1',
                port: port(),
              })),
            }
          : { nodeId: SCRIPTED_NODE_ID, host: '127.0.0.1', port: port() },
      ),
    ),
    handle(DescribeTransactions, (body) =>
      DescribeTransactions.response.make({
        transactionStates: body.transactionalIds.map((transactionalId) => ({
          errorCode: ++answers === 1 ? ErrorCode.NOT_COORDINATOR : ErrorCode.NONE,
          transactionalId,
          transactionState: 'PrepareAbort',
          transactionTimeoutMs: 60_000,
          transactionStartTimeMs: 1_700_000_000_000n,
          producerId: 42n,
          producerEpoch: 3,
          topics: [{ topic: 'orders', partitions: [4, 1] }],
        })),
      }),
    ),
  ])
  const port = () => Number(broker.bootstrapServers.split(':')[1])
  const admin = createAdmin({ bootstrapServers: broker.bootstrapServers, retryBackoffMs: 1 })
  try {
    const described = await admin.describeTransactions({ transactionalIds: ['t-1'] })
    assert.deepEqual(described, [
      {
        transactionalId: 't-1',
        coordinatorId: SCRIPTED_NODE_ID,
        state: 'PrepareAbort',
        producerId: 42n,
        producerEpoch: 3,
        transactionTimeoutMs: 60_000,
        transactionStartTimeMs: 1_700_000_000_000,
        topicPartitions: [
          { topic: 'orders', partition: 4 },
          { topic: 'orders', partition: 1 },
        ],
      },
    ])
    const lookups = broker.seen.get(FindCoordinator.key) ?? []
    assert.equal(lookups.length, 2, 'a second FindCoordinator after NOT_COORDINATOR')
    for (const l of lookups) assert.equal((l.body as { keyType: number }).keyType, 1)
    assert.equal(broker.seen.get(DescribeTransactions.key)?.length, 2)
  } finally {
    await admin.close()
  }
})
