// The record accumulator: records wait here in per-partition batches until their batch is full (batch.size), has
// waited linger.ms, or a flush asks for everything. Memory for waiting records is bounded by buffer.memory; when it
// is used up, send() waits for delivered batches to free some (back-pressure) for at most max.block.ms.
//
// A partition sends one batch at a time: the batch at the head of its queue stays there while in flight and is
// retried from there, so records of a partition are written in the order they were sent even across retries
// (what Java guarantees with max.in.flight.requests.per.connection=1; idempotence would lift that limit).

import { RECORD_BATCH_OVERHEAD, type RecordHeader } from '@samsa/protocol'
import { SamsaError, SamsaErrorCode } from '../errors.ts'
import type { SendOutcome } from './send-outcome.ts'

export type { RecordMetadata } from './send-outcome.ts'

export interface PendingRecord {
  key: Buffer | null
  value: Buffer | null
  headers: readonly RecordHeader[]
  timestamp: number
  /** The send() call the record came in, and its place in that call. */
  outcome: SendOutcome
  index: number
}

/** Bytes a record takes in a batch, near enough for batching and memory accounting (varints at their widest). */
export function estimateRecordBytes(record: Pick<PendingRecord, 'key' | 'value' | 'headers'>): number {
  let size = 21 + (record.key?.length ?? 0) + (record.value?.length ?? 0)
  for (const h of record.headers) size += 10 + Buffer.byteLength(h.key) + (h.value?.length ?? 0)
  return size
}

export class ProducerBatch {
  readonly topic: string
  readonly partition: number
  readonly records: PendingRecord[] = []
  readonly createdAt: number
  /** delivery.timeout.ms after creation: no attempt starts later. */
  readonly deadline: number
  sizeBytes = RECORD_BATCH_OVERHEAD
  /** Closed to appends once full or sent. */
  isClosed = false
  attempts = 0
  /** Back-off: not sent again before this time. */
  retryAt = 0
  /** The encoded batch, kept so a retry resends the same bytes. */
  encoded: Buffer | null = null
  /** The idempotent producer's sequence number of the first record (-1 when not idempotent or not encoded). */
  baseSequence = -1
  /** Settled (succeeded or failed) and its memory given back; later outcomes are ignored. */
  isDone = false
  /** Its buffer memory has been given back. */
  isReleased = false
  readonly done: Promise<void>
  readonly #markDone: () => void

  constructor(topic: string, partition: number, now: number, deliveryTimeoutMs: number) {
    this.topic = topic
    this.partition = partition
    this.createdAt = now
    this.deadline = now + deliveryTimeoutMs
    let markDone!: () => void
    this.done = new Promise((resolve) => (markDone = resolve))
    this.#markDone = markDone
  }

  succeed(baseOffset: bigint, logAppendTimeMs: bigint): void {
    if (this.isDone) return
    this.isDone = true
    const { topic, partition, records } = this
    const isOffsetKnown = baseOffset >= 0n
    const appendTime = logAppendTimeMs >= 0n ? Number(logAppendTimeMs) : -1
    let offset = isOffsetKnown ? baseOffset : -1n
    for (let i = 0; i < records.length; i++) {
      const r = records[i] as PendingRecord
      const timestamp = appendTime >= 0 ? appendTime : r.timestamp
      r.outcome.delivered(r.index, { topic, partition, offset, timestamp })
      if (isOffsetKnown) offset++
    }
    this.#markDone()
  }

  fail(error: unknown): void {
    if (this.isDone) return
    this.isDone = true
    for (const r of this.records) r.outcome.failed(error)
    this.#markDone()
  }
}

interface MemoryWaiter {
  bytes: number
  wake(): void
  fail(error: Error): void
}

interface PartitionQueue {
  batches: ProducerBatch[]
  isInFlight: boolean
}

