// @confluentinc/kafka-javascript 1.10 (librdkafka 2.15.1) transactions in this process, through its KafkaJS-style
// API (lib/txn-scenario.ts): a producer with kafkaJS.transactionalId, transaction() / send / commit / abort, and
// sendOffsets({ consumer }) (librdkafka's send_offsets_to_transaction with the consumer's group metadata; this API
// refuses a bare consumerGroupId). Its consumers read read_committed (librdkafka's default isolation.level), in a
// fresh group per read; consume-transform-produce reads the input in the offsets' group with autoCommit off.

import ckjs from '@confluentinc/kafka-javascript'
import { randomBytes } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Target } from './lib/target.ts'
import { txnScenario, type ReadRecord, type TxnDriver, type TxnRecord } from './lib/txn-scenario.ts'

const { Kafka, logLevel } = ckjs.KafkaJS
type Kafka = InstanceType<typeof Kafka>
type Consumer = ReturnType<Kafka['consumer']>
const WAIT_MS = 45_000

function messagesFor(topic: string, records: readonly TxnRecord[]) {
  return { topic, messages: records.map((r) => ({ partition: r.partition, value: r.value })) }
}

/** Subscribes a fresh consumer of `group` from the beginning and collects records until there are `expected`. */
async function consumeUntil(
  kafka: Kafka,
  group: string,
  topic: string,
  expected: number,
): Promise<{ consumer: Consumer; records: ReadRecord[] }> {
  const consumer = kafka.consumer({
    kafkaJS: { groupId: group, fromBeginning: true, autoCommit: false, sessionTimeout: 10_000 },
    'isolation.level': 'read_committed',
  })
  const records: ReadRecord[] = []
  await consumer.connect()
  try {
    await consumer.subscribe({ topics: [topic] })
    let done: () => void = () => {}
    const enough = new Promise<void>((resolve) => (done = resolve))
    await consumer.run({
      eachMessage: ({ partition, message }) => {
        records.push({ partition, offset: Number(message.offset), value: message.value?.toString() ?? '' })
        if (records.length >= expected) done()
        return Promise.resolve()
      },
    })
    let timer: NodeJS.Timeout | undefined
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`read ${records.length} of ${expected} records`)), WAIT_MS)
    })
    await Promise.race([enough, late]).finally(() => clearTimeout(timer))
  } catch (error) {
    await consumer.disconnect()
    throw error
  }
  return { consumer, records }
}

function describeError(error: unknown): string {
  const e = error as Error & { code?: number }
  return `${e.name} (${e.code ?? ''}): ${e.message}`
}

function driver(target: Target): TxnDriver {
  const kafka = new Kafka({
    kafkaJS: { clientId: 'compat-confluent-js-txn', brokers: [target.bootstrap], logLevel: logLevel.NOTHING },
  })
  const producer = (transactionalId: string, transactionTimeoutMs?: number) =>
    kafka.producer({
      kafkaJS: { transactionalId, idempotent: true, maxInFlightRequests: 1 },
      // librdkafka 2.15 refuses a socket.timeout.ms (default 60 s) above transaction.timeout.ms + 100
      ...(transactionTimeoutMs === undefined
        ? {}
        : { 'transaction.timeout.ms': transactionTimeoutMs, 'socket.timeout.ms': transactionTimeoutMs }),
    })
  return {
    async produceTransactions({ topic, transactionalId, transactions }) {
      const p = producer(transactionalId)
      await p.connect()
      try {
        for (const { records, outcome } of transactions) {
          const txn = await p.transaction()
          await txn.send(messagesFor(topic, records))
          await (outcome === 'commit' ? txn.commit() : txn.abort())
        }
      } finally {
        await p.disconnect()
      }
    },
    async readCommitted({ topic, expected }) {
      const read = await consumeUntil(kafka, `read-${randomBytes(4).toString('hex')}`, topic, expected)
      await read.consumer.disconnect()
      return read.records
    },
    async consumeTransformProduce({ input, output, partitions, group, transactionalId, perPartition, steps }) {
      const { consumer, records } = await consumeUntil(kafka, group, input, partitions * perPartition)
      const p = producer(transactionalId)
      await p.connect()
      try {
        let from = 0
        for (const { upTo, outcome } of steps) {
          const txn = await p.transaction()
          const batch = records.filter((r) => r.offset >= from && r.offset < upTo)
          await txn.send(
            messagesFor(
              output,
              batch.map((r) => ({ ...r, value: r.value.toUpperCase() })),
            ),
          )
          const offsets = Array.from({ length: partitions }, (_, partition) => ({ partition, offset: String(upTo) }))
          await txn.sendOffsets({ consumer, topics: [{ topic: input, partitions: offsets }] })
          await (outcome === 'commit' ? txn.commit() : txn.abort())
          from = upTo
        }
      } finally {
        await p.disconnect()
        await consumer.disconnect()
      }
    },
    async fence({ topic, transactionalId, first, second }) {
      const zombie = producer(transactionalId)
      const winner = producer(transactionalId)
      await zombie.connect()
      try {
        const old = await zombie.transaction()
        await old.send(messagesFor(topic, first))
        await winner.connect()
        const txn = await winner.transaction()
        await txn.send(messagesFor(topic, second))
        await txn.commit()
        try {
          await old.commit()
        } catch (error) {
          return describeError(error)
        }
        throw new Error('the fenced producer committed its transaction')
      } finally {
        await zombie.disconnect().catch(() => {})
        await winner.disconnect()
      }
    },
    async timeout({ topic, transactionalId, records, transactionTimeoutMs, idleMs }) {
      const p = producer(transactionalId, transactionTimeoutMs)
      await p.connect()
      try {
        const txn = await p.transaction()
        await txn.send(messagesFor(topic, records))
        await sleep(idleMs)
        try {
          await txn.commit()
        } catch (error) {
          return describeError(error)
        }
        throw new Error('the timed-out transaction committed')
      } finally {
        await p.disconnect().catch(() => {})
      }
    },
  }
}

txnScenario({ client: 'confluent-js', driver })
