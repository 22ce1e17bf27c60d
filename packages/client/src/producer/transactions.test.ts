// The transactional producer against the in-process broker, scenarios after Kafka's TransactionsTest: a commit is
// visible to read_committed and an abort is not (read_uncommitted sees both); a transaction over several
// partitions and topics appears all at once; sendOffsetsToTransaction commits the group's offsets only with the
// transaction; a consume-transform-produce loop with an abort in the middle leaves every input record exactly once
// in the output; a second producer with the same transactional id fences the first (fatal PRODUCER_FENCED); misuse
// of the state machine is refused with clear errors; sequences carry on after an abort.

import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createConsumer, type Consumer } from '../consumer/consumer.ts'
import type { ConsumerMessage } from '../consumer/fetched-records.ts'
import { isKafkaProtocolError, isSamsaError } from '../errors.ts'
import type { IsolationLevelName } from '../options.ts'
import { clientFixture } from '../test-fixture.ts'
import { uniqueTopic } from '../testing.ts'
import { createProducer, type Producer, type ProducerOptions } from './producer.ts'

const fx = clientFixture()
const TIMEOUT = { timeout: 30_000 }
const SENTINEL = 'sentinel'
let readers = 0

async function topicWith(numPartitions: number): Promise<string> {
  const topic = uniqueTopic('txn')
  await fx.admin.createTopics({ topics: [{ topic, numPartitions }] })
  return topic
}

function transactional(options: Partial<ProducerOptions> = {}): Producer {
  return createProducer({
    bootstrapServers: fx.broker.bootstrapServers,
    transactionalId: uniqueTopic('tid'),
    lingerMs: 0,
    ...options,
  })
}

function consumer(isolationLevel: IsolationLevelName, options: Record<string, unknown> = {}): Consumer {
  return createConsumer({
    bootstrapServers: fx.broker.bootstrapServers,
    isolationLevel,
    fetchMaxWaitMs: 50,
    autoOffsetReset: 'earliest',
    ...options,
  })
}

/**
 * Everything in the partitions, read from offset 0 up to a non-transactional sentinel record written to each
 * partition now (so whatever came before it has been decided: committed or aborted).
 */
async function readAll(
  topics: readonly { topic: string; partitions: number }[],
  isolationLevel: IsolationLevelName,
): Promise<ConsumerMessage[]> {
  const partitions = topics.flatMap(({ topic, partitions: n }) =>
    Array.from({ length: n }, (_, partition) => ({ topic, partition })),
  )
  const sentinel = `${SENTINEL}-${++readers}`
  for (const p of partitions) await fx.producer.send({ topic: p.topic, messages: [{ value: sentinel, ...p }] })
  const c = consumer(isolationLevel)
  const out: ConsumerMessage[] = []
  let sentinels = 0
  try {
    c.assign(partitions.map((p) => ({ ...p, offset: 0n })))
    for await (const m of c) {
      const value = m.value?.toString() ?? ''
      if (value === sentinel && ++sentinels === partitions.length) break
      if (!value.startsWith(SENTINEL)) out.push(m)
    }
  } finally {
    await c.close()
  }
  return out
}

const values = (messages: readonly ConsumerMessage[]) => messages.map((m) => m.value?.toString())

const isCode = (code: string) => (e: unknown) => isSamsaError(e) && e.code === code

test('a committed transaction is visible to read_committed, an aborted one is not', TIMEOUT, async () => {
  const topic = await topicWith(1)
  const producer = transactional()
  try {
    await producer.initTransactions()
    producer.beginTransaction()
    await producer.send({ topic, messages: [{ value: 'committed-1' }, { value: 'committed-2' }] })
    await producer.commitTransaction()
    producer.beginTransaction()
    await producer.send({ topic, messages: [{ value: 'aborted-1' }] })
    await producer.abortTransaction()
    // Sequence numbers carry on after the abort: the broker accepts the next transaction's batches.
    producer.beginTransaction()
    await producer.send({ topic, messages: [{ value: 'committed-3' }] })
    await producer.commitTransaction()
  } finally {
    await producer.close()
  }
  assert.deepEqual(values(await readAll([{ topic, partitions: 1 }], 'read_committed')), [
    'committed-1',
    'committed-2',
    'committed-3',
  ])
  // read_uncommitted sees the aborted record too; neither sees the control batches (markers).
  const uncommitted = await readAll([{ topic, partitions: 1 }], 'read_uncommitted')
  assert.deepEqual(values(uncommitted), ['committed-1', 'committed-2', 'aborted-1', 'committed-3'])
  // Offsets 2 and 4 are the COMMIT and ABORT markers.
  assert.deepEqual(
    uncommitted.map((m) => m.offset),
    [0n, 1n, 3n, 5n],
  )
})

