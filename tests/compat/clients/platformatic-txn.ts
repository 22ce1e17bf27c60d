// @platformatic/kafka 2.x transactions for the compat suite (lib/txn-scenario.ts), under Node 22
// (scripts/with-node22.sh). `platformatic-txn.ts STEP JSON`: the step's options as JSON (plus "bootstrap"); prints
// one JSON line with the result. Steps: transactions (Producer with transactionalId: beginTransaction, send,
// commit/abort), read-committed (a group Consumer stream; its default isolation level is read_committed and it
// drops aborted records itself), ctp (Transaction.addConsumer and addOffset, which commits a consumed message's
// offset + 1 with the consumer's generation and member id), fence, timeout.

import { Consumer, Producer, type Message } from '@platformatic/kafka'
import { randomBytes } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'

interface Record_ {
  partition: number
  value: string
  offset?: number
}

interface Options {
  bootstrap: string
  topic: string
  partitions: number
  transactionalId: string
  transactions: { records: Record_[]; outcome: 'commit' | 'abort' }[]
  expected: number
  input: string
  output: string
  group: string
  perPartition: number
  steps: { upTo: number; outcome: 'commit' | 'abort' }[]
  first: Record_[]
  second: Record_[]
  records: Record_[]
  transactionTimeoutMs: number
  idleMs: number
}

const WAIT_MS = 40_000
const [step = '', json = '{}'] = process.argv.slice(2)
const options = JSON.parse(json) as Options
const base = { clientId: 'compat-platformatic-txn', bootstrapBrokers: [options.bootstrap], timeout: 20_000, retries: 3 }

/**
 * A transactional producer. `fresh`: the library sends InitProducerId with producerId 0 and epoch 0 unless its
 * options say otherwise, i.e. it claims to be producer 0 resuming (KIP-360); for a transactional.id that another
 * producer id holds, Kafka's coordinator (and Samsa's) answers PRODUCER_FENCED. A second instance must send -1/-1,
 * as a new producer does in every other client.
 */
function producer(fresh = false, transactionTimeoutMs?: number): Producer {
  const pid = fresh ? { producerId: -1n, producerEpoch: -1 } : {}
  return new Producer({
    ...base,
    // the library sends its request timeout as InitProducerId's transaction timeout
    ...(transactionTimeoutMs === undefined ? {} : { timeout: transactionTimeoutMs }),
    ...pid,
    transactionalId: options.transactionalId,
    idempotent: true,
    autocreateTopics: false,
  })
}

const messages = (topic: string, records: readonly Record_[]) =>
  records.map((r) => ({ topic, partition: r.partition, value: Buffer.from(r.value) }))

/** Joins `group` and reads `topic` from the earliest offsets until it has `expected` messages. */
async function consumeUntil(
  group: string,
  topic: string,
  expected: number,
): Promise<{ consumer: Consumer; read: Message[] }> {
  const consumer = new Consumer({ ...base, groupId: group, sessionTimeout: 10_000, heartbeatInterval: 500 })
  const read: Message[] = []
  const stream = await consumer.consume({ topics: [topic], mode: 'earliest', autocommit: false })
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`read ${read.length} of ${expected} messages`)), WAIT_MS)
    stream.on('data', (message: Message) => {
      read.push(message)
      if (read.length >= expected) {
        clearTimeout(timer)
        resolve()
      }
    })
    stream.once('error', reject)
  })
  await stream.close()
  return { consumer, read }
}

async function transactions(): Promise<null> {
  const p = producer()
  try {
    for (const { records, outcome } of options.transactions) {
      const txn = await p.beginTransaction()
      await txn.send({ messages: messages(options.topic, records) })
      await (outcome === 'commit' ? txn.commit() : txn.abort())
    }
  } finally {
    await p.close()
  }
  return null
}

async function readCommitted(): Promise<Record_[]> {
  const { consumer, read } = await consumeUntil(
    `read-${randomBytes(4).toString('hex')}`,
    options.topic,
    options.expected,
  )
  await consumer.close()
  return read.map((m) => ({ partition: m.partition, offset: Number(m.offset), value: m.value.toString() }))
}

async function ctp(): Promise<null> {
  const { input, output, group, partitions, perPartition, steps } = options
  const { consumer, read } = await consumeUntil(group, input, partitions * perPartition)
  const p = producer()
  try {
    let from = 0
    for (const { upTo, outcome } of steps) {
      const batch = read.filter((m) => m.offset >= BigInt(from) && m.offset < BigInt(upTo))
      const txn = await p.beginTransaction()
      const upper = batch.map((m) => ({ partition: m.partition, value: m.value.toString().toUpperCase() }))
      await txn.send({ messages: messages(output, upper) })
      await txn.addConsumer(consumer)
      // addOffset commits the offset after the message: the last one below upTo on each partition
      for (let partition = 0; partition < partitions; partition++) {
        const last = read.find((m) => m.partition === partition && m.offset === BigInt(upTo - 1))
        if (!last) throw new Error(`no consumed message at ${input}/${partition}@${upTo - 1}`)
        await txn.addOffset(last)
      }
      await (outcome === 'commit' ? txn.commit() : txn.abort())
      from = upTo
    }
  } finally {
    await p.close()
    await consumer.close()
  }
  return null
}

function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error)
  const e = error as Error & { apiId?: string; code?: string; errors?: unknown[] }
  const inner = Array.isArray(e.errors) ? ` [${e.errors.map(describeError).join('; ')}]` : ''
  return `${e.name}${e.code ? ` ${e.code}` : ''}${e.apiId ? ` ${e.apiId}` : ''}: ${e.message}${inner}`
}

async function fence(): Promise<{ error: string }> {
  const zombie = producer()
  const winner = producer(true)
  try {
    const old = await zombie.beginTransaction()
    await old.send({ messages: messages(options.topic, options.first) })
    const txn = await winner.beginTransaction()
    await txn.send({ messages: messages(options.topic, options.second) })
    await txn.commit()
    try {
      await old.commit()
    } catch (error) {
      return { error: describeError(error) }
    }
    throw new Error('the fenced producer committed its transaction')
  } finally {
    await zombie.close(true).catch(() => {})
    await winner.close()
  }
}

async function timeout(): Promise<{ error: string }> {
  const p = producer(false, options.transactionTimeoutMs)
  try {
    const txn = await p.beginTransaction()
    await txn.send({ messages: messages(options.topic, options.records) })
    await sleep(options.idleMs)
    try {
      await txn.commit()
    } catch (error) {
      return { error: describeError(error) }
    }
    throw new Error('the timed-out transaction committed')
  } finally {
    await p.close(true).catch(() => {})
  }
}

const steps: Record<string, () => Promise<unknown>> = {
  transactions,
  'read-committed': readCommitted,
  ctp,
  fence,
  timeout,
}
const run = steps[step]
if (!run) throw new Error(`unknown step "${step}"`)
process.stdout.write(JSON.stringify(await run()) + '\n')
