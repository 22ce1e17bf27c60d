// The accumulator on its own, with explicit clock values passed to ready(): batching by size and linger.ms, one
// batch in flight per partition, retries in place, flush, and buffer.memory back-pressure.

import assert from 'node:assert/strict'
import { test } from 'node:test'
import { isSamsaError } from '../errors.ts'
import { RecordAccumulator, estimateRecordBytes, type PendingRecord, type ProducerBatch } from './accumulator.ts'
import { SendOutcome } from './send-outcome.ts'

function accumulator(options: Partial<ConstructorParameters<typeof RecordAccumulator>[0]> = {}) {
  const closed: ProducerBatch[] = []
  const acc = new RecordAccumulator({
    batchSize: 1000,
    lingerMs: 50,
    bufferMemory: 1 << 20,
    maxBlockMs: 10_000,
    deliveryTimeoutMs: 60_000,
    onBatchClosed: (b) => closed.push(b),
    wakeup: () => {},
    ...options,
  })
  return { acc, closed }
}

function record(value = 'v'): PendingRecord & { settled: Promise<unknown> } {
  const outcome = new SendOutcome(1)
  const settled = outcome.promise.then(([metadata]) => metadata)
  settled.catch(() => {})
  return { key: null, value: Buffer.from(value), headers: [], timestamp: 1, outcome, index: 0, settled }
}

/** Appends a record that has buffer memory right away. */
function appendNow(acc: RecordAccumulator, partition: number, r: PendingRecord): void {
  assert.equal(acc.append('t', partition, r), null, 'appended without waiting for memory')
}

/** Appends a record that has to wait for buffer memory. */
function appendBlocked(acc: RecordAccumulator, partition: number, r: PendingRecord): Promise<void> {
  const wait = acc.append('t', partition, r)
  assert.ok(wait !== null, 'waits for buffer memory')
  return wait
}

test('a batch waits for linger.ms unless it is full', () => {
  const { acc, closed } = accumulator()
  appendNow(acc, 0, record())
  const now = Date.now()
  assert.equal(acc.ready(now).batches.length, 0)
  assert.ok(acc.ready(now).nextReadyAt <= now + 50)
  assert.equal(acc.ready(now + 50).batches.length, 1)
  // Filling a batch to batch.size closes it and makes it ready at once.
  appendNow(acc, 1, record('x'.repeat(1000)))
  assert.deepEqual(
    acc.ready(now).batches.map((b) => b.partition),
    [1],
  )
  assert.deepEqual(
    closed.map((b) => b.partition),
    [1],
  )
})

test('one batch in flight per partition; a retry keeps its place at the head', async () => {
  const { acc } = accumulator({ batchSize: 1 })
  const first = record('a')
  const second = record('b')
  appendNow(acc, 0, first)
  appendNow(acc, 0, second)
  const [head] = acc.ready(Date.now()).batches
  assert.equal(head?.records[0], first)
  acc.markInFlight(head)
  assert.equal(acc.ready(Date.now()).batches.length, 0, 'the next batch waits for the one in flight')
  acc.retryLater(head, Date.now() + 1_000)
  assert.equal(acc.ready(Date.now()).batches.length, 0, 'backing off')
  assert.equal(acc.ready(Date.now() + 1_000).batches[0], head)
  acc.markInFlight(head)
  acc.complete(head)
  head.succeed(10n, -1n)
  assert.deepEqual(await first.settled, { topic: 't', partition: 0, offset: 10n, timestamp: 1 })
  assert.equal(acc.ready(Date.now()).batches[0]?.records[0], second)
})

test('flush makes every batch ready and resolves when they are done', async () => {
  const { acc } = accumulator({ lingerMs: 60_000 })
  appendNow(acc, 0, record())
  const flushed = acc.flush()
  const [batch] = acc.ready(Date.now()).batches
  assert.ok(batch !== undefined)
  acc.markInFlight(batch)
  acc.complete(batch)
  batch.succeed(0n, -1n)
  await flushed
})

test('a full buffer.memory makes append wait until a batch completes, or time out', async () => {
  const one = estimateRecordBytes(record())
  const { acc } = accumulator({ bufferMemory: one * 2, batchSize: 1 })
  appendNow(acc, 0, record())
  appendNow(acc, 1, record())
  let isAppended = false
  const third = appendBlocked(acc, 2, record()).then(() => (isAppended = true))
  const [batch] = acc.ready(Date.now()).batches
  assert.equal(isAppended, false)
  acc.markInFlight(batch!)
  acc.complete(batch!)
  await third
  assert.equal(acc.usedBytes, one * 2)

  const { acc: tight } = accumulator({ bufferMemory: one, maxBlockMs: 1 })
  appendNow(tight, 0, record())
  await assert.rejects(appendBlocked(tight, 0, record()), (e) => isSamsaError(e) && e.code === 'SAMSA_ERR_TIMEOUT')
})

test('abortAll fails waiting batches and blocked appends', async () => {
  const one = estimateRecordBytes(record())
  const { acc } = accumulator({ bufferMemory: one })
  const waiting = record()
  appendNow(acc, 0, waiting)
  const blocked = appendBlocked(acc, 0, record())
  acc.abortAll(new Error('closing'))
  await assert.rejects(waiting.settled, /closing/)
  await assert.rejects(blocked, /closing/)
})
