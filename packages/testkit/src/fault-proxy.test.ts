// The fault proxy on its own, with a raw @samsa/net Connection to a broker behind it (the test cluster): each rule
// does what it says to its API key only, counts expire, pipelined requests of several keys are told apart, frames
// split across socket chunks (both ways) are relayed intact, and a response the proxy cannot place passes as is.
// Every test is bounded by its timeout option; waits are on the rules' hit promises, never on sleeps.

import assert from 'node:assert/strict'
import { once } from 'node:events'
import { connect, createServer, type AddressInfo, type Socket } from 'node:net'
import { after, before, test } from 'node:test'
import { Connection, ConnectionClosedError, FrameDecoder, RequestTimeoutError, sizePrefix } from '@samsa/net'
import {
  ApiVersions,
  buildRecordBatch,
  decodeResponseFrame,
  encodeRequestFrame,
  ErrorCode,
  Fetch,
  ListOffsets,
  Metadata,
} from '@samsa/protocol'
import { FaultProxy } from './fault-proxy.ts'
import { startTestCluster, type TestCluster } from './test-cluster.ts'
import { createTopics, fetchAllBatches, listOffset, produceBatch, WireError } from './wire.ts'

let cluster: TestCluster
const connections: Connection[] = []

before(async () => {
  cluster = await startTestCluster()
})
after(async () => {
  for (const conn of connections) conn.destroy()
  await cluster.stop()
})

async function connectThroughProxy(): Promise<Connection> {
  const conn = await Connection.connect({ host: cluster.faults.host, port: cluster.faults.port })
  connections.push(conn)
  return conn
}

// KIP-511: a v3+ ApiVersions without a valid software name and version is refused (INVALID_REQUEST)
const softwareId = { clientSoftwareName: 'samsa-testkit', clientSoftwareVersion: '0.1.0' }
const apiVersions = (conn: Connection, timeoutMs = 10_000) =>
  conn.request(ApiVersions, 3, ApiVersions.request.make(softwareId), { timeoutMs })
const metadata = (conn: Connection, timeoutMs = 10_000) =>
  conn.request(Metadata, 9, Metadata.request.make({ topics: null }), { timeoutMs })

let topicCounter = 0
const freshTopic = () => `fault-proxy-${process.pid}-${++topicCounter}`

test(
  'drop: the response is swallowed, the request times out, the next one gets through',
  { timeout: 15_000 },
  async () => {
    const conn = await connectThroughProxy()
    const rule = cluster.faults.drop(ApiVersions.key, { count: 1 })
    try {
      await assert.rejects(apiVersions(conn, 300), RequestTimeoutError)
      assert.equal(rule.hits, 1)
      assert.equal((await apiVersions(conn)).errorCode, ErrorCode.NONE)
      assert.equal(conn.isClosed, false)
    } finally {
      cluster.faults.clear()
    }
  },
)

test('delay: the held response arrives, and the responses behind it wait for it', { timeout: 15_000 }, async () => {
  const conn = await connectThroughProxy()
  const rule = cluster.faults.delay(ApiVersions.key, 200, { count: 1 })
  try {
    const order: string[] = []
    const delayed = apiVersions(conn).then((r) => (order.push('ApiVersions'), r))
    const behind = metadata(conn).then((r) => (order.push('Metadata'), r))
    await rule.waitForHits(1)
    const [versions, described] = await Promise.all([delayed, behind])
    assert.equal(versions.errorCode, ErrorCode.NONE)
    assert.equal(described.brokers.length, 1)
    // Kafka answers a connection in request order; the proxy keeps that order while it holds a response.
    assert.deepEqual(order, ['ApiVersions', 'Metadata'])
  } finally {
    cluster.faults.clear()
  }
})