test('a transaction over several topics and partitions appears all at once', TIMEOUT, async () => {
  const [a, b] = [await topicWith(3), await topicWith(2)]
  const producer = transactional()
  const reader = consumer('read_committed', { autoOffsetReset: 'latest' })
  try {
    await producer.initTransactions()
    producer.beginTransaction()
    const sent = await Promise.all([
      producer.send({ topic: a, messages: [0, 1, 2].map((partition) => ({ value: `a${partition}`, partition })) }),
      producer.send({ topic: b, messages: [0, 1].map((partition) => ({ value: `b${partition}`, partition })) }),
    ])
    assert.equal(sent.flat().length, 5)
    // read_committed resets to `latest` = the last stable offset, which stays before the open transaction.
    reader.assign([0, 1, 2].map((partition) => ({ topic: a, partition })))
    let next = reader.nextBatch()
    const early = await Promise.race([next, new Promise((resolve) => setTimeout(() => resolve('nothing'), 500))])
    assert.equal(early, 'nothing', 'nothing of an open transaction is visible to read_committed')
    assert.deepEqual(
      [0, 1, 2].map((partition) => reader.position(a, partition)),
      [0n, 0n, 0n],
    )
    await producer.commitTransaction()
    const seen: string[] = []
    while (seen.length < 3) {
      seen.push(...values((await next)?.messages ?? []).map(String))
      if (seen.length < 3) next = reader.nextBatch()
    }
    assert.deepEqual(seen.sort(), ['a0', 'a1', 'a2'])
  } finally {
    await reader.close()
    await producer.close()
  }
  const all = await readAll(
    [
      { topic: a, partitions: 3 },
      { topic: b, partitions: 2 },
    ],
    'read_committed',
  )
  assert.deepEqual(values(all).sort(), ['a0', 'a1', 'a2', 'b0', 'b1'])
})

test('sendOffsetsToTransaction commits the offsets with the transaction, and not with an abort', TIMEOUT, async () => {
  const topic = await topicWith(2)
  const groupId = uniqueTopic('group')
  const producer = transactional()
  const reader = consumer('read_committed', { groupId, autoCommit: false })
  const partitions = [0, 1].map((partition) => ({ topic, partition }))
  try {
    await producer.initTransactions()
    producer.beginTransaction()
    await producer.sendOffsetsToTransaction([{ topic, partition: 0, offset: 5n, metadata: 'kept' }], groupId)
    await producer.abortTransaction()
    assert.deepEqual(
      (await reader.committed(partitions)).map((c) => c.offset),
      [-1n, -1n],
    )
    producer.beginTransaction()
    await producer.send({ topic, messages: [{ value: 'out' }] })
    await producer.sendOffsetsToTransaction(
      [
        { topic, partition: 0, offset: 7n, metadata: 'seven' },
        { topic, partition: 1, offset: 3n },
      ],
      groupId,
    )
    // Pending transactional offsets: OffsetFetch with requireStable answers UNSTABLE_OFFSET_COMMIT, and committed()
    // retries until the transaction ends.
    let isAnswered = false
    const pending = reader.committed(partitions).finally(() => (isAnswered = true))
    await new Promise((resolve) => setTimeout(resolve, 300))
    assert.equal(isAnswered, false, 'committed() waits while the offsets are pending')
    await producer.commitTransaction()
    const committed = await pending
    assert.deepEqual(
      committed.map((c) => [c.partition, c.offset]),
      [
        [0, 7n],
        [1, 3n],
      ],
    )
    assert.equal(committed[0]?.metadata, 'seven')
  } finally {
    await reader.close()
    await producer.close()
  }
})

