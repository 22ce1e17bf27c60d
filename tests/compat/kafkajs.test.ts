// kafkajs 2.2.4 in this process (Node 20): the old, non-flexible protocol versions (Produce v7, Fetch v11,
// ListOffsets v3, CreateTopics v3, Metadata v6 at most). GZIP is built in; Snappy comes from kafkajs-snappy and LZ4
// from kafkajs-lz4 (npm codec plug-ins); @kafkajs/zstd does not build here (its native cppzst fails under node-gyp),
// so ZSTD is a four-line kafkajs codec over the zstd-napi library.
//
// kafkajs has no partition-assignment consumer (its Consumer always joins a group), so the consume step drives the
// client's own Cluster/Broker objects, the code its Consumer fetches with: Metadata, leader lookup and Broker.fetch
// (Fetch request encoding, record batch decoding and decompression are all kafkajs's).

import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import kafkajs, { type Admin, type IHeaders, type Kafka } from 'kafkajs'
import SnappyCodec from 'kafkajs-snappy'
import { compress as zstdCompress, decompress as zstdDecompress } from 'zstd-napi'
import type { ConsumedRecord, Header } from './lib/records.ts'
import { ALL_CODECS, compatScenario, type Codec } from './lib/scenario.ts'

// kafkajs-lz4's types declare an ES default export, but the package sets module.exports to the class
type KafkajsCodec = () => {
  compress(encoder: { buffer: Buffer }): Promise<Buffer>
  decompress(buffer: Buffer): Promise<Buffer>
}
const LZ4Codec = createRequire(import.meta.url)('kafkajs-lz4') as new () => { codec: KafkajsCodec }
// kafkajs is CommonJS without ESM named-export hints
const { CompressionCodecs, CompressionTypes, Kafka: KafkaClient, logLevel, Partitioners } = kafkajs

CompressionCodecs[CompressionTypes.Snappy] = SnappyCodec
CompressionCodecs[CompressionTypes.LZ4] = new LZ4Codec().codec
CompressionCodecs[CompressionTypes.ZSTD] = () => ({
  compress: (encoder: { buffer: Buffer }) => Promise.resolve(zstdCompress(encoder.buffer)),
  decompress: (buffer: Buffer) => Promise.resolve(zstdDecompress(buffer)),
})

const COMPRESSION: Record<Codec, kafkajs.CompressionTypes> = {
  none: CompressionTypes.None,
  gzip: CompressionTypes.GZIP,
  snappy: CompressionTypes.Snappy,
  lz4: CompressionTypes.LZ4,
  zstd: CompressionTypes.ZSTD,
}

/** A send() carries this many records; sends go one after another, so per-partition order is produce order. */
const SEND_SIZE = 500
const READ_COMMITTED = 1 // kafkajs's consumer default

// ---- the parts of kafkajs's internal Cluster and Broker the consume step uses ----

interface FetchedMessage {
  offset: string
  key: Buffer | null
  value: Buffer | null
  headers?: Record<string, Buffer | Buffer[] | undefined>
  isControlRecord?: boolean
}
interface FetchResponse {
  responses: {
    topicName: string
    partitions: { partition: number; errorCode: number; highWatermark: string; messages: FetchedMessage[] }[]
  }[]
}
interface InternalBroker {
  fetch(request: {
    isolationLevel: number
    maxWaitTime: number
    minBytes: number
    maxBytes: number
    topics: { topic: string; partitions: { partition: number; fetchOffset: string; maxBytes: number }[] }[]
  }): Promise<FetchResponse>
}
interface InternalCluster {
  connect(): Promise<void>
  disconnect(): Promise<void>
  addTargetTopic(topic: string): Promise<void>
  findLeaderForPartitions(topic: string, partitions: number[]): Record<string, number[]>
  findBroker(options: { nodeId: string }): Promise<InternalBroker>
}

function internalCluster(kafka: Kafka): InternalCluster {
  const symbol = Object.getOwnPropertySymbols(kafka).find((s) => s.description === 'private:Kafka:createCluster')
  assert.ok(symbol, 'kafkajs internals changed: no createCluster on the Kafka instance')
  const create = (kafka as unknown as Record<symbol, (options: object) => InternalCluster>)[symbol]
  assert.ok(create)
  return create({ metadataMaxAge: 300_000, allowAutoTopicCreation: false, isolationLevel: READ_COMMITTED })
}

function toHeaderList(headers: FetchedMessage['headers']): Header[] {
  return Object.entries(headers ?? {}).flatMap(([name, value]) =>
    (Array.isArray(value) ? value : value === undefined ? [] : [value]).map((v): Header => [name, v]),
  )
}

