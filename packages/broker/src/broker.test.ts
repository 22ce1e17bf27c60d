// In-process integration: a real broker on an ephemeral port, raw protocol through @samsa/protocol codecs.

import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import {
  ApiVersions,
  CreateTopics,
  DeleteRecords,
  DeleteTopics,
  DescribeCluster,
  ErrorCode,
  Fetch,
  IncrementalAlterConfigs,
  ListOffsets,
  Metadata,
  OffsetForLeaderEpoch,
  RecordBatchView,
  buildRecordBatch,
  decodeBatchRecords,
  decodeResponseFrame,
  encodeRequestFrame,
  splitBatches,
} from '@samsa/protocol'
import { Connection } from '@samsa/net'
import { createTopic, fetchOnce, produce, startTestBroker, type TestBroker } from './testing.ts'

const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA'

function batch(values: string[], timestamp = Date.now(), keys?: (string | null)[]): Buffer {
  return buildRecordBatch({
    timestamp,
    records: values.map((v, i) => ({ key: keys?.[i] == null ? null : Buffer.from(keys[i]), value: Buffer.from(v) })),
  })
}

/** The batch as the broker stores it: baseOffset and partitionLeaderEpoch stamped, everything else untouched. */
function stamped(original: Buffer, baseOffset: bigint, leaderEpoch = 0): Buffer {
  const copy = Buffer.from(original)
  const view = new RecordBatchView(copy)
  view.baseOffset = baseOffset
  view.partitionLeaderEpoch = leaderEpoch
  return copy
}