test('consume-transform-produce with an abort in the middle leaves no duplicates', TIMEOUT, async () => {
  const input = await topicWith(2)
  const output = await topicWith(2)
  const groupId = uniqueTopic('group')
  const inputs = Array.from({ length: 40 }, (_, i) => `r${i}`)
  // One record batch per input record, and small fetches, so the loop goes through several transactions.
  for (const [i, value] of inputs.entries())
    await fx.producer.send({ topic: input, messages: [{ value, partition: i % 2 }] })
  const producer = transactional()
  const source = consumer('read_committed', { groupId, autoCommit: false, maxPartitionFetchBytes: 200 })
  let transactions = 0
  let aborts = 0
  try {
    await producer.initTransactions()
    source.subscribe([input])
    let done = 0
    while (done < inputs.length) {
      const batch = await source.nextBatch()
      if (batch === null) break
      producer.beginTransaction()
      await producer.send({
        topic: output,
        messages: batch.messages.map((m) => ({ value: m.value!.toString().toUpperCase(), partition: m.partition })),
      })
      const next = batch.messages.at(-1)!.offset + 1n
      await producer.sendOffsetsToTransaction(
        [{ topic: batch.topic, partition: batch.partition, offset: next }],
        source.groupMetadata(),
      )
      transactions++
      if (transactions === 2) {
        // Abort: its output never becomes visible, and its input is read again from where it started.
        await producer.abortTransaction()
        aborts++
        source.seek(batch.topic, batch.partition, batch.messages[0]!.offset)
        continue
      }
      await producer.commitTransaction()
      done += batch.messages.length
    }
    const committed = await source.committed([0, 1].map((partition) => ({ topic: input, partition })))
    assert.deepEqual(
      committed.map((c) => c.offset),
      [20n, 20n],
    )
  } finally {
    await source.close()
    await producer.close()
  }
  assert.equal(aborts, 1)
  assert.ok(transactions > 3, `several transactions (${transactions})`)
  const out = await readAll([{ topic: output, partitions: 2 }], 'read_committed')
  assert.deepEqual(values(out).sort(), inputs.map((v) => v.toUpperCase()).sort(), 'every input exactly once')
  for (const partition of [0, 1]) {
    const expected = inputs.filter((_, i) => i % 2 === partition).map((v) => v.toUpperCase())
    assert.deepEqual(values(out.filter((m) => m.partition === partition)), expected, 'in order per partition')
  }
  const everything = await readAll([{ topic: output, partitions: 2 }], 'read_uncommitted')
  assert.ok(everything.length > inputs.length, 'the aborted output was written, and skipped by read_committed')
})

test('a second producer with the same transactional id fences the first (fatal PRODUCER_FENCED)', TIMEOUT, async () => {
  const topic = await topicWith(1)
  const transactionalId = uniqueTopic('tid')
  const first = transactional({ transactionalId })
  const second = transactional({ transactionalId })
  const isFenced = (e: unknown) => isKafkaProtocolError(e) && e.errorName === 'PRODUCER_FENCED'
  try {
    await first.initTransactions()
    first.beginTransaction()
    await first.send({ topic, messages: [{ value: 'zombie' }] })
    // The new instance aborts what the first left open and bumps the epoch.
    await second.initTransactions()
    await assert.rejects(first.commitTransaction(), isFenced)
    assert.equal(first.transactionState, 'FATAL_ERROR')
    await assert.rejects(first.send({ topic, messages: [{ value: 'late' }] }), isFenced)
    assert.throws(() => first.beginTransaction(), isFenced)
    await assert.rejects(first.abortTransaction(), isFenced)
    second.beginTransaction()
    await second.send({ topic, messages: [{ value: 'current' }] })
    await second.commitTransaction()
  } finally {
    await first.close()
    await second.close()
  }
  assert.deepEqual(values(await readAll([{ topic, partitions: 1 }], 'read_committed')), ['current'])
})

