// The consumer without groups: assign() partitions (optionally with offsets), then read with an async iterator
// (`for await (const message of consumer)`) or run({ eachMessage } | { eachBatch }). Positions advance as messages
// are handed out; seek, pause and resume act on the assignment. Group membership will drive the same
// SubscriptionState through assign(), and commit positions, without touching the fetcher.

import { Cluster } from '../cluster/cluster.ts'
import type { TopicPartition } from '../cluster/sharding.ts'
import { closedError, SamsaError, SamsaErrorCode } from '../errors.ts'
import { isolationLevelCode } from '../isolation-level.ts'
import {
  allDefaults,
  CONSUMER_OPTIONS,
  parseOptions,
  type AutoOffsetReset,
  type CommonOptions,
  type IsolationLevelName,
  type JavaProperties,
  type ResolvedCommonOptions,
} from '../options.ts'
import type { ConsumerMessage } from './fetched-records.ts'
import { Fetcher, type FetchedBatch } from './fetcher.ts'
import { SubscriptionState } from './subscription-state.ts'

export interface ConsumerOptions extends CommonOptions {
  fetchMinBytes?: number
  fetchMaxBytes?: number
  maxPartitionFetchBytes?: number
  fetchMaxWaitMs?: number
  isolationLevel?: IsolationLevelName
  autoOffsetReset?: AutoOffsetReset
  allowAutoTopicCreation?: boolean
}

interface ResolvedConsumerOptions extends ResolvedCommonOptions {
  fetchMinBytes: number
  fetchMaxBytes: number
  maxPartitionFetchBytes: number
  fetchMaxWaitMs: number
  isolationLevel: IsolationLevelName
  autoOffsetReset: AutoOffsetReset
  allowAutoTopicCreation: boolean
}

export interface PartitionAssignment extends TopicPartition {
  /** Where to start; without it auto.offset.reset decides. */
  offset?: bigint
}

export interface ConsumerBatch {
  topic: string
  partition: number
  highWatermark: bigint
  messages: ConsumerMessage[]
}

export type RunHandlers =
  | { eachMessage: (message: ConsumerMessage) => Promise<void> | void }
  | { eachBatch: (batch: ConsumerBatch) => Promise<void> | void }

export class Consumer implements AsyncIterable<ConsumerMessage> {
  readonly #cluster: Cluster
  readonly #subscriptions = new SubscriptionState()
  readonly #fetcher: Fetcher
  #isClosed = false
  #isRunning = false
  /** Bumped by assign and seek, so a batch being handed out stops when its positions no longer hold. */
  #moves = 0