export interface AccumulatorOptions {
  batchSize: number
  lingerMs: number
  bufferMemory: number
  maxBlockMs: number
  deliveryTimeoutMs: number
  /** A batch stopped taking records (the sticky partitioner moves on, KIP-480). */
  onBatchClosed(batch: ProducerBatch): void
  /** Something became ready or may have: the sender should look. */
  wakeup(): void
  /** A batch expired (delivery.timeout.ms) in the queue; the transaction manager hears about it. */
  onBatchExpired?(batch: ProducerBatch, error: Error): void
}

export class RecordAccumulator {
  readonly #options: AccumulatorOptions
  readonly #queues = new Map<string, PartitionQueue>()
  readonly #memoryWaiters: MemoryWaiter[] = []
  #usedBytes = 0
  #flushes = 0

  constructor(options: AccumulatorOptions) {
    this.#options = options
  }

  get usedBytes(): number {
    return this.#usedBytes
  }

  /**
   * Adds a record to its partition's open batch. Returns null when that happened at once, or, when buffer.memory is
   * used up, a promise that resolves once the record got memory and was added (rejecting after max.block.ms).
   * Records wait for memory in order, so a partition's records stay in the order they were appended.
   */
  append(topic: string, partition: number, record: PendingRecord): Promise<void> | null {
    const bytes = estimateRecordBytes(record)
    if (this.#memoryWaiters.length === 0 && this.#fits(bytes)) {
      this.#usedBytes += bytes
      this.#addToBatch(topic, partition, record, bytes)
      return null
    }
    return this.#waitForMemory(bytes).then(() => this.#addToBatch(topic, partition, record, bytes))
  }

  #addToBatch(topic: string, partition: number, record: PendingRecord, bytes: number): void {
    const queue = this.#queue(topic, partition)
    const batchSize = this.#options.batchSize
    let batch = queue.batches.at(-1)
    if (batch === undefined || batch.isClosed || (batch.records.length > 0 && batch.sizeBytes + bytes > batchSize)) {
      if (batch !== undefined && !batch.isClosed) this.#close(batch)
      batch = new ProducerBatch(topic, partition, Date.now(), this.#options.deliveryTimeoutMs)
      queue.batches.push(batch)
    }
    batch.records.push(record)
    batch.sizeBytes += bytes
    if (batch.sizeBytes >= batchSize) this.#close(batch)
    if (batch.isClosed || batch.records.length === 1) this.#options.wakeup()
  }

  /**
   * The head batch of each idle partition that may go now, and the earliest time a waiting batch becomes ready
   * (Infinity when none waits). Expired batches are failed here.
   */
  ready(now: number): { batches: ProducerBatch[]; nextReadyAt: number } {
    const batches: ProducerBatch[] = []
    let nextReadyAt = Infinity
    const isUrgent = this.#flushes > 0 || this.#memoryWaiters.length > 0
    for (const queue of this.#queues.values()) {
      const head = queue.batches[0]
      if (head === undefined || queue.isInFlight) continue
      if (now >= head.deadline) {
        queue.batches.shift()
        this.#release(head)
        const error = new SamsaError(SamsaErrorCode.TIMEOUT, expiredMessage(head), { retriable: false })
        head.fail(error)
        this.#options.onBatchExpired?.(head, error)
        this.#options.wakeup()
        continue
      }
      const lingerUntil =
        head.isClosed || isUrgent || queue.batches.length > 1 ? 0 : head.createdAt + this.#options.lingerMs
      const readyAt = Math.max(lingerUntil, head.retryAt)
      if (readyAt <= now) batches.push(head)
      else nextReadyAt = Math.min(nextReadyAt, readyAt, head.deadline)
    }
    return { batches, nextReadyAt }
  }

  /** The sender took `batch`: no more appends, its partition waits for the outcome. */
  markInFlight(batch: ProducerBatch): void {
    if (!batch.isClosed) this.#close(batch)
    this.#queue(batch.topic, batch.partition).isInFlight = true
  }

