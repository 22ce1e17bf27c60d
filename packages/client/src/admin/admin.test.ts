// The admin client against an in-process broker: topics (create with configs, validateOnly, errors, list,
// describe, delete), partitions, configs, records, offsets and the cluster description.

import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { ErrorCode } from '@samsa/protocol'
import { isKafkaProtocolError } from '../errors.ts'
import { createProducer } from '../producer/producer.ts'
import { startTestBroker, uniqueTopic, type TestBroker } from '../testing.ts'
import { createAdmin, type Admin } from './admin.ts'

let broker: TestBroker
let admin: Admin

before(async () => {
  broker = await startTestBroker()
  admin = createAdmin({ 'bootstrap.servers': broker.bootstrapServers, 'client.id': 'admin-test' })
})

after(async () => {
  await admin.close()
  await broker.stop()
})

test('createTopics with configs; describeTopics shows partitions and leaders', { timeout: 20_000 }, async () => {
  const topic = uniqueTopic()
  const [created] = await admin.createTopics({
    topics: [{ topic, numPartitions: 3, configs: { 'cleanup.policy': 'compact' } }],
  })
  assert.equal(created?.numPartitions, 3)
  assert.match(created?.topicId ?? '', /^[A-Za-z0-9_-]{22}$/)
  const [described] = await admin.describeTopics({ topics: [topic] })
  assert.deepEqual(
    described?.partitions.map((p) => [p.partition, p.leader]),
    [0, 1, 2].map((p) => [p, broker.broker.nodeId]),
  )
  const [configs] = await admin.describeConfigs({
    resources: [{ type: 'topic', name: topic, configNames: ['cleanup.policy'] }],
  })
  assert.deepEqual(
    configs?.configs.map((c) => [c.name, c.value, c.source]),
    [['cleanup.policy', 'compact', 'DYNAMIC_TOPIC_CONFIG']],
  )
  assert.ok((await admin.listTopics()).includes(topic))
})

test('validateOnly creates nothing; an existing topic is TOPIC_ALREADY_EXISTS', { timeout: 20_000 }, async () => {
  const topic = uniqueTopic()
  await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], validateOnly: true })
  assert.ok(!(await admin.listTopics()).includes(topic))
  await admin.createTopics({ topics: [{ topic }] })
  await assert.rejects(
    admin.createTopics({ topics: [{ topic }] }),
    (e) => isKafkaProtocolError(e) && e.errorName === 'TOPIC_ALREADY_EXISTS' && e.topic === topic && !e.retriable,
  )
})

test('several failing topics surface as one AggregateError', { timeout: 20_000 }, async () => {
  await assert.rejects(
    admin.createTopics({ topics: [{ topic: 'bad name!' }, { topic: 'also bad!' }] }),
    (e) =>
      e instanceof AggregateError &&
      e.errors.every((x) => isKafkaProtocolError(x) && x.errorCode === ErrorCode.INVALID_TOPIC_EXCEPTION),
  )
})

test('createPartitions raises the count; deleteTopics removes the topic', { timeout: 20_000 }, async () => {
  const topic = uniqueTopic()
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] })
  await admin.createPartitions({ topicPartitions: [{ topic, count: 4 }] })
  const [described] = await admin.describeTopics({ topics: [topic] })
  assert.equal(described?.partitions.length, 4)
  await admin.deleteTopics({ topics: [topic] })
  assert.ok(!(await admin.listTopics()).includes(topic))
})

test('incrementalAlterConfigs sets and deletes keys', { timeout: 20_000 }, async () => {
  const topic = uniqueTopic()
  await admin.createTopics({ topics: [{ topic }] })
  await admin.incrementalAlterConfigs({
    resources: [{ type: 'topic', name: topic, configs: [{ name: 'retention.ms', value: '1234' }] }],
  })
  const read = async () =>
    (await admin.describeConfigs({ resources: [{ type: 'topic', name: topic, configNames: ['retention.ms'] }] }))[0]
      ?.configs[0]
  assert.equal((await read())?.value, '1234')
  await admin.incrementalAlterConfigs({
    resources: [{ type: 'topic', name: topic, configs: [{ name: 'retention.ms', operation: 'delete' }] }],
  })
  assert.equal((await read())?.isDefault, true)
  const [brokerConfigs] = await admin.describeConfigs({
    resources: [{ type: 'broker', name: String(broker.broker.nodeId) }],
  })
  assert.ok(brokerConfigs?.configs.some((c) => c.name === 'log.dirs'))
})

test(
  'listOffsets (earliest, latest, by timestamp) and deleteRecords, across partitions',
  { timeout: 20_000 },
  async () => {
    const topic = uniqueTopic()
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }] })
    const producer = createProducer({ bootstrapServers: broker.bootstrapServers })
    try {
      await producer.send({
        topic,
        messages: [0, 1, 2, 3, 4].map((i) => ({ value: `v${i}`, partition: i % 2, timestamp: 1_000 * (i + 1) })),
      })
    } finally {
      await producer.close()
    }
    const offsets = async (spec: 'earliest' | 'latest' | { timestamp: number }) =>
      (await admin.listOffsets({ partitions: [0, 1].map((partition) => ({ topic, partition, spec })) })).map(
        (o) => o.offset,
      )
    assert.deepEqual(await offsets('earliest'), [0n, 0n])
    assert.deepEqual(await offsets('latest'), [3n, 2n])
    // Partition 0 holds timestamps 1000, 3000, 5000; partition 1 holds 2000, 4000.
    assert.deepEqual(await offsets({ timestamp: 3_000 }), [1n, 1n])
    const deleted = await admin.deleteRecords({ partitions: [{ topic, partition: 0, offset: 2n }] })
    assert.deepEqual(deleted, [{ topic, partition: 0, lowWatermark: 2n }])
    assert.deepEqual(await offsets('earliest'), [2n, 0n])
  },
)

test('describeCluster names this broker as controller', { timeout: 20_000 }, async () => {
  const cluster = await admin.describeCluster()
  assert.equal(cluster.controllerId, broker.broker.nodeId)
  assert.deepEqual(
    cluster.brokers.map((b) => b.port),
    [broker.broker.port],
  )
  assert.equal(cluster.clusterId, broker.broker.clusterId)
})
