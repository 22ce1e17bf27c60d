// kafkajs 2.2.4 transactions in this process (lib/txn-scenario.ts): producer.transaction() with send, sendOffsets
// ({ consumerGroupId }), commit and abort; its consumer reads read_committed by default (readUncommitted: false),
// which needs a group, so each read joins a fresh one. Consume-transform-produce reads the input in the group the
// offsets go to, with autoCommit off. kafkajs fences with INVALID_PRODUCER_EPOCH (it knows no PRODUCER_FENCED).

import kafkajs from 'kafkajs'
import { randomBytes } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Target } from './lib/target.ts'
import { txnScenario, type ReadRecord, type TxnDriver, type TxnRecord } from './lib/txn-scenario.ts'

const { Kafka, logLevel } = kafkajs
type Kafka = InstanceType<typeof Kafka>
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
): Promise<{ records: ReadRecord[]; stop(): Promise<void> }> {
  const consumer = kafka.consumer({ groupId: group, sessionTimeout: 10_000, heartbeatInterval: 500 })
  const records: ReadRecord[] = []
  await consumer.connect()
  try {
    await consumer.subscribe({ topic, fromBeginning: true })
    let done: () => void = () => {}
    const enough = new Promise<void>((resolve) => (done = resolve))
    await consumer.run({
      autoCommit: false,
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
  return { records, stop: () => consumer.disconnect() }
}

function describeError(error: unknown): string {
  const e = error as Error & { type?: string }
  return `${e.name} ${e.type ?? ''}: ${e.message}`
}

function driver(target: Target) {
  const kafka = new Kafka({ clientId: 'compat-kafkajs-txn', brokers: [target.bootstrap], logLevel: logLevel.NOTHING })
  const producer = (transactionalId: string) =>
    kafka.producer({ transactionalId, idempotent: true, maxInFlightRequests: 1 })
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
      await read.stop()
      return read.records
    },
    async consumeTransformProduce({ input, output, partitions, group, transactionalId, perPartition, steps }) {
      const consumed = await consumeUntil(kafka, group, input, partitions * perPartition)
      const p = producer(transactionalId)
      await p.connect()
      try {
        let from = 0
        for (const { upTo, outcome } of steps) {
          const txn = await p.transaction()
          const batch = consumed.records.filter((r) => r.offset >= from && r.offset < upTo)
          await txn.send(
            messagesFor(
              output,
              batch.map((r) => ({ ...r, value: r.value.toUpperCase() })),
            ),
          )
          const offsets = Array.from({ length: partitions }, (_, partition) => ({ partition, offset: String(upTo) }))
          await txn.sendOffsets({ consumerGroupId: group, topics: [{ topic: input, partitions: offsets }] })
          await (outcome === 'commit' ? txn.commit() : txn.abort())
          from = upTo
        }
      } finally {
        await p.disconnect()
        await consumed.stop()
      }
    },
    async fence({ topic, transactionalId, first, second }) {
      const zombie = producer(transactionalId)
      const winner = producer(transactionalId)
      await zombie.connect()
      await winner.connect()
      try {
        const old = await zombie.transaction()
        await old.send(messagesFor(topic, first))
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
        await zombie.disconnect()
        await winner.disconnect()
      }
    },
    async timeout({ topic, transactionalId, records, transactionTimeoutMs, idleMs }) {
      const p = kafka.producer({
        transactionalId,
        idempotent: true,
        maxInFlightRequests: 1,
        transactionTimeout: transactionTimeoutMs,
      })
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
        await p.disconnect()
      }
    },
  } satisfies TxnDriver
}

txnScenario({ client: 'kafkajs', driver })
