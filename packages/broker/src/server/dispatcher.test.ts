// Dispatcher behaviour (ARCHITECTURE.md §9.5) over real sockets: ordering with a slow handler, what closes the
// connection, the KIP-511 ApiVersions fallback bytes, error responses; plus a sweep that every advertised version
// of every API answers a request without the encoder refusing a version-gated field.

import assert from 'node:assert/strict'
import { once } from 'node:events'
import { connect, type Socket } from 'node:net'
import { after, before, describe, test } from 'node:test'
import { Connection, FrameDecoder, Listener } from '@samsa/net'
import {
  ApiVersions,
  DescribeCluster,
  ErrorCode,
  Heartbeat,
  KafkaError,
  apiByKey,
  encodeRequestFrame,
  type ApiSchema,
} from '@samsa/protocol'
import { silentLogger } from '../logger.ts'
import { createTopic, startTestBroker, type TestBroker } from '../testing.ts'
import { Dispatcher } from './dispatcher.ts'
import { anyHandler, defineHandler } from './handler.ts'
import { HandlerRegistry } from './registry.ts'
import type { BrokerServices } from './request-context.ts'
import { connectionHandler } from './session.ts'

/** A raw frame: size, apiKey, apiVersion, correlationId, clientId (null), then `body`. */
function rawFrame(apiKey: number, apiVersion: number, correlationId: number, body = Buffer.alloc(0)): Buffer {
  const header = Buffer.alloc(10)
  header.writeInt16BE(apiKey, 0)
  header.writeInt16BE(apiVersion, 2)
  header.writeInt32BE(correlationId, 4)
  header.writeInt16BE(-1, 8)
  const size = Buffer.alloc(4)
  size.writeInt32BE(header.length + body.length)
  return Buffer.concat([size, header, body])
}

async function rawSocket(port: number): Promise<Socket> {
  const s = connect(port, '127.0.0.1')
  await once(s, 'connect')
  return s
}

/** Everything the peer sends until it closes the connection. */
async function readUntilClose(s: Socket): Promise<Buffer> {
  const chunks: Buffer[] = []
  s.on('data', (c: Buffer) => chunks.push(c))
  await once(s, 'close')
  return Buffer.concat(chunks)
}

