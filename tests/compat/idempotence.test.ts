// Idempotence under retries (issue 5): idempotent producers (kcat 1.7.1 and confluent-kafka-python 1.7.0, both
// librdkafka 2.0.2 with enable.idempotence=true; @confluentinc/kafka-javascript 1.10, kafkajs 2.2.4 and
// @platformatic/kafka 2.x, the last in a Node 22 child, with idempotent: true) write through a TCP proxy that swallows some Produce responses and then cuts the connection,
// a bounded number of times. The client cannot know whether those batches were written, so it sends them again
// with the same producer id, epoch and sequence; the broker must recognise every retry (KIP-98) and answer with the
// original offsets. Afterwards a raw Fetch of the whole topic must hold every record exactly once (with the
// broker's duplicate detection switched off, every one of these tests finds records stored twice).
//
// The broker advertises the proxy's address, so every connection to the partition leader goes through it.
// librdkafka clients bootstrap through a second proxy that drops nothing: they give up when all their
// connections are down at once, which a single shared address would make happen at every cut.

import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer, Socket, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import ckjs from '@confluentinc/kafka-javascript'
import kafkajs from 'kafkajs'
import { consoleLogger, silentLogger, startBroker, type RunningBroker } from '@samsa/broker'
import { Connection } from '@samsa/net'
import { CreateTopics, Fetch, decodeBatchRecords, splitBatches } from '@samsa/protocol'
import { run } from './lib/processes.ts'
import { repoRoot } from './lib/target.ts'

const KCAT = process.env.COMPAT_KCAT ?? 'kcat'
const PYTHON = process.env.COMPAT_PYTHON ?? '/usr/bin/python3'
/** confluent-kafka-python: python-0 … python-(n-1) to partition 0, failing unless every delivery report is a success. */
const PYTHON_PRODUCER = `
import sys
from confluent_kafka import Producer
bootstrap, topic, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
errors = []
def report(err, msg):
    if err is not None:
        errors.append(str(err))
p = Producer({'bootstrap.servers': bootstrap, 'enable.idempotence': True, 'linger.ms': 0, 'batch.num.messages': 10})
for i in range(n):
    while True:
        try:
            p.produce(topic, value=('python-%d' % i).encode(), partition=0, on_delivery=report)
            break
        except BufferError:
            p.poll(0.1)
    p.poll(0)
remaining = p.flush(60)
if remaining or errors:
    sys.stderr.write('undelivered %d, errors %s\\n' % (remaining, errors[:5]))
    sys.exit(1)
`
const WITH_NODE22 = join(repoRoot, 'scripts/with-node22.sh')
const PLATFORMATIC_PRODUCER = join(repoRoot, 'tests/compat/clients/platformatic-idempotent.ts')
const PRODUCE = 0
const RECORDS = 1000

/** Forwards frames both ways; every `dropEvery`-th Produce response (up to `maxDrops`) is dropped, the connection cut. */
class DroppingProxy {
  readonly #server: Server
  readonly #sockets = new Set<Socket>()
  #produceResponses = 0
  drops = 0

  /** Where connections go; set once the broker has bound its port. */
  target: { host: string; port: number }
  readonly #dropEvery: number
  #maxDrops: number

  constructor(target: { host: string; port: number }, dropEvery: number, maxDrops: number) {
    this.target = target
    this.#dropEvery = dropEvery
    this.#maxDrops = maxDrops
    this.#server = createServer((client) => this.#onConnection(client))
  }

  /** Starts a new budget: `maxDrops` more drops from now on. */
  allowDrops(maxDrops: number): void {
    this.#maxDrops = maxDrops
    this.drops = 0
    this.#produceResponses = 0
  }

  listen(): Promise<number> {
    return new Promise((resolve) => {
      this.#server.listen(0, '127.0.0.1', () => resolve((this.#server.address() as { port: number }).port))
    })
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy()
    await new Promise((resolve) => this.#server.close(resolve))
  }

  #onConnection(client: Socket): void {
    const upstream = new Socket()
    upstream.connect(this.target.port, this.target.host)
    for (const socket of [client, upstream]) {
      this.#sockets.add(socket)
      socket.on('close', () => {
        this.#sockets.delete(socket)
        client.destroy()
        upstream.destroy()
      })
      socket.on('error', () => {})
    }
    const apiKeyByCorrelationId = new Map<number, number>()
    frames(client, (frame) => {
      apiKeyByCorrelationId.set(frame.readInt32BE(8), frame.readInt16BE(4))
      upstream.write(frame)
    })
    frames(upstream, (frame) => {
      const correlationId = frame.readInt32BE(4)
      const apiKey = apiKeyByCorrelationId.get(correlationId)
      apiKeyByCorrelationId.delete(correlationId)
      if (apiKey === PRODUCE && ++this.#produceResponses % this.#dropEvery === 0 && this.drops < this.#maxDrops) {
        this.drops++
        client.destroy()
        upstream.destroy()
        return
      }
      client.write(frame)
    })
  }
}

