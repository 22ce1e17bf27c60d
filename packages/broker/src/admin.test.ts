// Admin paths against a real broker: CreatePartitions, dynamic broker configs taking effect on the data path,
// AlterConfigs replacing the override set, DescribeLogDirs and DescribeTopicPartitions pagination.

import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import {
  AlterConfigs,
  CreatePartitions,
  DeleteTopics,
  DescribeConfigs,
  DescribeLogDirs,
  DescribeTopicPartitions,
  ErrorCode,
  IncrementalAlterConfigs,
  Metadata,
  buildRecordBatch,
} from '@samsa/protocol'
import { createTopic, fetchOnce, produce, startTestBroker, type TestBroker } from './testing.ts'

function batch(value: string): Buffer {
  return buildRecordBatch({ timestamp: Date.now(), records: [{ key: null, value: Buffer.from(value) }] })
}

describe('admin', () => {
  let tb: TestBroker
  before(async () => {
    tb = await startTestBroker()
  })
  after(async () => {
    await tb.stop()
  })

  test('CreatePartitions adds partitions that can be produced to at once; errors per topic', async () => {
    const conn = await tb.connect()
    await createTopic(conn, 'growing', 1)
    const res = await conn.request(
      CreatePartitions,
      3,
      CreatePartitions.request.make({
        topics: [
          { name: 'growing', count: 3, assignments: null },
          { name: 'missing', count: 3, assignments: null },
          { name: 'growing-too', count: 1, assignments: null },
        ],
        timeoutMs: 1000,
      }),
    )
    assert.deepEqual(
      res.results.map((r) => [r.name, r.errorCode]),
      [
        ['growing', 0],
        ['missing', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
        ['growing-too', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
      ],
    )
    const meta = await conn.request(Metadata, 12, Metadata.request.make({ topics: [{ name: 'growing' }] }))
    assert.equal(meta.topics[0]?.partitions.length, 3)
    assert.equal((await produce(conn, 'growing', 2, batch('new partition'))).errorCode, 0)
    const shrink = await conn.request(
      CreatePartitions,
      3,
      CreatePartitions.request.make({ topics: [{ name: 'growing', count: 2, assignments: null }] }),
    )
    assert.equal(shrink.results[0]?.errorCode, ErrorCode.INVALID_PARTITIONS)
  })

  test('a topic deleted and created again starts empty under a new topic id', async () => {
    const conn = await tb.connect()
    const firstId = await createTopic(conn, 'reborn', 1)
    await produce(conn, 'reborn', 0, batch('old life'))
    const deleted = await conn.request(
      DeleteTopics,
      4,
      DeleteTopics.request.make({ topicNames: ['reborn'], timeoutMs: 1000 }),
    )
    assert.equal(deleted.responses[0]?.errorCode, 0)
    const secondId = await createTopic(conn, 'reborn', 1)
    assert.notEqual(secondId, firstId)
    const fresh = await fetchOnce(conn, 'reborn', 0, 0n)
    assert.deepEqual([fresh.errorCode, fresh.highWatermark, fresh.records?.length], [0, 0n, 0])
    assert.equal(
      (await fetchOnce(conn, 'reborn', 0, 0n, { version: 13, topicId: firstId })).errorCode,
      ErrorCode.UNKNOWN_TOPIC_ID,
    )
    assert.equal((await produce(conn, 'reborn', 0, batch('new life'))).baseOffset, 0n)
  })

  test('a dynamic cluster-wide message.max.bytes applies to topics without an override', async () => {
    const conn = await tb.connect()
    await createTopic(conn, 'sized', 1)
    const alter = (value: string | null, op: number) =>
      conn.request(
        IncrementalAlterConfigs,
        1,
        IncrementalAlterConfigs.request.make({
          resources: [
            { resourceType: 4, resourceName: '', configs: [{ name: 'message.max.bytes', configOperation: op, value }] },
          ],
        }),
      )
    assert.equal((await alter('100', 0)).responses[0]?.errorCode, 0)
    assert.equal((await produce(conn, 'sized', 0, batch('x'.repeat(200)))).errorCode, ErrorCode.MESSAGE_TOO_LARGE)
    const described = await conn.request(
      DescribeConfigs,
      4,
      DescribeConfigs.request.make({
        resources: [{ resourceType: 4, resourceName: '0', configurationKeys: ['message.max.bytes'] }],
        includeSynonyms: true,
      }),
    )
    const entry = described.results[0]?.configs[0]
    assert.deepEqual([entry?.value, entry?.configSource, entry?.readOnly], ['100', 3, false])
    assert.equal((await alter(null, 1)).responses[0]?.errorCode, 0)
    assert.equal((await produce(conn, 'sized', 0, batch('x'.repeat(200)))).errorCode, 0)
  })

  test('AlterConfigs replaces the whole override set; validateOnly changes nothing', async () => {
    const conn = await tb.connect()
    await createTopic(conn, 'replaced', 1, { 'retention.ms': '1000', 'segment.bytes': '1048576' })
    const overrides = async () => {
      const res = await conn.request(
        DescribeConfigs,
        4,
        DescribeConfigs.request.make({
          resources: [{ resourceType: 2, resourceName: 'replaced', configurationKeys: null }],
        }),
      )
      return (res.results[0]?.configs ?? []).filter((c) => c.configSource === 1).map((c) => `${c.name}=${c.value}`)
    }
    assert.deepEqual(await overrides(), ['retention.ms=1000', 'segment.bytes=1048576'])
    const dry = await conn.request(
      AlterConfigs,
      2,
      AlterConfigs.request.make({
        resources: [{ resourceType: 2, resourceName: 'replaced', configs: [{ name: 'retention.ms', value: '5' }] }],
        validateOnly: true,
      }),
    )
    assert.equal(dry.responses[0]?.errorCode, 0)
    assert.deepEqual(await overrides(), ['retention.ms=1000', 'segment.bytes=1048576'])
    await conn.request(
      AlterConfigs,
      2,
      AlterConfigs.request.make({
        resources: [{ resourceType: 2, resourceName: 'replaced', configs: [{ name: 'retention.ms', value: '5' }] }],
      }),
    )
    assert.deepEqual(await overrides(), ['retention.ms=5'])
  })

  test('DescribeLogDirs reports partition sizes; DescribeTopicPartitions paginates with a cursor', async () => {
    const conn = await tb.connect()
    await createTopic(conn, 'paged-a', 3)
    await createTopic(conn, 'paged-b', 2)
    await produce(conn, 'paged-a', 1, batch('sized'))
    const dirs = await conn.request(
      DescribeLogDirs,
      4,
      DescribeLogDirs.request.make({ topics: [{ topic: 'paged-a', partitions: [1] }] }),
    )
    assert.equal(dirs.results[0]?.logDir, tb.dir)
    assert.ok((dirs.results[0]?.totalBytes ?? -1n) > 0n)
    const sized = dirs.results[0]?.topics[0]?.partitions[0]
    assert.equal(sized?.partitionIndex, 1)
    assert.ok((sized?.partitionSize ?? 0n) > 0n)

    const page = (cursor: { topicName: string; partitionIndex: number } | null) =>
      conn.request(
        DescribeTopicPartitions,
        0,
        DescribeTopicPartitions.request.make({
          topics: [{ name: 'paged-b' }, { name: 'paged-a' }],
          responsePartitionLimit: 2,
          cursor,
        }),
      )
    const seen: string[] = []
    let cursor: { topicName: string; partitionIndex: number } | null = null
    for (let i = 0; i < 5; i++) {
      const res = await page(cursor)
      for (const t of res.topics) for (const p of t.partitions) seen.push(`${t.name}-${p.partitionIndex}`)
      cursor = res.nextCursor
      if (cursor === null) break
    }
    assert.deepEqual(seen, ['paged-a-0', 'paged-a-1', 'paged-a-2', 'paged-b-0', 'paged-b-1'])
    assert.equal((await fetchOnce(conn, 'paged-a', 1, 0n)).errorCode, 0)
  })
})
