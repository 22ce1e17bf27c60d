// The transactions driver (lib/txn-scenario.ts) for in-process clients with kafkajs's transaction API: kafkajs 2.2.4
// itself and @confluentinc/kafka-javascript's KafkaJS-style API. A transaction is `await producer.transaction()`
// with send / sendOffsets / commit / abort; consumers read in a group from the beginning, without committing
// (read_committed is both clients' default). What differs (configuration shapes, how offsets name the group, error
// fields) comes from the client's adapter.

import { randomBytes } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import type { ReadRecord, TxnDriver, TxnRecord } from './txn-scenario.ts'

const WAIT_MS = 45_000

export interface ProducerRecord {
  topic: string
  messages: { partition: number; value: string }[]
}

export interface TopicOffsets {
  topic: string
  partitions: { partition: number; offset: string }[]
}

export interface StyleTransaction {
  send(record: ProducerRecord): Promise<unknown>
  commit(): Promise<void>
  abort(): Promise<void>
}

export interface StyleProducer<T extends StyleTransaction> {
  connect(): Promise<void>
  disconnect(): Promise<void>
  transaction(): Promise<T>
}

/** A running group consumer: `handle` is what the adapter's sendOffsets needs (the client's consumer object). */
export interface RunningConsumer<H> {
  handle: H
  stop(): Promise<void>
}

export interface KafkaJsStyleClient<T extends StyleTransaction, H> {
  producer(transactionalId: string, transactionTimeoutMs?: number): StyleProducer<T>
  /** Joins `group`, subscribed to `topic` from the beginning, auto-commit off; calls `onRecord` per record. */
  consume(group: string, topic: string, onRecord: (record: ReadRecord) => void): Promise<RunningConsumer<H>>
  sendOffsets(txn: T, consumer: H, group: string, topics: TopicOffsets[]): Promise<void>
  describeError(error: unknown): string
}

function messagesFor(topic: string, records: readonly TxnRecord[]): ProducerRecord {
  return { topic, messages: records.map((r) => ({ partition: r.partition, value: r.value })) }
}

export function kafkaJsStyleDriver<T extends StyleTransaction, H>(client: KafkaJsStyleClient<T, H>): TxnDriver {
  /** A consumer of `group` that has read at least `expected` records of `topic`. */
  async function consumeUntil(
    group: string,
    topic: string,
    expected: number,
  ): Promise<{ consumer: RunningConsumer<H>; records: ReadRecord[] }> {
    const records: ReadRecord[] = []
    let done: () => void = () => {}
    const enough = new Promise<void>((resolve) => (done = resolve))
    const consumer = await client.consume(group, topic, (record) => {
      records.push(record)
      if (records.length >= expected) done()
    })
    let timer: NodeJS.Timeout | undefined
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`read ${records.length} of ${expected} records`)), WAIT_MS)
    })
    try {
      await Promise.race([enough, late])
    } catch (error) {
      await consumer.stop()
      throw error
    } finally {
      clearTimeout(timer)
    }
    return { consumer, records }
  }

  /** Commits `txn` expecting a failure, and describes it. */
  async function failingCommit(txn: T, what: string): Promise<string> {
    try {
      await txn.commit()
    } catch (error) {
      return client.describeError(error)
    }
    throw new Error(what)
  }

  return {
    async produceTransactions({ topic, transactionalId, transactions }) {
      const p = client.producer(transactionalId)
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
      const read = await consumeUntil(`read-${randomBytes(4).toString('hex')}`, topic, expected)
      await read.consumer.stop()
      return read.records
    },
    async consumeTransformProduce({ input, output, partitions, group, transactionalId, perPartition, steps }) {
      const { consumer, records } = await consumeUntil(group, input, partitions * perPartition)
      const p = client.producer(transactionalId)
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
          await client.sendOffsets(txn, consumer.handle, group, [{ topic: input, partitions: offsets }])
          await (outcome === 'commit' ? txn.commit() : txn.abort())
          from = upTo
        }
      } finally {
        await p.disconnect()
        await consumer.stop()
      }
    },
    async fence({ topic, transactionalId, first, second }) {
      const zombie = client.producer(transactionalId)
      const winner = client.producer(transactionalId)
      await zombie.connect()
      try {
        const old = await zombie.transaction()
        await old.send(messagesFor(topic, first))
        await winner.connect()
        const txn = await winner.transaction()
        await txn.send(messagesFor(topic, second))
        await txn.commit()
        return await failingCommit(old, 'the fenced producer committed its transaction')
      } finally {
        await zombie.disconnect().catch(() => {})
        await winner.disconnect()
      }
    },
    async timeout({ topic, transactionalId, records, transactionTimeoutMs, idleMs }) {
      const p = client.producer(transactionalId, transactionTimeoutMs)
      await p.connect()
      try {
        const txn = await p.transaction()
        await txn.send(messagesFor(topic, records))
        await sleep(idleMs)
        return await failingCommit(txn, 'the timed-out transaction committed')
      } finally {
        await p.disconnect().catch(() => {})
      }
    },
  }
}