test(
  'fail: the connection closes when the request arrives, and the broker never sees it',
  { timeout: 15_000 },
  async () => {
    const conn = await connectThroughProxy()
    const topic = freshTopic()
    const rule = cluster.faults.fail(19 /* CreateTopics */, { count: 1 })
    const before = cluster.faults.requestCount(19)
    try {
      await assert.rejects(createTopics(conn, [{ name: topic, partitions: 1 }]), ConnectionClosedError)
      await conn.closed
      assert.equal(rule.hits, 1)
      assert.equal(cluster.faults.requestCount(19), before + 1)
      // Checked on the broker's own listener: the topic was never created.
      const direct = await Connection.connect(cluster.brokerAddress)
      connections.push(direct)
      await assert.rejects(
        listOffset(direct, topic, 0, -1n),
        (e) => e instanceof WireError && e.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
      )
    } finally {
      cluster.faults.clear()
    }
  },
)

test(
  'a rule with a count expires after that many hits; one without lasts until clear()',
  { timeout: 15_000 },
  async () => {
    const conn = await connectThroughProxy()
    const twice = cluster.faults.drop(ApiVersions.key, { count: 2 })
    try {
      await assert.rejects(apiVersions(conn, 200), RequestTimeoutError)
      await assert.rejects(apiVersions(conn, 200), RequestTimeoutError)
      assert.equal(twice.active, false)
      assert.equal((await apiVersions(conn)).errorCode, ErrorCode.NONE)
      assert.equal(twice.hits, 2)

      const always = cluster.faults.drop(Metadata.key)
      await assert.rejects(metadata(conn, 200), RequestTimeoutError)
      await assert.rejects(metadata(conn, 200), RequestTimeoutError)
      assert.equal(always.hits, 2)
      assert.equal(always.active, true)
      cluster.faults.clear()
      assert.equal(always.active, false)
      assert.equal((await metadata(conn)).brokers.length, 1)
    } finally {
      cluster.faults.clear()
    }
  },
)

test(
  'pipelined requests of several API keys: only the matching responses are touched',
  { timeout: 15_000 },
  async () => {
    const conn = await connectThroughProxy()
    const topic = freshTopic()
    await createTopics(conn, [{ name: topic, partitions: 1 }])
    const dropMetadata = cluster.faults.drop(Metadata.key, { count: 1 })
    const delayListOffsets = cluster.faults.delay(ListOffsets.key, 100, { count: 1 })
    try {
      const outcomes = await Promise.allSettled([
        apiVersions(conn),
        metadata(conn, 500),
        listOffset(conn, topic, 0, -1n),
        apiVersions(conn),
        metadata(conn),
      ])
      assert.deepEqual(
        outcomes.map((o) => o.status),
        ['fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled'],
      )
      assert.ok((outcomes[1] as PromiseRejectedResult).reason instanceof RequestTimeoutError)
      assert.equal((outcomes[2] as PromiseFulfilledResult<bigint>).value, 0n)
      assert.equal(dropMetadata.hits, 1)
      assert.equal(delayListOffsets.hits, 1)
    } finally {
      cluster.faults.clear()
    }
  },
)

