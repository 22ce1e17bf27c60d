// The cluster layer under network faults, bounded by each test's timeout and free of sleeps:
// - a TCP proxy in front of the broker drops one response: the request times out (request.timeout.ms), the
//   connection is closed as Kafka's clients do, and the retry on a fresh connection succeeds (written twice
//   without idempotence, once with it: the default, KIP-679);
// - the broker stops and restarts on the same port: the producer reconnects and delivers what it buffered.

import assert from 'node:assert/strict'
import { once } from 'node:events'
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net'
import { after, test } from 'node:test'
import { DescribeCluster, Produce } from '@samsa/protocol'
import { createAdmin } from '../admin/admin.ts'
import { createConsumer } from '../consumer/consumer.ts'
import { isSamsaError } from '../errors.ts'
import { createProducer } from '../producer/producer.ts'
import { startTestBroker, uniqueTopic, type TestBroker } from '../testing.ts'

/** Forwards bytes both ways, and can swallow the next response to a request of a given API key. */
class DroppingProxy {
  readonly server: Server
  target = { host: '127.0.0.1', port: 0 }
  readonly #sockets = new Set<Socket>()
  #dropApiKey: number | null = null
  #onDropped: (() => void) | null = null

  constructor() {
    this.server = createServer((client) => this.#relay(client))
  }

  async listen(): Promise<number> {
    this.server.listen(0, '127.0.0.1')
    await once(this.server, 'listening')
    return (this.server.address() as AddressInfo).port
  }

  /** Resolves once the next response to `apiKey` has been dropped. */
  dropNextResponse(apiKey: number): Promise<void> {
    this.#dropApiKey = apiKey
    return new Promise((resolve) => (this.#onDropped = resolve))
  }

  async close(): Promise<void> {
    for (const s of this.#sockets) s.destroy()
    this.server.close()
    await once(this.server, 'close')
  }

  #relay(client: Socket): void {
    const upstream = connect(this.target)
    this.#sockets.add(client).add(upstream)
    const apiKeys = new Map<number, number>()
    client.on('data', (chunk: Buffer) => {
      for (const frame of frames(client, chunk)) apiKeys.set(frame.readInt32BE(8), frame.readInt16BE(4))
      upstream.write(chunk)
    })
    upstream.on('data', (chunk: Buffer) => {
      for (const frame of frames(upstream, chunk)) {
        const apiKey = apiKeys.get(frame.readInt32BE(4))
        if (apiKey !== undefined && apiKey === this.#dropApiKey) {
          this.#dropApiKey = null
          this.#onDropped?.()
          continue
        }
        client.write(frame)
      }
    })
    const closeBoth = () => {
      client.destroy()
      upstream.destroy()
    }
    client.on('close', closeBoth).on('error', closeBoth)
    upstream.on('close', closeBoth).on('error', closeBoth)
  }
}

/** Whole size-prefixed frames seen on `socket` so far (partial ones are kept for the next chunk). */
const pendingBytes = new WeakMap<Socket, Buffer>()
function frames(socket: Socket, chunk: Buffer): Buffer[] {
  let buffer = Buffer.concat([pendingBytes.get(socket) ?? Buffer.alloc(0), chunk])
  const out: Buffer[] = []
  while (buffer.length >= 4 && buffer.length >= 4 + buffer.readInt32BE(0)) {
    const size = 4 + buffer.readInt32BE(0)
    out.push(buffer.subarray(0, size))
    buffer = buffer.subarray(size)
  }
  pendingBytes.set(socket, buffer)
  return out
}

async function freePort(): Promise<number> {
  const probe = createServer().listen(0, '127.0.0.1')
  await once(probe, 'listening')
  const { port } = probe.address() as AddressInfo
  probe.close()
  await once(probe, 'close')
  return port
}

const cleanups: (() => Promise<void>)[] = []
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup()
})

async function brokerBehindProxy(): Promise<{ broker: TestBroker; proxy: DroppingProxy; bootstrapServers: string }> {
  const proxy = new DroppingProxy()
  const proxyPort = await proxy.listen()
  // The broker advertises the proxy, so every connection the client opens after bootstrap goes through it too.
  // RunningBroker.port then reports the advertised port, so the broker gets a port picked up front.
  const brokerPort = await freePort()
  const broker = await startTestBroker({
    port: brokerPort,
    config: { 'advertised.listeners': `PLAINTEXT://127.0.0.1:${proxyPort}` },
  })
  proxy.target.port = brokerPort
  cleanups.push(
    () => proxy.close(),
    () => broker.stop(),
  )
  return { broker, proxy, bootstrapServers: `127.0.0.1:${proxyPort}` }
}

test(
  'without idempotence, a dropped Produce response times out and the retry writes the record again',
  { timeout: 20_000 },
  async () => {
    const { proxy, bootstrapServers } = await brokerBehindProxy()
    const topic = uniqueTopic()
    const admin = createAdmin({ bootstrapServers })
    const producer = createProducer({
      bootstrapServers,
      requestTimeoutMs: 500,
      retryBackoffMs: 10,
      enableIdempotence: false,
    })
    try {
      await admin.createTopics({ topics: [{ topic }] })
      const dropped = proxy.dropNextResponse(Produce.key)
      const [metadata] = await producer.send({ topic, messages: [{ value: 'once, or twice' }] })
      await dropped
      // The first attempt was written too: the retry lands right after it (Kafka's classic at-least-once
      // duplicate, which KIP-98's idempotent producer removes).
      assert.equal(metadata?.offset, 1n)
      const [latest] = await admin.listOffsets({ partitions: [{ topic, partition: 0, spec: 'latest' }] })
      assert.equal(latest?.offset, 2n)
    } finally {
      await producer.close()
      await admin.close()
    }
  },
)

test(
  'the default (idempotent) producer retries a dropped Produce response without a duplicate',
  { timeout: 20_000 },
  async () => {
    const { proxy, bootstrapServers } = await brokerBehindProxy()
    const topic = uniqueTopic()
    const admin = createAdmin({ bootstrapServers })
    const producer = createProducer({ bootstrapServers, requestTimeoutMs: 500, retryBackoffMs: 10 })
    try {
      await admin.createTopics({ topics: [{ topic }] })
      const dropped = proxy.dropNextResponse(Produce.key)
      const [metadata] = await producer.send({ topic, messages: [{ value: 'exactly once' }] })
      await dropped
      // The retry carries the same producer id and sequence: the broker answers with the first write's offset.
      assert.equal(metadata?.offset, 0n)
      const [latest] = await admin.listOffsets({ partitions: [{ topic, partition: 0, spec: 'latest' }] })
      assert.equal(latest?.offset, 1n)
    } finally {
      await producer.close()
      await admin.close()
    }
  },
)

test('without retries the timeout surfaces as a retriable SAMSA_ERR_TIMEOUT', { timeout: 20_000 }, async () => {
  const { proxy, bootstrapServers } = await brokerBehindProxy()
  const admin = createAdmin({ bootstrapServers, requestTimeoutMs: 300, retries: 0 })
  try {
    const dropped = proxy.dropNextResponse(DescribeCluster.key)
    await assert.rejects(
      admin.describeCluster(),
      (e) => isSamsaError(e) && e.code === 'SAMSA_ERR_TIMEOUT' && e.retriable,
    )
    await dropped
    // The connection was closed on the timeout; the next call reconnects.
    assert.equal((await admin.describeCluster()).brokers.length, 1)
  } finally {
    await admin.close()
  }
})

test(
  'the producer and consumer reconnect after the broker restarts on the same port',
  { timeout: 30_000 },
  async () => {
    let broker = await startTestBroker()
    const port = broker.broker.port
    const dir = broker.dir
    cleanups.push(() => broker.stop())
    const bootstrapServers = broker.bootstrapServers
    const topic = uniqueTopic()
    const admin = createAdmin({ bootstrapServers })
    const options = { bootstrapServers, retryBackoffMs: 10, retryBackoffMaxMs: 100 }
    const producer = createProducer(options)
    const consumer = createConsumer(options)
    try {
      await admin.createTopics({ topics: [{ topic }] })
      await producer.send({ topic, messages: [{ value: 'before' }] })
      consumer.assign([{ topic, partition: 0, offset: 0n }])
      const reading = (async () => {
        const values: string[] = []
        for await (const m of consumer) {
          values.push(String(m.value))
          if (values.length === 2) return values
        }
        return values
      })()
      await broker.stop(true)
      const sending = producer.send({ topic, messages: [{ value: 'after' }] })
      broker = await startTestBroker({ dir, port })
      assert.equal((await sending)[0]?.offset, 1n)
      assert.deepEqual(await reading, ['before', 'after'])
    } finally {
      await consumer.close()
      await producer.close()
      await admin.close()
    }
  },
)

test('close({ timeoutMs }) gives up on records the stopped broker never took', { timeout: 20_000 }, async () => {
  const broker = await startTestBroker()
  const topic = uniqueTopic()
  const admin = createAdmin({ bootstrapServers: broker.bootstrapServers })
  await admin.createTopics({ topics: [{ topic }] })
  await admin.close()
  const producer = createProducer({
    bootstrapServers: broker.bootstrapServers,
    retryBackoffMs: 10,
    retryBackoffMaxMs: 50,
  })
  await producer.send({ topic, messages: [{ value: 'delivered' }] })
  await broker.stop()
  const stranded = producer.send({ topic, messages: [{ value: 'stranded' }] })
  await producer.close({ timeoutMs: 100 })
  await assert.rejects(stranded, (e) => isSamsaError(e) && e.code === 'SAMSA_ERR_CLOSED')
})