  /** The outcome is final (success or failure): the next batch of the partition may go. */
  complete(batch: ProducerBatch): void {
    if (batch.isDone) return
    const queue = this.#queue(batch.topic, batch.partition)
    if (queue.batches[0] === batch) queue.batches.shift()
    queue.isInFlight = false
    this.#release(batch)
    this.#options.wakeup()
  }

  /** The attempt failed but may be retried at `retryAt`. */
  retryLater(batch: ProducerBatch, retryAt: number): void {
    batch.retryAt = retryAt
    this.#queue(batch.topic, batch.partition).isInFlight = false
    this.#options.wakeup()
  }

  /** Makes every batch ready at once and resolves when all batches present now are done. */
  async flush(): Promise<void> {
    const pending = [...this.#queues.values()].flatMap((q) => q.batches.map((b) => b.done))
    this.#flushes++
    this.#options.wakeup()
    try {
      await Promise.all(pending)
    } finally {
      this.#flushes--
    }
  }

  /**
   * Fails every batch never handed to the sender (no sequence number yet), as Java's abortUndrainedBatches does
   * when a transaction fails or is aborted. Batches sent at least once stay: their outcome is awaited.
   */
  failUndrained(error: Error): void {
    for (const queue of this.#queues.values()) {
      const kept = queue.batches.filter((b) => b.encoded !== null)
      if (kept.length === queue.batches.length) continue
      for (const batch of queue.batches) {
        if (batch.encoded !== null) continue
        this.#release(batch)
        batch.fail(error)
      }
      queue.batches = kept
    }
  }

  /** Fails every waiting batch and every blocked append (used when closing without flushing). */
  abortAll(error: Error): void {
    for (const waiter of this.#memoryWaiters.splice(0)) waiter.fail(error)
    for (const queue of this.#queues.values()) {
      for (const batch of queue.batches.splice(queue.isInFlight ? 1 : 0)) {
        this.#release(batch)
        batch.fail(error)
      }
    }
  }

  #queue(topic: string, partition: number): PartitionQueue {
    const key = `${partition}:${topic}`
    let queue = this.#queues.get(key)
    if (queue === undefined) {
      queue = { batches: [], isInFlight: false }
      this.#queues.set(key, queue)
    }
    return queue
  }

  #close(batch: ProducerBatch): void {
    batch.isClosed = true
    this.#options.onBatchClosed(batch)
  }

  /** A record larger than the whole buffer may still go alone, as long as nothing else is buffered. */
  #fits(bytes: number): boolean {
    return this.#usedBytes === 0 || this.#usedBytes + bytes <= this.#options.bufferMemory
  }

  #waitForMemory(bytes: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const waiter: MemoryWaiter = {
        bytes,
        wake: () => {
          clearTimeout(timer)
          resolve()
        },
        fail: (error) => {
          clearTimeout(timer)
          reject(error)
        },
      }
      const timer = setTimeout(() => {
        this.#memoryWaiters.splice(this.#memoryWaiters.indexOf(waiter), 1)
        const message = `no buffer memory for a ${bytes}-byte record within max.block.ms (${this.#options.maxBlockMs} ms)`
        reject(new SamsaError(SamsaErrorCode.TIMEOUT, message))
      }, this.#options.maxBlockMs)
      this.#memoryWaiters.push(waiter)
      this.#options.wakeup()
    })
  }

  #release(batch: ProducerBatch): void {
    if (batch.isReleased) return
    batch.isReleased = true
    this.#usedBytes -= batch.sizeBytes - RECORD_BATCH_OVERHEAD
    // Waiters are served in order, so a large record is not starved by a stream of small ones.
    while (this.#memoryWaiters.length > 0) {
      const next = this.#memoryWaiters[0] as MemoryWaiter
      if (!this.#fits(next.bytes)) break
      this.#memoryWaiters.shift()
      this.#usedBytes += next.bytes
      next.wake()
    }
  }
}

function expiredMessage(batch: ProducerBatch): string {
  return `${batch.records.length} record(s) for ${batch.topic}-${batch.partition} expired: not delivered within delivery.timeout.ms`
}