test('frames split across chunks and packed several to a chunk are relayed intact', { timeout: 20_000 }, async () => {
  const conn = await connectThroughProxy()
  const topic = freshTopic()
  await createTopics(conn, [{ name: topic, partitions: 1 }])
  // A Fetch response of 768 KiB (under max.message.bytes) reaches the proxy in many socket chunks.
  const value = Buffer.alloc(64 << 10, 7)
  const batch = buildRecordBatch({ records: Array.from({ length: 12 }, () => ({ key: null, value })) })
  await produceBatch(conn, topic, 0, batch)
  const delayFetch = cluster.faults.delay(Fetch.key, 50, { count: 1 })
  try {
    const batches = await fetchAllBatches(conn, topic, 0) // CRC-checked by the helper
    assert.equal(batches.length, 1)
    assert.equal(batches[0]?.recordsCount, 12)
    assert.equal(batches[0]?.sizeInBytes, batch.length)
    assert.equal(delayFetch.hits, 1)

    // Three requests written as one buffer cut at odd places (one cut inside a size prefix).
    const socket = connect({ host: cluster.faults.host, port: cluster.faults.port })
    await once(socket, 'connect')
    const request = (correlationId: number, api: typeof ApiVersions | typeof Metadata) =>
      Buffer.concat(
        api === ApiVersions
          ? encodeRequestFrame(ApiVersions, 3, { correlationId, clientId: 't' }, ApiVersions.request.make(softwareId))
          : encodeRequestFrame(Metadata, 9, { correlationId, clientId: 't' }, Metadata.request.make({ topics: [] })),
      )
    const bytes = Buffer.concat([request(101, ApiVersions), request(102, Metadata), request(103, ApiVersions)])
    const dropMetadata = cluster.faults.drop(Metadata.key, { count: 1 })
    const responses = readFrames(socket, 2)
    for (const [from, to] of [
      [0, 2],
      [2, 17],
      [17, bytes.length - 30],
      [bytes.length - 30, bytes.length],
    ] as const) {
      socket.write(bytes.subarray(from, to))
      await new Promise((resolve) => setImmediate(resolve))
    }
    const frames = await responses
    socket.destroy()
    assert.deepEqual(
      frames.map((f) => f.readInt32BE(0)),
      [101, 103],
    )
    assert.equal(decodeResponseFrame(ApiVersions, 3, frames[1] as Buffer).body.errorCode, ErrorCode.NONE)
    assert.equal(dropMetadata.hits, 1)
  } finally {
    cluster.faults.clear()
  }
})

test('a response with a correlation id the proxy never saw is forwarded untouched', { timeout: 15_000 }, async () => {
  // A scripted upstream that answers every request with an extra response for a correlation id nobody sent.
  const upstream = createServer((socket: Socket) => {
    const decoder = new FrameDecoder(1 << 20)
    socket.on('data', (chunk: Buffer) => {
      for (const frame of decoder.push(chunk)) {
        const stray = Buffer.from([0, 0, 0x30, 0x39, 0xde, 0xad]) // correlation id 12345, then two bytes
        socket.write(Buffer.concat([sizePrefix(stray.length), stray]))
        const answer = Buffer.alloc(4)
        answer.writeInt32BE(frame.readInt32BE(4))
        socket.write(Buffer.concat([sizePrefix(answer.length), answer]))
      }
    })
  })
  upstream.listen(0, '127.0.0.1')
  await once(upstream, 'listening')
  const proxy = await FaultProxy.start({
    target: { host: '127.0.0.1', port: (upstream.address() as AddressInfo).port },
  })
  const socket = connect({ host: proxy.host, port: proxy.port })
  try {
    await once(socket, 'connect')
    const responses = readFrames(socket, 2)
    socket.write(
      Buffer.concat(
        encodeRequestFrame(ApiVersions, 0, { correlationId: 7, clientId: null }, ApiVersions.request.make({})),
      ),
    )
    const frames = await responses
    assert.deepEqual(frames[0], Buffer.from([0, 0, 0x30, 0x39, 0xde, 0xad]))
    assert.equal(frames[1]?.readInt32BE(0), 7)
  } finally {
    socket.destroy()
    await proxy.close()
    upstream.close()
  }
})

/** The first `count` size-prefixed frames the socket receives (without their prefixes). */
function readFrames(socket: Socket, count: number): Promise<Buffer[]> {
  const decoder = new FrameDecoder(64 << 20)
  const frames: Buffer[] = []
  return new Promise((resolve, reject) => {
    socket.on('data', (chunk: Buffer) => {
      frames.push(...decoder.push(chunk))
      if (frames.length >= count) resolve(frames.slice(0, count))
    })
    socket.once('error', reject)
    socket.once('close', () => reject(new Error(`socket closed after ${frames.length} of ${count} frames`)))
  })
}