test('a fenced producer learns it from its next Produce too', TIMEOUT, async () => {
  const topic = await topicWith(1)
  const transactionalId = uniqueTopic('tid')
  const first = transactional({ transactionalId })
  const second = transactional({ transactionalId })
  try {
    await first.initTransactions()
    first.beginTransaction()
    await first.send({ topic, messages: [{ value: 'enlists the partition' }] })
    await second.initTransactions()
    await assert.rejects(
      first.send({ topic, messages: [{ value: 'zombie write' }] }),
      (e) => isKafkaProtocolError(e) && e.errorName === 'PRODUCER_FENCED',
    )
    assert.equal(first.transactionState, 'FATAL_ERROR')
  } finally {
    await first.close()
    await second.close()
  }
})

test('misuse of the transaction state machine is refused with clear errors', TIMEOUT, async () => {
  const topic = await topicWith(1)
  const producer = transactional()
  const illegal = isCode('SAMSA_ERR_ILLEGAL_STATE')
  try {
    assert.throws(() => producer.beginTransaction(), illegal)
    await assert.rejects(producer.send({ topic, messages: [{ value: 'x' }] }), illegal)
    await producer.initTransactions()
    await assert.rejects(producer.initTransactions(), illegal)
    await assert.rejects(producer.send({ topic, messages: [{ value: 'x' }] }), /call beginTransaction\(\) first/)
    await assert.rejects(producer.commitTransaction(), illegal)
    await assert.rejects(producer.abortTransaction(), illegal)
    await assert.rejects(producer.sendOffsetsToTransaction([{ topic, partition: 0, offset: 1n }], 'g'), illegal)
    producer.beginTransaction()
    assert.throws(() => producer.beginTransaction(), illegal)
    // An empty transaction commits without asking the coordinator anything.
    await producer.commitTransaction()
    assert.equal(producer.transactionState, 'READY')
  } finally {
    await producer.close()
  }
  const plain = createProducer({ bootstrapServers: fx.broker.bootstrapServers })
  try {
    await assert.rejects(plain.initTransactions(), /needs the transactionalId option/)
  } finally {
    await plain.close()
  }
})

test('abortTransaction drops records not sent yet', TIMEOUT, async () => {
  const topic = await topicWith(1)
  const producer = transactional({ lingerMs: 60_000, batchSize: 1 << 20 })
  try {
    await producer.initTransactions()
    producer.beginTransaction()
    const lingering = assert.rejects(
      producer.send({ topic, messages: [{ value: 'never sent' }] }),
      isCode('SAMSA_ERR_TRANSACTION_ABORTED'),
    )
    await new Promise((resolve) => setTimeout(resolve, 50))
    await producer.abortTransaction()
    await lingering
    producer.beginTransaction()
    const kept = producer.send({ topic, messages: [{ value: 'kept' }] })
    await producer.commitTransaction()
    assert.equal((await kept)[0]?.topic, topic)
  } finally {
    await producer.close()
  }
  assert.deepEqual(values(await readAll([{ topic, partitions: 1 }], 'read_committed')), ['kept'])
})

test(
  'a failed batch makes the transaction abortable; the abort bumps the epoch and the producer goes on',
  TIMEOUT,
  async () => {
    const topic = await topicWith(1)
    await fx.admin.incrementalAlterConfigs({
      resources: [{ type: 'topic', name: topic, configs: [{ name: 'max.message.bytes', value: '2000' }] }],
    })
    const producer = transactional()
    try {
      await producer.initTransactions()
      producer.beginTransaction()
      await assert.rejects(
        producer.send({ topic, messages: [{ value: 'x'.repeat(5000) }] }),
        (e) => isKafkaProtocolError(e) && e.errorName === 'MESSAGE_TOO_LARGE',
      )
      assert.equal(producer.transactionState, 'ABORTABLE_ERROR')
      await assert.rejects(
        producer.send({ topic, messages: [{ value: 'y' }] }),
        isCode('SAMSA_ERR_TRANSACTION_ABORTABLE'),
      )
      await assert.rejects(producer.commitTransaction(), isCode('SAMSA_ERR_TRANSACTION_ABORTABLE'))
      await producer.abortTransaction()
      producer.beginTransaction()
      await producer.send({ topic, messages: [{ value: 'after' }] })
      await producer.commitTransaction()
    } finally {
      await producer.close()
    }
    assert.deepEqual(values(await readAll([{ topic, partitions: 1 }], 'read_committed')), ['after'])
  },
)