async function fetchAll(
  cluster: InternalCluster,
  topic: string,
  partitions: number,
  signal: AbortSignal,
): Promise<ConsumedRecord[]> {
  await cluster.addTargetTopic(topic)
  const all = Array.from({ length: partitions }, (_, p) => p)
  const leaders = Object.entries(cluster.findLeaderForPartitions(topic, all))
  assert.deepEqual(leaders.flatMap(([, ps]) => ps).sort(), all, 'kafkajs metadata: a leader for every partition')
  const next = new Map(all.map((p) => [p, 0]))
  const high = new Map<number, number>()
  const out: ConsumedRecord[] = []
  const done = (): boolean => all.every((p) => high.has(p) && (next.get(p) ?? 0) >= (high.get(p) ?? 0))
  while (!done()) {
    signal.throwIfAborted()
    for (const [nodeId, ps] of leaders) {
      const broker = await cluster.findBroker({ nodeId })
      const wanted = ps.filter((p) => !high.has(p) || (next.get(p) ?? 0) < (high.get(p) ?? 0))
      if (wanted.length === 0) continue
      const response = await broker.fetch({
        isolationLevel: READ_COMMITTED,
        maxWaitTime: 500,
        minBytes: 1,
        maxBytes: 10 << 20,
        topics: [
          {
            topic,
            partitions: wanted.map((p) => ({ partition: p, fetchOffset: String(next.get(p)), maxBytes: 1 << 20 })),
          },
        ],
      })
      for (const { partitions: results } of response.responses) {
        for (const r of results) {
          assert.equal(r.errorCode, 0, `Fetch ${topic}/${r.partition}: error code ${r.errorCode}`)
          high.set(r.partition, Number(r.highWatermark))
          for (const m of r.messages) {
            const offset = Number(m.offset)
            // a fetch may start inside a batch: skip what was already read, as kafkajs's Batch does
            if (m.isControlRecord || offset < (next.get(r.partition) ?? 0)) continue
            out.push({
              partition: r.partition,
              offset,
              key: m.key ?? Buffer.alloc(0),
              value: m.value ?? Buffer.alloc(0),
              headers: toHeaderList(m.headers),
            })
            next.set(r.partition, offset + 1)
          }
        }
      }
    }
  }
  return out
}

compatScenario({
  client: 'kafkajs',
  codecs: ALL_CODECS,
  shape: { binary: true, headers: 'per-record' },
  notes: ['kafkajs send() reports one base offset per partition, not per record: no per-record delivery check'],
  driver: async (target) => {
    const kafka = new KafkaClient({
      clientId: 'compat-kafkajs',
      brokers: [target.bootstrap],
      logLevel: logLevel.ERROR,
      retry: { retries: 3 },
    })
    const admin: Admin = kafka.admin()
    await admin.connect()
    return {
      async createTopic(topic, partitions) {
        const created = await admin.createTopics({
          topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }],
          waitForLeaders: true,
        })
        assert.equal(created, true, 'createTopics returned false: the topic already existed')
      },

      async produce(topic, codec, records, step) {
        const producer = kafka.producer({
          createPartitioner: Partitioners.DefaultPartitioner,
          allowAutoTopicCreation: false,
        })
        await producer.connect()
        try {
          for (let i = 0; i < records.length; i += SEND_SIZE) {
            step.signal.throwIfAborted()
            const messages = records.slice(i, i + SEND_SIZE).map((r) => {
              const headers: IHeaders = {}
              for (const [name, value] of r.headers) headers[name] = value
              return { key: r.key, value: r.value, headers }
            })
            const results = await producer.send({ topic, acks: -1, compression: COMPRESSION[codec], messages })
            for (const r of results)
              assert.equal(r.errorCode, 0, `Produce ${topic}/${r.partition}: error code ${r.errorCode}`)
          }
        } finally {
          await producer.disconnect()
        }
        return undefined
      },

      async consume(topic, partitions, step) {
        // a Cluster per read, as each kafkajs Consumer has its own: its metadata covers only this topic
        const cluster = internalCluster(kafka)
        await cluster.connect()
        try {
          return await fetchAll(cluster, topic, partitions, step.signal)
        } finally {
          await cluster.disconnect()
        }
      },

      async listOffsets(topic) {
        const offsets = await admin.fetchTopicOffsets(topic)
        return offsets.map((o) => ({ partition: o.partition, earliest: Number(o.low), latest: Number(o.high) }))
      },

      async deleteTopic(topic) {
        await admin.deleteTopics({ topics: [topic] })
      },

      async close() {
        await admin.disconnect()
      },
    }
  },
})