describe('single broker', () => {
  let tb: TestBroker
  before(async () => {
    tb = await startTestBroker()
  })
  after(async () => {
    await tb.stop()
  })

  test('ApiVersions advertises exactly the implemented APIs with the §1.4 ranges', async () => {
    const conn = await tb.connect()
    const res = await conn.request(
      ApiVersions,
      3,
      ApiVersions.request.make({ clientSoftwareName: 'samsa-test', clientSoftwareVersion: '1.0' }),
    )
    assert.equal(res.errorCode, 0)
    const ranges = Object.fromEntries(res.apiKeys.map((k) => [k.apiKey, `${k.minVersion}-${k.maxVersion}`]))
    assert.deepEqual(ranges, {
      0: '0-12',
      1: '4-17',
      2: '0-10',
      3: '0-13',
      8: '2-9',
      9: '1-9',
      10: '0-6',
      11: '0-9',
      12: '0-4',
      13: '0-5',
      14: '0-5',
      15: '0-6',
      16: '0-5',
      18: '0-4',
      19: '2-7',
      20: '1-6',
      21: '0-2',
      22: '0-5',
      23: '2-4',
      24: '0-5',
      25: '0-4',
      26: '0-5',
      27: '0-2',
      28: '0-5',
      32: '1-4',
      33: '0-2',
      35: '1-4',
      37: '0-3',
      42: '0-2',
      44: '0-1',
      47: '0-0',
      48: '0-1',
      49: '0-1',
      60: '0-2',
      61: '0-0',
      65: '0-0',
      66: '0-2',
      68: '0-1',
      69: '0-1',
      75: '0-0',
    })
    const bad = await conn.request(
      ApiVersions,
      3,
      ApiVersions.request.make({ clientSoftwareName: '-bad name', clientSoftwareVersion: '1' }),
    )
    assert.equal(bad.errorCode, ErrorCode.INVALID_REQUEST)
  })

  test('create topic, produce, fetch back byte-equal at v12 (names) and v13 (topic ids)', async () => {
    const conn = await tb.connect()
    const topicId = await createTopic(conn, 'orders', 2)
    assert.notEqual(topicId, ZERO_UUID)
    const meta = await conn.request(Metadata, 12, Metadata.request.make({ topics: [{ name: 'orders' }] }))
    assert.equal(meta.topics[0]?.topicId, topicId)
    assert.equal(meta.topics[0]?.partitions.length, 2)
    assert.equal(meta.controllerId, tb.broker.nodeId)
    assert.equal(meta.clusterId, tb.broker.clusterId)
    assert.deepEqual(meta.brokers, [{ nodeId: 0, host: '127.0.0.1', port: tb.broker.port, rack: null }])

    const b1 = batch(['a', 'b', 'c'])
    const b2 = batch(['d'])
    const copies = [Buffer.from(b1), Buffer.from(b2)]
    const r1 = await produce(conn, 'orders', 1, b1)
    const r2 = await produce(conn, 'orders', 1, b2)
    assert.equal(r1.errorCode, 0)
    assert.equal(r1.baseOffset, 0n)
    assert.equal(r2.baseOffset, 3n)
    assert.equal(r2.logAppendTimeMs, -1n)

    const expected = Buffer.concat([stamped(copies[0] as Buffer, 0n), stamped(copies[1] as Buffer, 3n)])
    const byName = await fetchOnce(conn, 'orders', 1, 0n)
    assert.equal(byName.errorCode, 0)
    assert.equal(byName.highWatermark, 4n)
    assert.equal(byName.lastStableOffset, 4n)
    assert.deepEqual(byName.records, expected)
    const byId = await fetchOnce(conn, 'orders', 1, 0n, { version: 13, topicId })
    assert.deepEqual(byId.records, expected)
    // The whole batch holding the fetch offset comes back (the client skips records below its position).
    const middle = await fetchOnce(conn, 'orders', 1, 1n)
    assert.deepEqual(middle.records, expected)
    const unknownId = await fetchOnce(conn, 'orders', 1, 0n, { version: 13, topicId: 'AAAAAAAAAAAAAAAAAAAAAQ' })
    assert.equal(unknownId.errorCode, ErrorCode.UNKNOWN_TOPIC_ID)
    const empty = await fetchOnce(conn, 'orders', 0, 0n)
    assert.equal(empty.errorCode, 0)
    assert.deepEqual(empty.records, Buffer.alloc(0))
    const outOfRange = await fetchOnce(conn, 'orders', 1, 99n)
    assert.equal(outOfRange.errorCode, ErrorCode.OFFSET_OUT_OF_RANGE)
    // read_committed without transactions: LSO = high watermark, aborted list empty (null for read_uncommitted).
    const committed = await fetchOnce(conn, 'orders', 1, 0n, { isolationLevel: 1 })
    assert.deepEqual(committed.abortedTransactions, [])
    assert.equal(byName.abortedTransactions, null)
  })

  test('a long-polling fetch is woken by an append', async () => {
    const conn = await tb.connect()
    const producer = await tb.connect()
    await createTopic(conn, 'long-poll')
    const waiting = fetchOnce(conn, 'long-poll', 0, 0n, { maxWaitMs: 600_000, minBytes: 1 })
    // The fetch is parked in the purgatory before the produce is sent.
    while (tb.broker.waitingFetches() === 0) await new Promise((r) => setImmediate(r))
    const data = batch(['wake up'])
    const copy = Buffer.from(data)
    await produce(producer, 'long-poll', 0, data)
    const woken = await waiting
    assert.deepEqual(woken.records, stamped(copy, 0n))
  })

  test('acks=0 produce gets no response; a failing one closes the connection', async () => {
    const conn = await tb.connect()
    await createTopic(conn, 'fire-and-forget')
    await produce(conn, 'fire-and-forget', 0, batch(['x']), { acks: 0 })
    // The next request's response is the next thing on the wire.
    const meta = await conn.request(Metadata, 9, Metadata.request.make({ topics: [{ name: 'fire-and-forget' }] }))
    assert.equal(meta.topics[0]?.errorCode, 0)
    const offsets = await conn.request(
      ListOffsets,
      7,
      ListOffsets.request.make({
        replicaId: -1,
        topics: [{ name: 'fire-and-forget', partitions: [{ partitionIndex: 0, timestamp: -1n }] }],
      }),
    )
    assert.equal(offsets.topics[0]?.partitions[0]?.offset, 1n)
    await produce(conn, 'no-such-topic-here', 0, batch(['x']), { acks: 0 })
    await conn.closed
  })

  test('produce validation: CRC, size, acks, keyless records on compacted topics, LogAppendTime', async () => {
    const conn = await tb.connect()
    await createTopic(conn, 'validated', 1, { 'max.message.bytes': '200' })
    const corrupt = batch(['x'])
    corrupt.writeUInt8(corrupt.readUInt8(corrupt.length - 1) ^ 0xff, corrupt.length - 1)
    assert.equal((await produce(conn, 'validated', 0, corrupt)).errorCode, ErrorCode.CORRUPT_MESSAGE)
    const big = batch(['y'.repeat(500)])
    assert.equal((await produce(conn, 'validated', 0, big)).errorCode, ErrorCode.MESSAGE_TOO_LARGE)
    const two = Buffer.concat([batch(['a']), batch(['b'])])
    assert.equal((await produce(conn, 'validated', 0, two)).errorCode, ErrorCode.INVALID_RECORD)
    assert.equal(
      (await produce(conn, 'validated', 0, batch(['a']), { acks: 2 })).errorCode,
      ErrorCode.INVALID_REQUIRED_ACKS,
    )
    assert.equal((await produce(conn, 'nope', 0, batch(['a']))).errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
    await createTopic(conn, '__consumer_offsets', 1)
    const internal = await produce(conn, '__consumer_offsets', 0, batch(['a']))
    assert.equal(internal.errorCode, ErrorCode.INVALID_TOPIC_EXCEPTION)

    await createTopic(conn, 'compacted', 1, { 'cleanup.policy': 'compact' })
    const keyless = await produce(conn, 'compacted', 0, batch(['v1', 'v2', 'v3'], Date.now(), ['k', null, 'k']))
    assert.equal(keyless.errorCode, ErrorCode.INVALID_RECORD)
    assert.deepEqual(
      keyless.recordErrors.map((e) => e.batchIndex),
      [1],
    )
    assert.equal((await produce(conn, 'compacted', 0, batch(['v'], Date.now(), ['k']))).errorCode, 0)

    await createTopic(conn, 'append-time', 1, { 'message.timestamp.type': 'LogAppendTime' })
    const stampedResult = await produce(conn, 'append-time', 0, batch(['t'], 1000))
    assert.ok(stampedResult.logAppendTimeMs > 1000n)
    const fetched = await fetchOnce(conn, 'append-time', 0, 0n)
    const view = splitBatches(fetched.records ?? Buffer.alloc(0)).batches[0] as RecordBatchView
    assert.equal(view.timestampType, 1)
    assert.equal(view.maxTimestamp, stampedResult.logAppendTimeMs)
    assert.equal(view.problem(), null)
    assert.equal(decodeBatchRecords(view)[0]?.value?.toString(), 't')
  })

  test('ListOffsets earliest, latest, by timestamp, max timestamp; DeleteRecords moves the log start', async () => {
    const conn = await tb.connect()
    await createTopic(conn, 'offsets')
    await produce(conn, 'offsets', 0, batch(['a', 'b'], 1000))
    await produce(conn, 'offsets', 0, batch(['c'], 5000))
    await produce(conn, 'offsets', 0, batch(['d'], 3000))
    const list = async (timestamp: bigint) => {
      const res = await conn.request(
        ListOffsets,
        9,
        ListOffsets.request.make({
          replicaId: -1,
          topics: [{ name: 'offsets', partitions: [{ partitionIndex: 0, timestamp }] }],
        }),
      )
      return res.topics[0]?.partitions[0]
    }
    assert.equal((await list(-2n))?.offset, 0n)
    assert.equal((await list(-1n))?.offset, 4n)
    assert.equal((await list(2000n))?.offset, 2n)
    assert.equal((await list(2000n))?.timestamp, 5000n)
    assert.deepEqual([(await list(-3n))?.offset, (await list(-3n))?.timestamp], [2n, 5000n])
    assert.equal((await list(9999n))?.offset, -1n)

    const del = await conn.request(
      DeleteRecords,
      2,
      DeleteRecords.request.make({
        topics: [{ name: 'offsets', partitions: [{ partitionIndex: 0, offset: 2n }] }],
        timeoutMs: 1000,
      }),
    )
    assert.deepEqual(del.topics[0]?.partitions[0], { partitionIndex: 0, lowWatermark: 2n, errorCode: 0 })
    assert.equal((await list(-2n))?.offset, 2n)
    assert.equal((await fetchOnce(conn, 'offsets', 0, 0n)).errorCode, ErrorCode.OFFSET_OUT_OF_RANGE)
    const tooFar = await conn.request(
      DeleteRecords,
      2,
      DeleteRecords.request.make({
        topics: [{ name: 'offsets', partitions: [{ partitionIndex: 0, offset: 99n }] }],
        timeoutMs: 1000,
      }),
    )
    assert.equal(tooFar.topics[0]?.partitions[0]?.errorCode, ErrorCode.OFFSET_OUT_OF_RANGE)

    const epochs = await conn.request(
      OffsetForLeaderEpoch,
      4,
      OffsetForLeaderEpoch.request.make({
        topics: [{ topic: 'offsets', partitions: [{ partition: 0, currentLeaderEpoch: 0, leaderEpoch: 0 }] }],
      }),
    )
    assert.deepEqual(epochs.topics[0]?.partitions[0], { errorCode: 0, partition: 0, leaderEpoch: 0, endOffset: 4n })
  })

  test('Metadata auto-creates topics and rejects illegal names; empty list vs null', async () => {
    const conn = await tb.connect()
    const first = await conn.request(Metadata, 9, Metadata.request.make({ topics: [{ name: 'auto-made' }] }))
    assert.equal(first.topics[0]?.errorCode, ErrorCode.LEADER_NOT_AVAILABLE)
    const second = await conn.request(Metadata, 9, Metadata.request.make({ topics: [{ name: 'auto-made' }] }))
    assert.equal(second.topics[0]?.errorCode, 0)
    assert.equal(second.topics[0]?.partitions.length, 1)
    const bad = await conn.request(Metadata, 9, Metadata.request.make({ topics: [{ name: 'bad name!' }] }))
    assert.equal(bad.topics[0]?.errorCode, ErrorCode.INVALID_TOPIC_EXCEPTION)
    const noAuto = await conn.request(
      Metadata,
      9,
      Metadata.request.make({ topics: [{ name: 'not-auto' }], allowAutoTopicCreation: false }),
    )
    assert.equal(noAuto.topics[0]?.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
    const none = await conn.request(Metadata, 9, Metadata.request.make({ topics: [] }))
    assert.deepEqual(none.topics, [])
    const all = await conn.request(Metadata, 9, Metadata.request.make({ topics: null }))
    assert.ok(all.topics.some((t) => t.name === 'auto-made'))
    const v0all = await conn.request(Metadata, 0, Metadata.request.make({ topics: [] }))
    assert.ok(v0all.topics.some((t) => t.name === 'auto-made'))
  })

  test('configs: describe with sources and synonyms, incremental alter, CreateTopics errors', async () => {
    const conn = await tb.connect()
    await createTopic(conn, 'configured', 1, { 'retention.ms': '1234' })
    const { DescribeConfigs } = await import('@samsa/protocol')
    const describe = async () =>
      conn.request(
        DescribeConfigs,
        4,
        DescribeConfigs.request.make({
          resources: [{ resourceType: 2, resourceName: 'configured', configurationKeys: null }],
          includeSynonyms: true,
          includeDocumentation: true,
        }),
      )
    const res = await describe()
    const configs = res.results[0]?.configs ?? []
    const retention = configs.find((c) => c.name === 'retention.ms')
    assert.equal(retention?.value, '1234')
    assert.equal(retention?.configSource, 1)
    assert.deepEqual(
      retention?.synonyms.map((s) => [s.name, s.source]),
      [
        ['retention.ms', 1],
        ['log.retention.hours', 5],
      ],
    )
    const segment = configs.find((c) => c.name === 'segment.bytes')
    assert.deepEqual([segment?.value, segment?.configSource, segment?.configType], ['1073741824', 5, 3])
    assert.ok((segment?.documentation ?? '').length > 0)

    const alter = await conn.request(
      IncrementalAlterConfigs,
      1,
      IncrementalAlterConfigs.request.make({
        resources: [
          {
            resourceType: 2,
            resourceName: 'configured',
            configs: [
              { name: 'retention.ms', configOperation: 1, value: null },
              { name: 'cleanup.policy', configOperation: 2, value: 'compact' },
            ],
          },
          { resourceType: 2, resourceName: 'configured2', configs: [] },
          { resourceType: 4, resourceName: '0', configs: [{ name: 'num.partitions', configOperation: 0, value: '3' }] },
          {
            resourceType: 2,
            resourceName: 'configured',
            configs: [{ name: 'bogus.key', configOperation: 0, value: '1' }],
          },
        ],
      }),
    )
    assert.deepEqual(
      alter.responses.map((r) => r.errorCode),
      [0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, ErrorCode.INVALID_REQUEST, ErrorCode.INVALID_CONFIG],
    )
    const after = (await describe()).results[0]?.configs ?? []
    assert.equal(after.find((c) => c.name === 'retention.ms')?.configSource, 5)
    assert.equal(after.find((c) => c.name === 'cleanup.policy')?.value, 'delete,compact')

    const created = await conn.request(
      CreateTopics,
      7,
      CreateTopics.request.make({
        topics: [
          { name: 'configured', numPartitions: 1, replicationFactor: 1 },
          {
            name: 'bad-config',
            numPartitions: 1,
            replicationFactor: 1,
            configs: [{ name: 'retention.ms', value: 'x' }],
          },
          { name: 'too-many-replicas', numPartitions: 1, replicationFactor: 3 },
          { name: 'zero-partitions', numPartitions: 0, replicationFactor: 1 },
          { name: 'dry-run', numPartitions: 2, replicationFactor: -1 },
        ],
        validateOnly: false,
      }),
    )
    assert.deepEqual(
      created.topics.map((t) => t.errorCode),
      [
        ErrorCode.TOPIC_ALREADY_EXISTS,
        ErrorCode.INVALID_CONFIG,
        ErrorCode.INVALID_REPLICATION_FACTOR,
        ErrorCode.INVALID_PARTITIONS,
        0,
      ],
    )
    assert.equal(created.topics[4]?.numPartitions, 2)
    assert.ok((created.topics[4]?.configs ?? []).length > 20)
  })

  test('DeleteTopics by name and id; DescribeCluster', async () => {
    const conn = await tb.connect()
    const id = await createTopic(conn, 'doomed')
    const res = await conn.request(
      DeleteTopics,
      6,
      DeleteTopics.request.make({
        topics: [
          { name: null, topicId: id },
          { name: 'never-existed', topicId: ZERO_UUID },
        ],
      }),
    )
    assert.deepEqual(
      res.responses.map((r) => [r.name, r.errorCode]),
      [
        ['doomed', 0],
        ['never-existed', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
      ],
    )
    assert.equal((await fetchOnce(conn, 'doomed', 0, 0n)).errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
    const cluster = await conn.request(DescribeCluster, 1, DescribeCluster.request.make())
    assert.equal(cluster.clusterId, tb.broker.clusterId)
    assert.equal(cluster.brokers[0]?.port, tb.broker.port)
  })

  test('incremental fetch session (KIP-227) answers only partitions that changed', async () => {
    const conn = await tb.connect()
    await createTopic(conn, 'session', 3)
    const request = (sessionId: number, sessionEpoch: number, partitions: number[]) =>
      conn.request(
        Fetch,
        12,
        Fetch.request.make({
          maxWaitMs: 0,
          minBytes: 0,
          maxBytes: 1 << 20,
          sessionId,
          sessionEpoch,
          topics:
            partitions.length === 0
              ? []
              : [
                  {
                    topic: 'session',
                    partitions: partitions.map((partition) => ({
                      partition,
                      fetchOffset: 0n,
                      partitionMaxBytes: 1 << 20,
                    })),
                  },
                ],
        }),
      )
    const full = await request(0, 0, [0, 1, 2])
    assert.notEqual(full.sessionId, 0)
    assert.equal(full.responses[0]?.partitions.length, 3)
    const quiet = await request(full.sessionId, 1, [])
    assert.deepEqual(quiet.responses, [])
    await produce(conn, 'session', 1, batch(['news']))
    const changed = await request(full.sessionId, 2, [])
    assert.deepEqual(
      changed.responses[0]?.partitions.map((p) => p.partitionIndex),
      [1],
    )
    const wrongEpoch = await request(full.sessionId, 7, [])
    assert.equal(wrongEpoch.errorCode, ErrorCode.INVALID_FETCH_SESSION_EPOCH)
    const unknown = await request(12345, 1, [])
    assert.equal(unknown.errorCode, ErrorCode.FETCH_SESSION_ID_NOT_FOUND)
  })
})

test('inject runs a request frame through the dispatcher without a socket', async () => {
  const tb = await startTestBroker()
  try {
    const frame = Buffer.concat(
      encodeRequestFrame(
        Metadata,
        12,
        { correlationId: 9, clientId: 'inject' },
        Metadata.request.make({ topics: null }),
      ),
    )
    const reply = await tb.broker.inject(frame)
    assert.ok(Buffer.isBuffer(reply))
    const { correlationId, body } = decodeResponseFrame(Metadata, 12, reply.subarray(4))
    assert.equal(correlationId, 9)
    assert.equal(body.clusterId, tb.broker.clusterId)
    assert.equal(await tb.broker.inject(Buffer.from('0000000a270f0000000000010000', 'hex')), 'close')
  } finally {
    await tb.stop()
  }
})

test('restart on the same data dir: topics, ids, configs and records come back', async () => {
  const first = await startTestBroker()
  const conn = await first.connect()
  const topicId = await createTopic(conn, 'durable', 2, { 'retention.ms': '86400000' })
  const batches = [batch(['one', 'two']), batch(['three'])]
  const copies = batches.map((b) => Buffer.from(b))
  await produce(conn, 'durable', 0, batches[0] as Buffer)
  await produce(conn, 'durable', 0, batches[1] as Buffer)
  const clusterId = first.broker.clusterId
  await first.stop(false)

  const second = await startTestBroker({ dir: first.dir })
  try {
    assert.equal(second.broker.clusterId, clusterId)
    const c2 = await second.connect()
    const meta = await c2.request(Metadata, 12, Metadata.request.make({ topics: [{ name: 'durable' }] }))
    assert.equal(meta.topics[0]?.topicId, topicId)
    assert.equal(meta.topics[0]?.partitions.length, 2)
    const fetched = await fetchOnce(c2, 'durable', 0, 0n)
    assert.deepEqual(
      fetched.records,
      Buffer.concat([stamped(copies[0] as Buffer, 0n), stamped(copies[1] as Buffer, 2n)]),
    )
    assert.equal(fetched.highWatermark, 3n)
    const next = await produce(c2, 'durable', 0, batch(['four']))
    assert.equal(next.baseOffset, 3n)
  } finally {
    await second.stop()
  }
})

// Without the tail cache every read comes from the segment file; with it (the default), produce appends go through
// the writer thread's ring and reads of the tail come from memory. Either way Produce gives its request frames back
// for reuse, and the test runner poisons recycled frames (SAMSA_POISON_RECYCLED_FRAMES): bytes kept from a request
// would read back wrong.
for (const tailCacheBytes of [0, 128 * 1024 * 1024]) {
  test(`samsa.log.direct.append.min.bytes: large batches read back the same, then after a restart (tail cache ${tailCacheBytes})`, async () => {
    const config = { 'samsa.log.direct.append.min.bytes': 4096, 'samsa.log.tail.cache.bytes': tailCacheBytes }
    const first = await startTestBroker({ config })
    const conn = await first.connect()
    await createTopic(conn, 'direct', 1)
    const batches = [
      batch(['a'.repeat(300_000), 'b']),
      batch(['small']),
      batch(['c'.repeat(70_001)]),
      batch(['d'.repeat(200_000)]),
      batch(['e'.repeat(250_000)]),
    ]
    const copies = batches.map((b) => Buffer.from(b))
    let offset = 0n
    const expected: Buffer[] = []
    for (const [i, b] of batches.entries()) {
      await produce(conn, 'direct', 0, b)
      expected.push(stamped(copies[i] as Buffer, offset))
      offset += i === 0 ? 2n : 1n
    }
    assert.deepEqual((await fetchOnce(conn, 'direct', 0, 0n)).records, Buffer.concat(expected))
    await first.stop(false)
    const second = await startTestBroker({ dir: first.dir, config })
    try {
      const c2 = await second.connect()
      assert.deepEqual((await fetchOnce(c2, 'direct', 0, 0n)).records, Buffer.concat(expected))
    } finally {
      await second.stop()
    }
  })
}

test('advertised.listeners: port and Metadata name the advertised endpoint, boundPort the one to reach', async () => {
  const tb = await startTestBroker({ config: { 'advertised.listeners': 'PLAINTEXT://kafka.example:19999' } })
  try {
    assert.equal(tb.broker.host, 'kafka.example')
    assert.equal(tb.broker.port, 19999)
    assert.notEqual(tb.broker.boundPort, 19999)
    const conn = await Connection.connect({ host: '127.0.0.1', port: tb.broker.boundPort })
    try {
      const meta = await conn.request(Metadata, 9, Metadata.request.make({ topics: [] }))
      assert.deepEqual(
        meta.brokers.map((b) => [b.host, b.port]),
        [['kafka.example', 19999]],
      )
    } finally {
      conn.destroy()
    }
  } finally {
    await tb.stop()
  }
})