describe('dispatcher against a broker', () => {
  let tb: TestBroker
  before(async () => {
    tb = await startTestBroker({ config: { 'socket.request.max.bytes': 4096 } })
  })
  after(async () => {
    await tb.stop()
  })

  test('an unsupported ApiVersions version gets a v0 body with UNSUPPORTED_VERSION and our range (KIP-511)', async () => {
    const s = await rawSocket(tb.broker.port)
    const decoder = new FrameDecoder(1 << 20)
    const got = new Promise<Buffer>((resolve) => s.on('data', (c: Buffer) => decoder.push(c).forEach(resolve)))
    s.write(rawFrame(18, 99, 42, Buffer.from([0x00, 0x01, 0x02]))) // body deliberately not v99-parseable
    const frame = await got
    // correlationId 42 | errorCode 35 | apiKeys: count 1, [18, 0, 4]; no header tags, no throttle (v0).
    assert.deepEqual(frame, Buffer.from('0000002a' + '0023' + '00000001' + '0012' + '0000' + '0004', 'hex'))
    s.destroy()
  })

  test('an unknown API key closes the connection', async () => {
    const s = await rawSocket(tb.broker.port)
    const closed = readUntilClose(s)
    s.write(rawFrame(9999, 0, 1))
    assert.equal((await closed).length, 0)
  })

  test('an unadvertised version closes the connection; so do Produce v0-2 (advertised, refused)', async () => {
    for (const [key, version] of [
      [1, 3],
      [3, 14],
      [0, 2],
      [0, 0],
    ] as const) {
      const s = await rawSocket(tb.broker.port)
      const closed = readUntilClose(s)
      s.write(rawFrame(key, version, 1, Buffer.alloc(64)))
      assert.equal((await closed).length, 0, `api ${key} v${version}`)
    }
  })

  test('a body that does not decode closes the connection, after earlier responses', async () => {
    const s = await rawSocket(tb.broker.port)
    const closed = readUntilClose(s)
    // A valid ApiVersions v0, then a Metadata v1 whose topic array claims 1,000,000 entries.
    const bad = Buffer.alloc(4)
    bad.writeInt32BE(1_000_000)
    s.write(Buffer.concat([rawFrame(18, 0, 7), rawFrame(3, 1, 8, bad)]))
    const bytes = await closed
    const frames = new FrameDecoder(1 << 20).push(bytes)
    assert.equal(frames.length, 1)
    assert.equal(frames[0]?.readInt32BE(0), 7)
  })

  test('bytes after the request body are ignored, as Kafka does (librdkafka 2.15 Metadata v13)', async () => {
    const s = await rawSocket(tb.broker.port)
    const decoder = new FrameDecoder(1 << 20)
    const got = new Promise<Buffer>((resolve) => s.on('data', (c: Buffer) => decoder.push(c).forEach(resolve)))
    // The frame librdkafka 2.15 sends: header v2 (client id, no tags), then topics=null, allowAutoTopicCreation,
    // includeClusterAuthorizedOperations (not in v13), includeTopicAuthorizedOperations, and a tag section.
    const body = Buffer.from(
      '0013' + Buffer.from('compat-confluent-js').toString('hex') + '00' + '00000000010000',
      'hex',
    )
    const header = Buffer.from('0003000d00000003', 'hex')
    const size = Buffer.alloc(4)
    size.writeInt32BE(header.length + body.length)
    s.write(Buffer.concat([size, header, body]))
    const frame = await got
    assert.equal(frame.readInt32BE(0), 3) // the correlation id: an answer, not a closed connection
    s.destroy()
  })

  test('a frame larger than socket.request.max.bytes closes the connection', async () => {
    const s = await rawSocket(tb.broker.port)
    const closed = readUntilClose(s)
    const size = Buffer.alloc(4)
    size.writeInt32BE(4097)
    s.write(size)
    assert.equal((await closed).length, 0)
  })

  test('every advertised version of every API answers (version-gated fields encode)', async () => {
    const conn = await tb.connect()
    await createTopic(conn, 'sweep', 2)
    const versions = await conn.request(ApiVersions, 0, ApiVersions.request.make())
    let checked = 0
    for (const { apiKey, minVersion, maxVersion } of versions.apiKeys) {
      const api = apiByKey(apiKey) as ApiSchema
      for (let v = apiKey === 0 ? 3 : minVersion; v <= maxVersion; v++) {
        const body = sampleRequest(apiKey, v)
        const res = await conn.request(api, v, body)
        assert.ok(res !== undefined, `${api.name} v${v}`)
        checked++
      }
    }
    assert.ok(checked > 60, `checked ${checked}`)
  })
})

/** A small, valid request per API that touches the topic "sweep" where that makes sense. */
function sampleRequest(apiKey: number, version: number): unknown {
  const api = apiByKey(apiKey) as ApiSchema
  const make = (input: object) => api.request.make(input)
  const partitions = [{ partition: 0, partitionIndex: 0, fetchOffset: 0n, partitionMaxBytes: 1024, timestamp: -1n }]
  switch (apiKey) {
    case 0:
      return make({ acks: 1, timeoutMs: 1000, topicData: [] })
    case 1:
      return make({
        maxWaitMs: 0,
        minBytes: 0,
        maxBytes: 1024,
        sessionEpoch: -1,
        topics: [{ topic: 'sweep', partitions }],
      })
    case 2:
      return make({ replicaId: -1, topics: [{ name: 'sweep', partitions }] })
    case 3:
      return make({ topics: version === 0 ? [] : null, includeTopicAuthorizedOperations: version >= 8 })
    case 18:
      return make({ clientSoftwareName: 'sweep', clientSoftwareVersion: '1' })
    case 19:
      return make({
        topics: [{ name: `sweep-${version}`, numPartitions: 1, replicationFactor: 1 }],
        validateOnly: true,
      })
    case 20:
      return make(
        version >= 6 ? { topics: [{ name: 'absent', topicId: 'AAAAAAAAAAAAAAAAAAAAAA' }] } : { topicNames: ['absent'] },
      )
    case 21:
      return make({ topics: [{ name: 'sweep', partitions: [{ partitionIndex: 1, offset: 0n }] }] })
    case 23:
      return make({ topics: [{ topic: 'sweep', partitions: [{ partition: 0, leaderEpoch: 0 }] }] })
    case 32:
      return make({
        resources: [
          { resourceType: 2, resourceName: 'sweep', configurationKeys: null },
          { resourceType: 4, resourceName: '0', configurationKeys: ['log.retention.ms', 'num.partitions'] },
        ],
        includeSynonyms: true,
        includeDocumentation: version >= 3,
      })
    case 33:
    case 44:
      return make({ resources: [{ resourceType: 2, resourceName: 'sweep', configs: [] }], validateOnly: true })
    case 35:
      return make({ topics: null })
    case 37:
      return make({ topics: [{ name: 'sweep', count: 3, assignments: null }], validateOnly: true })
    default:
      return make({})
  }
}

