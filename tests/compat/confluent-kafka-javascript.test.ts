// @confluentinc/kafka-javascript 1.10 (librdkafka 2.15.1, built at `CKJS_LINKING=dynamic npm ci`) in this process
// (Node 20). Its KafkaJS-style API gives the admin steps (createTopics, deleteTopics, fetchTopicOffsets =
// librdkafka's ListOffsets admin call); its node-rdkafka-style API gives the producer with per-record delivery
// reports and the KafkaConsumer with assign() (the KafkaJS-style consumer has no assign).
// On the librdkafka mock, fetchTopicOffsets times out in its DescribeTopics call, so there the offsets come from
// KafkaConsumer.queryWatermarkOffsets (ListOffsets through the consumer) instead.

import assert from 'node:assert/strict'
import ckjs, {
  type KafkaConsumer,
  type LibrdKafkaError,
  type Message,
  type MessageHeader,
  type WatermarkOffsets,
} from '@confluentinc/kafka-javascript'
import type { ConsumedRecord, Delivery, Header, PartitionOffsets } from './lib/records.ts'
import { ALL_CODECS, compatScenario } from './lib/scenario.ts'

/** Resolves a node-style callback API. */
function callback<T>(call: (done: (err: LibrdKafkaError | null | undefined, value: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    call((err, value) => (err ? reject(new Error(`${err.message} (code ${err.code})`)) : resolve(value)))
  })
}

function toHeaderList(headers: MessageHeader[] | undefined): Header[] {
  return (headers ?? []).flatMap((h) => Object.entries(h).map(([name, v]): Header => [name, Buffer.from(v)]))
}

async function connectConsumer(bootstrap: string): Promise<KafkaConsumer> {
  const consumer: KafkaConsumer = new ckjs.KafkaConsumer({
    'bootstrap.servers': bootstrap,
    'client.id': 'compat-confluent-js',
    // required by the binding; assign() without subscribe() or commits never joins the group
    'group.id': 'compat-unjoined',
    'enable.auto.commit': false,
    'enable.partition.eof': true,
  })
  await callback((done) => consumer.connect({}, done))
  return consumer
}

async function watermarks(bootstrap: string, topic: string, partitions: number): Promise<PartitionOffsets[]> {
  const consumer = await connectConsumer(bootstrap)
  try {
    const out: PartitionOffsets[] = []
    for (let partition = 0; partition < partitions; partition++) {
      const w = await callback<WatermarkOffsets>((done) => {
        consumer.queryWatermarkOffsets(topic, partition, 10_000, done)
      })
      out.push({ partition, earliest: w.lowOffset, latest: w.highOffset })
    }
    return out
  } finally {
    await callback((done) => consumer.disconnect(done))
  }
}

async function consumeAll(
  bootstrap: string,
  topic: string,
  partitions: number,
  signal: AbortSignal,
): Promise<ConsumedRecord[]> {
  const consumer = await connectConsumer(bootstrap)
  const out: ConsumedRecord[] = []
  // 'partition.eof' events can fire before the same consume() call hands over that partition's last messages, so
  // a partition is done when an EOF event named an offset the messages have reached
  const eofAt = new Map<number, number>()
  const next = new Map<number, number>()
  consumer.on('partition.eof', (eof) => eofAt.set(eof.partition, eof.offset))
  const done = (p: number): boolean => eofAt.has(p) && (next.get(p) ?? 0) >= (eofAt.get(p) ?? 0)
  try {
    const all = Array.from({ length: partitions }, (_, partition) => partition)
    consumer.assign(all.map((partition) => ({ topic, partition, offset: 0 })))
    while (!all.every(done)) {
      signal.throwIfAborted()
      const messages = await callback<Message[]>((cb) => consumer.consume(1000, cb))
      for (const m of messages) {
        next.set(m.partition, m.offset + 1)
        const key = typeof m.key === 'string' ? Buffer.from(m.key) : (m.key ?? Buffer.alloc(0))
        const value = m.value ?? Buffer.alloc(0)
        out.push({ partition: m.partition, offset: m.offset, key, value, headers: toHeaderList(m.headers) })
      }
    }
  } finally {
    await callback((cb) => consumer.disconnect(cb))
  }
  return out
}

compatScenario({
  client: 'confluent-js',
  codecs: ALL_CODECS,
  shape: { binary: true, headers: 'per-record' },
  driver: async (target) => {
    const kafka = new ckjs.KafkaJS.Kafka({
      kafkaJS: { brokers: [target.bootstrap], clientId: 'compat-confluent-js', logLevel: ckjs.KafkaJS.logLevel.ERROR },
    })
    const admin = kafka.admin()
    await admin.connect()
    return {
      async createTopic(topic, partitions) {
        const created = await admin.createTopics({
          topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }],
        })
        assert.equal(created, true, 'createTopics returned false: the topic already existed')
      },

      async produce(topic, codec, records, step) {
        const producer = new ckjs.Producer({
          'bootstrap.servers': target.bootstrap,
          'client.id': 'compat-confluent-js',
          'compression.codec': codec,
          acks: -1,
          'linger.ms': 5,
          dr_cb: true,
        })
        await callback((done) => producer.connect({}, done))
        const deliveries: Delivery[] = []
        const errors: string[] = []
        try {
          const allReported = new Promise<void>((resolve) => {
            producer.on('delivery-report', (err, report) => {
              if (err) errors.push(`#${String(report.opaque)}: ${err.message}`)
              else
                deliveries.push({ index: report.opaque as number, partition: report.partition, offset: report.offset })
              if (deliveries.length + errors.length === records.length) resolve()
            })
          })
          producer.setPollInterval(10)
          records.forEach((r, index) => {
            const headers = r.headers.map(([name, value]): MessageHeader => ({ [name]: value }))
            producer.produce(topic, null, r.value, r.key, null, index, headers)
          })
          const aborted = new Promise<never>((_, reject) =>
            step.signal.addEventListener('abort', () => reject(new Error('aborted'))),
          )
          await Promise.race([allReported, aborted])
        } finally {
          await callback((done) => producer.disconnect(done))
        }
        assert.deepEqual(errors.slice(0, 5), [], `${errors.length} delivery errors`)
        return deliveries
      },

      consume: (topic, partitions, step) => consumeAll(target.bootstrap, topic, partitions, step.signal),

      async listOffsets(topic, partitions) {
        if (!target.hasAdmin) return watermarks(target.bootstrap, topic, partitions)
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