/** Calls `onFrame` with each whole size-prefixed frame read from `socket`. */
function frames(socket: Socket, onFrame: (frame: Buffer) => void): void {
  let pending: Buffer = Buffer.alloc(0)
  socket.on('data', (chunk: Buffer) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk])
    while (pending.length >= 4 && pending.length >= 4 + pending.readInt32BE(0)) {
      const size = 4 + pending.readInt32BE(0)
      onFrame(pending.subarray(0, size))
      pending = pending.subarray(size)
    }
  })
}

/** Every record value of partition 0, read with raw Fetch v4 from the broker itself. */
async function storedValues(port: number, topic: string): Promise<string[]> {
  const connection = await Connection.connect({ host: '127.0.0.1', port, clientId: 'idempotence-check' })
  const values: string[] = []
  try {
    let offset = 0n
    for (;;) {
      const res = await connection.request(
        Fetch,
        4,
        Fetch.request.make({
          maxWaitMs: 0,
          minBytes: 0,
          maxBytes: 1 << 22,
          topics: [{ topic, partitions: [{ partition: 0, fetchOffset: offset, partitionMaxBytes: 1 << 22 }] }],
        }),
      )
      const partition = res.responses[0]?.partitions[0]
      assert.ok(partition !== undefined && partition.errorCode === 0, `fetch ${topic}@${offset}`)
      if (offset >= partition.highWatermark) break
      for (const batch of partition.records ? splitBatches(partition.records).batches : []) {
        if (batch.nextOffset <= offset) continue
        for (const record of decodeBatchRecords(batch)) values.push(record.value?.toString() ?? '')
        offset = batch.nextOffset
      }
    }
  } finally {
    connection.destroy()
  }
  return values
}

function assertExactlyOnce(values: string[], expected: string[]): void {
  const seen = new Set<string>()
  const duplicates = values.filter((v) => (seen.has(v) ? true : (seen.add(v), false)))
  assert.deepEqual(duplicates, [], 'records stored more than once')
  assert.deepEqual([...seen].sort(), [...expected].sort())
}