describe('dispatcher with test handlers', () => {
  let listener: Listener
  let release: () => void = () => {}
  let slowStarted: Promise<void>
  let markSlowStarted: () => void = () => {}

  before(async () => {
    slowStarted = new Promise<void>((r) => (markSlowStarted = r))
    const registry = new HandlerRegistry([
      // A handler that waits until the test releases it.
      anyHandler(
        defineHandler(
          DescribeCluster,
          { minVersion: 0, maxVersion: 2 },
          {
            async handle() {
              markSlowStarted()
              await new Promise<void>((r) => (release = r))
              return { ...DescribeCluster.response.make(), clusterId: 'slow' }
            },
            errorResponse: (_req, errorCode) => ({ ...DescribeCluster.response.make(), errorCode }),
          },
        ),
      ),
      // Heartbeat answers by member id: "kafka" throws a KafkaError, "bug" a plain Error.
      anyHandler(
        defineHandler(
          Heartbeat,
          { minVersion: 0, maxVersion: 4 },
          {
            handle(req) {
              if (req.memberId === 'kafka') throw new KafkaError(ErrorCode.NOT_COORDINATOR)
              if (req.memberId === 'bug') throw new Error('a bug')
              return { throttleTimeMs: 0, errorCode: 0 }
            },
            errorResponse: (_req, errorCode) => ({ throttleTimeMs: 0, errorCode }),
          },
        ),
      ),
    ])
    const dispatcher = new Dispatcher(registry, {} as BrokerServices, silentLogger)
    listener = await Listener.listen({
      host: '127.0.0.1',
      port: 0,
      maxFrameBytes: 1 << 20,
      onConnection: (session) => connectionHandler(dispatcher, session, 'PLAINTEXT', silentLogger),
    })
  })
  after(async () => {
    await listener.close()
  })

  test('a slow request holds back later responses; they leave in request order', async () => {
    const conn = await Connection.connect({ host: '127.0.0.1', port: listener.address.port })
    const order: string[] = []
    const slow = conn.request(DescribeCluster, 0, DescribeCluster.request.make()).then((r) => order.push(r.clusterId))
    const fast = [1, 2, 3].map((i) =>
      conn
        .request(Heartbeat, 4, Heartbeat.request.make({ groupId: 'g', memberId: `m${i}` }))
        .then(() => order.push(`fast${i}`)),
    )
    await slowStarted
    // The fast handlers have completed (they are synchronous); their responses wait behind the slow one.
    await new Promise((r) => setImmediate(r))
    assert.deepEqual(order, [])
    release()
    await Promise.all([slow, ...fast])
    assert.deepEqual(order, ['slow', 'fast1', 'fast2', 'fast3'])
    conn.destroy()
  })

  test('KafkaError becomes errorResponse(code); any other throw UNKNOWN_SERVER_ERROR', async () => {
    const conn = await Connection.connect({ host: '127.0.0.1', port: listener.address.port })
    const kafka = await conn.request(Heartbeat, 4, Heartbeat.request.make({ groupId: 'g', memberId: 'kafka' }))
    assert.equal(kafka.errorCode, ErrorCode.NOT_COORDINATOR)
    const bug = await conn.request(Heartbeat, 3, Heartbeat.request.make({ groupId: 'g', memberId: 'bug' }))
    assert.equal(bug.errorCode, ErrorCode.UNKNOWN_SERVER_ERROR)
    // Encoded at the request's version: the connection is still usable.
    const ok = await conn.request(Heartbeat, 0, Heartbeat.request.make({ groupId: 'g', memberId: 'ok' }))
    assert.equal(ok.errorCode, 0)
    conn.destroy()
  })

  test('raw frames still work through encodeRequestFrame', async () => {
    const s = await rawSocket(listener.address.port)
    const decoder = new FrameDecoder(1 << 20)
    const got = new Promise<Buffer>((resolve) => s.on('data', (c: Buffer) => decoder.push(c).forEach(resolve)))
    for (const chunk of encodeRequestFrame(
      Heartbeat,
      0,
      { correlationId: 5, clientId: null },
      Heartbeat.request.make(),
    )) {
      s.write(chunk)
    }
    assert.deepEqual(await got, Buffer.from('00000005' + '0000', 'hex'))
    s.destroy()
  })
})