test('read_committed skips an aborted transaction interleaved with a committed one', TIMEOUT, async () => {
  // Kafka's testDelayedFetchIncludesAbortedTransaction: two producers write to one partition in turn, the first
  // aborts and the second commits. The Fetch answer lists the aborted transaction; its batches are dropped.
  const topic = await topicWith(1)
  const first = transactional()
  const second = transactional()
  try {
    await Promise.all([first.initTransactions(), second.initTransactions()])
    first.beginTransaction()
    second.beginTransaction()
    for (let i = 0; i < 3; i++) {
      await first.send({ topic, messages: [{ value: `aborted-${i}` }] })
      await second.send({ topic, messages: [{ value: `committed-${i}` }] })
    }
    await first.abortTransaction()
    await second.commitTransaction()
  } finally {
    await first.close()
    await second.close()
  }
  assert.deepEqual(values(await readAll([{ topic, partitions: 1 }], 'read_committed')), [
    'committed-0',
    'committed-1',
    'committed-2',
  ])
  // The position moves past the aborted batches and both markers, up to the end of the log.
  const c = consumer('read_committed')
  try {
    c.assign([{ topic, partition: 0, offset: 0n }])
    const [end] = await fx.admin.listOffsets({ partitions: [{ topic, partition: 0, spec: 'latest' }] })
    let seen = 0
    for await (const m of c) {
      if (m.value?.toString().startsWith('committed') === true) seen++
      if (m.value?.toString().startsWith(SENTINEL) === true) break
    }
    assert.equal(seen, 3)
    assert.equal(c.position(topic, 0), end!.offset)
  } finally {
    await c.close()
  }
})

test('a fenced producer learns it when it enlists a new partition', TIMEOUT, async () => {
  const topic = await topicWith(2)
  const transactionalId = uniqueTopic('tid')
  const first = transactional({ transactionalId })
  const second = transactional({ transactionalId })
  try {
    await first.initTransactions()
    first.beginTransaction()
    await first.send({ topic, messages: [{ value: 'p0', partition: 0 }] })
    await second.initTransactions()
    await assert.rejects(
      first.send({ topic, messages: [{ value: 'p1', partition: 1 }] }),
      (e) => isKafkaProtocolError(e) && e.errorName === 'PRODUCER_FENCED',
    )
    assert.equal(first.transactionState, 'FATAL_ERROR')
  } finally {
    await first.close()
    await second.close()
  }
})

test(
  'offsets from a consumer with a stale generation are refused (KIP-447), and the transaction aborts',
  TIMEOUT,
  async () => {
    const input = await topicWith(1)
    const groupId = uniqueTopic('group')
    await fx.producer.send({ topic: input, messages: [{ value: 'in' }] })
    const producer = transactional()
    const source = consumer('read_committed', { groupId, autoCommit: false })
    try {
      await producer.initTransactions()
      source.subscribe([input])
      const batch = await source.nextBatch()
      const member = source.groupMetadata()
      assert.ok(member.generationId >= 0 && member.memberId !== '', 'the consumer is a member of the group')
      producer.beginTransaction()
      await assert.rejects(
        producer.sendOffsetsToTransaction([{ topic: input, partition: 0, offset: 1n }], {
          ...member,
          generationId: member.generationId + 1,
        }),
        (e) => isKafkaProtocolError(e) && e.errorName === 'ILLEGAL_GENERATION',
      )
      assert.equal(producer.transactionState, 'ABORTABLE_ERROR')
      await producer.abortTransaction()
      producer.beginTransaction()
      await producer.sendOffsetsToTransaction(
        [{ topic: input, partition: 0, offset: batch!.messages[0]!.offset + 1n }],
        member,
      )
      await producer.commitTransaction()
      assert.deepEqual(
        (await source.committed([{ topic: input, partition: 0 }])).map((c) => c.offset),
        [1n],
      )
    } finally {
      await source.close()
      await producer.close()
    }
  },
)