  constructor(input: ConsumerOptions | (Partial<ConsumerOptions> & JavaProperties)) {
    const options = parseOptions(
      'consumer',
      input,
      CONSUMER_OPTIONS,
      allDefaults.consumer,
    ) as unknown as ResolvedConsumerOptions
    this.#cluster = new Cluster({ ...options })
    this.#fetcher = new Fetcher(this.#cluster, this.#subscriptions, {
      ...options,
      isolationLevel: isolationLevelCode(options.isolationLevel),
    })
  }

  /** Replaces the assignment with these partitions. */
  assign(partitions: readonly PartitionAssignment[]): void {
    this.#checkOpen()
    for (const p of partitions) {
      if (typeof p.topic !== 'string' || !Number.isInteger(p.partition) || p.partition < 0) {
        throw invalidArgument(`not a topic partition: ${JSON.stringify({ topic: p.topic, partition: p.partition })}`)
      }
      if (p.offset !== undefined && (typeof p.offset !== 'bigint' || p.offset < 0n)) {
        throw invalidArgument(`offset of ${p.topic}-${p.partition} must be a bigint >= 0`)
      }
    }
    this.#subscriptions.assign(partitions)
    this.#moves++
    void this.#cluster.refreshMetadata(new Set(partitions.map((p) => p.topic))).catch(() => undefined)
    this.#fetcher.pump()
  }

  assignment(): TopicPartition[] {
    return this.#subscriptions.all().map((s) => ({ topic: s.topic, partition: s.partition }))
  }

  /** The next offset this consumer will hand out for the partition (null until known). */
  position(topic: string, partition: number): bigint | null {
    return this.#subscriptions.get(topic, partition)?.position ?? null
  }

  /** Moves the partition's position; data already fetched for it is dropped. */
  seek(topic: string, partition: number, offset: bigint): void {
    this.#checkOpen()
    if (typeof offset !== 'bigint' || offset < 0n) throw invalidArgument('offset must be a bigint >= 0')
    if (!this.#subscriptions.seek(topic, partition, offset))
      throw invalidArgument(`${topic}-${partition} is not assigned`)
    this.#moves++
    this.#fetcher.pump()
  }

  pause(partitions: readonly TopicPartition[]): void {
    this.#subscriptions.setPaused(partitions, true)
  }

  resume(partitions: readonly TopicPartition[]): void {
    this.#subscriptions.setPaused(partitions, false)
    this.#fetcher.pump()
  }

  paused(): TopicPartition[] {
    return this.#subscriptions
      .all()
      .filter((s) => s.isPaused)
      .map((s) => ({ topic: s.topic, partition: s.partition }))
  }

  /** The next batch of one partition; null once the consumer is closed. Fetch errors are thrown here. */
  async nextBatch(): Promise<ConsumerBatch | null> {
    for (;;) {
      if (this.#isClosed) return null
      const errors = this.#fetcher.takeErrors()
      if (errors.length === 1) throw errors[0]
      if (errors.length > 1) throw new AggregateError(errors, `${errors.length} fetch errors`)
      const batch = this.#fetcher.takeBatch()
      if (batch !== null) return toConsumerBatch(batch)
      // Nothing can change between takeBatch() and here: both run in one turn of the event loop.
      await this.#fetcher.changed()
    }
  }

  async *[Symbol.asyncIterator](): AsyncIterator<ConsumerMessage> {
    for (;;) {
      const batch = await this.nextBatch()
      if (batch === null) return
      const moves = this.#moves
      for (const message of batch.messages) {
        // A seek or assign during iteration wins: the rest of this batch is no longer where the consumer is.
        if (this.#moves !== moves || this.#isClosed) break
        yield message
      }
    }
  }

  /**
   * Hands every message (or batch) to the handler until close(). If the handler throws, the partition's position
   * goes back to the failed message (or batch), the loop stops and run() rejects with the error.
   */
  async run(handlers: RunHandlers): Promise<void> {
    this.#checkOpen()
    if (this.#isRunning) throw invalidArgument('run() is already running')
    this.#isRunning = true
    try {
      for (;;) {
        const batch = await this.nextBatch()
        if (batch === null) return
        if ('eachBatch' in handlers) {
          await this.#deliver(batch, batch.messages[0], () => handlers.eachBatch(batch))
          continue
        }
        const moves = this.#moves
        for (const message of batch.messages) {
          if (this.#moves !== moves || this.#isClosed) break
          await this.#deliver(batch, message, () => handlers.eachMessage(message))
        }
      }
    } finally {
      this.#isRunning = false
    }
  }

  async close(): Promise<void> {
    if (this.#isClosed) return
    this.#isClosed = true
    this.#fetcher.stop()
    await this.#cluster.close()
  }

  /** Runs a handler; on failure the partition goes back to `from`, so the next read redelivers it. */
  async #deliver(
    batch: ConsumerBatch,
    from: ConsumerMessage | undefined,
    handle: () => Promise<void> | void,
  ): Promise<void> {
    try {
      await handle()
    } catch (error) {
      if (from !== undefined && !this.#isClosed) {
        this.#subscriptions.seek(batch.topic, batch.partition, from.offset)
        this.#moves++
      }
      this.#fetcher.pump()
      throw error
    }
  }

  #checkOpen(): void {
    if (this.#isClosed) throw closedError('consumer')
  }
}

export function createConsumer(options: ConsumerOptions | (Partial<ConsumerOptions> & JavaProperties)): Consumer {
  return new Consumer(options)
}

function toConsumerBatch(batch: FetchedBatch): ConsumerBatch {
  return {
    topic: batch.topic,
    partition: batch.partition,
    highWatermark: batch.highWatermark,
    messages: batch.messages,
  }
}

function invalidArgument(message: string): SamsaError {
  return new SamsaError(SamsaErrorCode.INVALID_ARGUMENT, message)
}