describe('idempotent producers through a proxy that drops Produce responses', { timeout: 120_000 }, () => {
  let broker: RunningBroker
  let proxy: DroppingProxy
  let dataDir: string
  let bootstrap: string
  let brokerPort: number

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'samsa-idempotence-'))
    // The broker advertises the proxy, so the proxy listens first; the broker binds an ephemeral port of its own
    // (one picked free up front could be taken before it binds) and the proxy is pointed at it.
    proxy = new DroppingProxy({ host: '127.0.0.1', port: 0 }, 7, 5)
    const proxyPort = await proxy.listen()
    broker = await startBroker({
      config: { 'log.dirs': dataDir, 'advertised.listeners': `PLAINTEXT://127.0.0.1:${proxyPort}` },
      host: '127.0.0.1',
      port: 0,
      logger: process.env.COMPAT_BROKER_LOG ? consoleLogger('debug') : silentLogger,
    })
    brokerPort = broker.boundPort
    proxy.target = { host: '127.0.0.1', port: brokerPort }
    bootstrap = `127.0.0.1:${proxyPort}`
  })

  after(async () => {
    await proxy.close()
    await broker.close()
    await rm(dataDir, { recursive: true, force: true })
  })

  async function createTopic(topic: string): Promise<void> {
    const connection = await Connection.connect({ host: '127.0.0.1', port: brokerPort, clientId: 'idempotence' })
    try {
      const res = await connection.request(
        CreateTopics,
        5,
        CreateTopics.request.make({
          timeoutMs: 10_000,
          topics: [{ name: topic, numPartitions: 1, replicationFactor: 1 }],
        }),
      )
      assert.equal(res.topics[0]?.errorCode, 0)
    } finally {
      connection.destroy()
    }
  }

  test('kcat (librdkafka) with enable.idempotence=true', async () => {
    const topic = 'idempotence-kcat'
    await createTopic(topic)
    proxy.allowDrops(5)
    const values = Array.from({ length: RECORDS }, (_, i) => `kcat-${i}`)
    // kcat gives up when every broker connection is down at once. librdkafka keeps its bootstrap connection apart
    // from the one to the partition leader when their addresses differ, so it bootstraps through a proxy that
    // drops nothing and only the leader connection (the advertised address) is cut.
    const bootstrapProxy = new DroppingProxy({ host: '127.0.0.1', port: brokerPort }, 1, 0)
    const kcatBootstrap = `127.0.0.1:${await bootstrapProxy.listen()}`
    await run(
      KCAT,
      [
        '-b',
        kcatBootstrap,
        '-q',
        '-P',
        '-t',
        topic,
        '-p',
        '0',
        '-X',
        'enable.idempotence=true',
        '-X',
        'linger.ms=0',
        '-X',
        'batch.num.messages=10',
      ],
      { timeoutMs: 60_000, input: values.join('\n') + '\n' },
    ).finally(() => bootstrapProxy.close())
    assert.ok(proxy.drops > 0, 'the proxy dropped no Produce response: the test proves nothing')
    assertExactlyOnce(await storedValues(brokerPort, topic), values)
  })

  test('confluent-kafka-python (librdkafka) with enable.idempotence', async () => {
    const topic = 'idempotence-python'
    await createTopic(topic)
    proxy.allowDrops(5)
    // The same separate bootstrap path as for kcat (librdkafka gives up when all its connections are down).
    const bootstrapProxy = new DroppingProxy({ host: '127.0.0.1', port: brokerPort }, 1, 0)
    const pythonBootstrap = `127.0.0.1:${await bootstrapProxy.listen()}`
    await run(PYTHON, ['-c', PYTHON_PRODUCER, pythonBootstrap, topic, String(RECORDS)], {
      timeoutMs: 60_000,
    }).finally(() => bootstrapProxy.close())
    assert.ok(proxy.drops > 0, 'the proxy dropped no Produce response: the test proves nothing')
    const values = Array.from({ length: RECORDS }, (_, i) => `python-${i}`)
    assertExactlyOnce(await storedValues(brokerPort, topic), values)
  })

  test('@confluentinc/kafka-javascript (librdkafka 2.15) with idempotent: true', async () => {
    const topic = 'idempotence-confluent-js'
    await createTopic(topic)
    proxy.allowDrops(5)
    const bootstrapProxy = new DroppingProxy({ host: '127.0.0.1', port: brokerPort }, 1, 0)
    const jsBootstrap = `127.0.0.1:${await bootstrapProxy.listen()}`
    const kafka = new ckjs.KafkaJS.Kafka({
      kafkaJS: { brokers: [jsBootstrap], clientId: 'idempotence', logLevel: ckjs.KafkaJS.logLevel.NOTHING },
    })
    const producer = kafka.producer({ kafkaJS: { idempotent: true }, 'linger.ms': 0, 'batch.num.messages': 10 })
    await producer.connect()
    const values = Array.from({ length: RECORDS }, (_, i) => `confluent-js-${i}`)
    try {
      await Promise.all(
        Array.from({ length: values.length / 20 }, (_, i) =>
          producer.send({
            topic,
            messages: values.slice(i * 20, i * 20 + 20).map((value) => ({ partition: 0, value })),
          }),
        ),
      )
    } finally {
      await producer.disconnect()
      await bootstrapProxy.close()
    }
    assert.ok(proxy.drops > 0, 'the proxy dropped no Produce response: the test proves nothing')
    assertExactlyOnce(await storedValues(brokerPort, topic), values)
  })

  test('kafkajs with idempotent: true', async () => {
    const topic = 'idempotence-kafkajs'
    await createTopic(topic)
    proxy.allowDrops(5)
    const kafka = new kafkajs.Kafka({
      clientId: 'idempotence',
      brokers: [bootstrap],
      logLevel: kafkajs.logLevel.NOTHING,
      retry: { retries: 10, initialRetryTime: 50 },
    })
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 })
    await producer.connect()
    const values = Array.from({ length: RECORDS }, (_, i) => `kafkajs-${i}`)
    try {
      for (let i = 0; i < values.length; i += 20) {
        await producer.send({
          topic,
          acks: -1,
          messages: values.slice(i, i + 20).map((value) => ({ partition: 0, value })),
        })
      }
    } finally {
      await producer.disconnect()
    }
    assert.ok(proxy.drops > 0, 'the proxy dropped no Produce response: the test proves nothing')
    assertExactlyOnce(await storedValues(brokerPort, topic), values)
  })

  test('@platformatic/kafka (Node 22 child) with idempotent: true', async () => {
    const topic = 'idempotence-platformatic'
    await createTopic(topic)
    // installs the Node 22 binary on first use, before the proxy starts counting
    await run('bash', [WITH_NODE22, 'node', '--version'], { timeoutMs: 100_000 })
    proxy.allowDrops(5)
    await run(
      'bash',
      [
        WITH_NODE22,
        'node',
        '--conditions=source',
        '--import',
        'tsx',
        PLATFORMATIC_PRODUCER,
        bootstrap,
        topic,
        String(RECORDS),
      ],
      { timeoutMs: 60_000 },
    )
    assert.ok(proxy.drops > 0, 'the proxy dropped no Produce response: the test proves nothing')
    const values = Array.from({ length: RECORDS }, (_, i) => `platformatic-${i}`)
    assertExactlyOnce(await storedValues(brokerPort, topic), values)
  })
})