test('a transaction timeout above transaction.max.timeout.ms is fatal at initTransactions', TIMEOUT, async () => {
  const producer = transactional({ transactionTimeoutMs: 2_000_000_000 })
  try {
    await assert.rejects(
      producer.initTransactions(),
      (e) => isKafkaProtocolError(e) && e.errorName === 'INVALID_TRANSACTION_TIMEOUT',
    )
    assert.equal(producer.transactionState, 'FATAL_ERROR')
  } finally {
    await producer.close()
  }
})

test(
  'a partition that cannot be enlisted fails the transaction; the abort finds nothing open and the producer goes on',
  TIMEOUT,
  async () => {
    const [kept, deleted] = [await topicWith(1), await topicWith(1)]
    const producer = transactional({ maxBlockMs: 1000, allowAutoTopicCreation: false })
    try {
      await producer.initTransactions()
      producer.beginTransaction()
      await producer.send({ topic: kept, messages: [{ value: 'first' }] })
      await producer.send({ topic: deleted, messages: [{ value: 'caches the metadata' }] })
      await producer.commitTransaction()
      await fx.admin.deleteTopics({ topics: [deleted] })
      producer.beginTransaction()
      // AddPartitionsToTxn answers UNKNOWN_TOPIC_OR_PARTITION until max.block.ms; the record is never sent.
      await assert.rejects(
        producer.send({ topic: deleted, messages: [{ value: 'lost' }] }),
        isCode('SAMSA_ERR_TRANSACTION_ABORTABLE'),
      )
      assert.equal(producer.transactionState, 'ABORTABLE_ERROR')
      await producer.abortTransaction()
      producer.beginTransaction()
      await producer.send({ topic: kept, messages: [{ value: 'second' }] })
      await producer.commitTransaction()
    } finally {
      await producer.close()
    }
    assert.deepEqual(values(await readAll([{ topic: kept, partitions: 1 }], 'read_committed')), ['first', 'second'])
  },
)

test('an abort with batches in flight waits for them, drops the rest, and sequences carry on', TIMEOUT, async () => {
  const topic = await topicWith(2)
  const producer = transactional({ lingerMs: 5, batchSize: 300 })
  let written = 0
  let dropped = 0
  try {
    await producer.initTransactions()
    producer.beginTransaction()
    const sends = Array.from({ length: 100 }, (_, i) =>
      producer.send({ topic, messages: [{ value: `doomed-${i}`.padEnd(60, '.'), partition: i % 2 }] }).then(
        () => written++,
        (e: unknown) => {
          assert.ok(isCode('SAMSA_ERR_TRANSACTION_ABORTED')(e), String(e))
          dropped++
        },
      ),
    )
    // Abort once the first batches are acknowledged, with more in flight or waiting behind them.
    while (written === 0) await new Promise((resolve) => setTimeout(resolve, 1))
    await producer.abortTransaction()
    await Promise.all(sends)
    assert.equal(written + dropped, 100)
    assert.ok(written > 0 && dropped > 0, `some written (${written}), some dropped (${dropped})`)
    producer.beginTransaction()
    await producer.send({ topic, messages: [0, 1].map((partition) => ({ value: `kept-${partition}`, partition })) })
    await producer.commitTransaction()
  } finally {
    await producer.close()
  }
  const committed = await readAll([{ topic, partitions: 2 }], 'read_committed')
  assert.deepEqual(values(committed).sort(), ['kept-0', 'kept-1'])
  const all = await readAll([{ topic, partitions: 2 }], 'read_uncommitted')
  assert.equal(all.length, written + 2, 'what was acknowledged before the abort was written, and nothing else')
})
