// The consumer: assign() partitions (optionally with offsets), or, with a groupId, subscribe() to topics and let
// the group (classic or KIP-848, see group-session.ts) decide; then read with an async iterator
// (`for await (const message of consumer)`) or run({ eachMessage } | { eachBatch }). Positions advance as messages
// are handed out; seek, pause and resume act on the assignment. The group drives the same SubscriptionState the
// manual assignment does, so the fetcher knows nothing about groups.

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
import type { AssignorName } from '../group/assignors.ts'
import { withoutPartitions } from '../group/membership.ts'
import { fetchCommittedOffsets, type CommittedOffset, type OffsetToCommit } from '../group/offsets.ts'
import type { ConsumerMessage } from './fetched-records.ts'
import { Fetcher, type FetchedBatch } from './fetcher.ts'
import {
  GroupSession,
  type ConsumerInternals,
  type GroupProtocol,
  type GroupSessionOptions,
  type RebalanceListener,
} from './group-session.ts'
import { LagMetrics, type ConsumerMetrics } from './lag-metrics.ts'
import { partitionKey, SubscriptionState } from './subscription-state.ts'

export interface ConsumerOptions extends CommonOptions {
  fetchMinBytes?: number
  fetchMaxBytes?: number
  maxPartitionFetchBytes?: number
  fetchMaxWaitMs?: number
  isolationLevel?: IsolationLevelName
  autoOffsetReset?: AutoOffsetReset
  allowAutoTopicCreation?: boolean
  /** How long commit() and committed() keep retrying (Java: default.api.timeout.ms). */
  defaultApiTimeoutMs?: number
  /** Joins this consumer group; needed for subscribe() and commits. */
  groupId?: string
  /** Static membership (KIP-345): a restart within sessionTimeoutMs keeps the assignment without a rebalance. */
  groupInstanceId?: string
  /** 'classic' (JoinGroup/SyncGroup, client-side assignors) or 'consumer' (KIP-848, the broker assigns). */
  groupProtocol?: GroupProtocol
  sessionTimeoutMs?: number
  /** How long the group waits for members to rejoin (Java: max.poll.interval.ms). */
  rebalanceTimeoutMs?: number
  heartbeatIntervalMs?: number
  /** Classic protocol: the assignors offered, in order of preference. */
  partitionAssignors?: readonly AssignorName[]
  /** Consumer protocol: the broker-side assignor ('uniform' or 'range'). */
  serverAssignor?: string
  autoCommit?: boolean
  autoCommitIntervalMs?: number
}

interface ResolvedConsumerOptions extends ResolvedCommonOptions, Omit<GroupSessionOptions, 'groupId'> {
  groupId: string | null
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
  /** The partition generation each handed-out batch was fetched at (seek and reassignment bump it). */
  readonly #batchGenerations = new WeakMap<ConsumerBatch, number>()
  /** Partitions being revoked: nothing more of them is handed out while their offsets are committed. */
  readonly #revoking = new Set<string>()
  readonly #group: GroupSession | null
  readonly #lag: LagMetrics
  readonly #groupInstanceId: string | null
  readonly #defaultApiTimeoutMs: number
  #groupErrors: unknown[] = []
  #delivering: { topic: string; partition: number; done: Promise<void> } | null = null
  /** The message the iterator handed out and the application is working on. */
  #handedOut: ConsumerMessage | null = null

  constructor(input: ConsumerOptions | (Partial<ConsumerOptions> & JavaProperties)) {
    const options = parseOptions(
      'consumer',
      input,
      CONSUMER_OPTIONS,
      allDefaults.consumer,
    ) as unknown as ResolvedConsumerOptions
    this.#cluster = new Cluster({ ...options })
    this.#lag = new LagMetrics(options.isolationLevel === 'read_committed')
    this.#fetcher = new Fetcher(this.#cluster, this.#subscriptions, {
      ...options,
      isolationLevel: isolationLevelCode(options.isolationLevel),
    })
    const { groupId } = options
    this.#groupInstanceId = options.groupInstanceId
    this.#defaultApiTimeoutMs = options.defaultApiTimeoutMs
    this.#group =
      groupId === null ? null : new GroupSession(this.#cluster, { ...options, groupId }, this.#groupInternals())
  }

  /**
   * Joins the group (groupId) and consumes what it assigns: the topics listed, or every topic matching the pattern
   * (checked again on each rebalance). Calling it again changes the subscription.
   */
  subscribe(topics: readonly string[] | RegExp, listener: RebalanceListener = {}): void {
    this.#checkOpen()
    if (this.#group === null) throw invalidArgument('subscribe() needs the groupId option')
    if (!(topics instanceof RegExp) && (!Array.isArray(topics) || topics.some((t) => typeof t !== 'string'))) {
      throw invalidArgument('subscribe() takes an array of topic names or a RegExp')
    }
    this.#group.subscribe(topics, listener)
  }

  /** Leaves the group (committing first with autoCommit, and calling onPartitionsRevoked); subscribe() may follow. */
  async unsubscribe(): Promise<void> {
    this.#checkOpen()
    await this.#group?.unsubscribe()
  }

  /** Who this consumer is in its group (Java's groupMetadata()); generationId is the member epoch for KIP-848. */
  groupMetadata(): { groupId: string | null; memberId: string; generationId: number; groupInstanceId: string | null } {
    const membership = this.#group?.membership
    return {
      groupId: this.#group?.coordinator.groupId ?? null,
      memberId: membership?.memberId ?? '',
      generationId: membership?.generationId ?? -1,
      groupInstanceId: this.#groupInstanceId,
    }
  }

  /**
   * Commits the given offsets (the next offset to read, per partition), or else the offset after the last
   * message the application finished with in each assigned partition. Resolves once the coordinator has them.
   */
  async commit(offsets?: readonly OffsetToCommit[]): Promise<void> {
    this.#checkOpen()
    if (this.#group === null) throw invalidArgument('commit() needs the groupId option')
    // Committing from inside the loop body means the application is done with the message it holds (Java
    // commits the position after everything poll() returned).
    if (offsets === undefined && this.#handedOut !== null) this.#group.markConsumed(this.#handedOut)
    await this.#group.commit(offsets)
  }

  /** commit() without waiting; `callback` hears how it went. */
  commitAsync(offsets?: readonly OffsetToCommit[], callback?: (error: unknown) => void): void {
    this.commit(offsets).then(
      () => callback?.(null),
      (error: unknown) => callback?.(error),
    )
  }

  /** The group's committed offsets for these partitions (-1n: none). */
  async committed(partitions: readonly TopicPartition[]): Promise<CommittedOffset[]> {
    this.#checkOpen()
    if (this.#group === null) throw invalidArgument('committed() needs the groupId option')
    const group = this.#group
    return this.#cluster.retrying(Date.now() + this.#defaultApiTimeoutMs, () =>
      fetchCommittedOffsets(group.coordinator, partitions),
    )
  }

  /** Lag per assigned partition (records-lag, records-lag-avg, records-lag-max) and totals. */
  metrics(): ConsumerMetrics {
    return this.#lag.snapshot(this.#subscriptions.all())
  }

  /** Replaces the assignment with these partitions. */
  assign(partitions: readonly PartitionAssignment[]): void {
    this.#checkOpen()
    if (this.#group?.membership != null) throw invalidArgument('assign() cannot be used after subscribe()')
    for (const p of partitions) {
      if (typeof p.topic !== 'string' || !Number.isInteger(p.partition) || p.partition < 0) {
        throw invalidArgument(`not a topic partition: ${JSON.stringify({ topic: p.topic, partition: p.partition })}`)
      }
      if (p.offset !== undefined && (typeof p.offset !== 'bigint' || p.offset < 0n)) {
        throw invalidArgument(`offset of ${p.topic}-${p.partition} must be a bigint >= 0`)
      }
    }
    this.#subscriptions.assign(partitions)
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
    this.#fetcher.pump()
  }

  pause(partitions: readonly TopicPartition[]): void {
    this.#subscriptions.setPaused(partitions, true)
    // A paused partition's buffered data no longer holds back the next Fetch to its leader.
    this.#fetcher.pump()
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
      this.#throwErrors()
      const batch = this.#fetcher.takeBatch()
      if (batch !== null) {
        this.#lag.record(batch, batch.nextOffset, batch.messages.length)
        const out = toConsumerBatch(batch)
        this.#batchGenerations.set(out, batch.generation)
        return out
      }
      // takeBatch() decodes what it takes, which can fail (a corrupt batch).
      this.#throwErrors()
      // Nothing can change between takeBatch() and here: both run in one turn of the event loop.
      await this.#fetcher.changed()
    }
  }

  #throwErrors(): void {
    const errors = this.#fetcher.takeErrors()
    errors.push(...this.#groupErrors.splice(0))
    if (errors.length === 1) throw errors[0]
    if (errors.length > 1) throw new AggregateError(errors, `${errors.length} fetch errors`)
  }

  async *[Symbol.asyncIterator](): AsyncIterator<ConsumerMessage> {
    for (;;) {
      const batch = await this.nextBatch()
      if (batch === null) return
      let next = 0
      try {
        for (const message of batch.messages) {
          // A seek or assign during iteration wins: the rest of this batch is no longer where the consumer is.
          if (!this.#isCurrent(batch)) break
          next++
          this.#handedOut = message
          try {
            yield message
          } finally {
            // The application asked for the next message (or stopped): it is done with this one.
            this.#handedOut = null
            this.#group?.markConsumed(message)
          }
        }
      } finally {
        // Leaving the loop early (break, return, throw) must not skip the rest of the batch: the next read
        // starts right after the last message handed out, as Java's position does.
        const rest = batch.messages[next]
        if (rest !== undefined && this.#isCurrent(batch)) {
          this.#subscriptions.seek(batch.topic, batch.partition, rest.offset)
          this.#fetcher.pump()
        }
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
          const last = batch.messages.at(-1)
          if (last !== undefined) this.#group?.markConsumed(last)
          continue
        }
        for (const message of batch.messages) {
          if (!this.#isCurrent(batch)) break
          await this.#deliver(batch, message, () => handlers.eachMessage(message))
          this.#group?.markConsumed(message)
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
    try {
      await this.#group?.close()
    } finally {
      await this.#cluster.close()
    }
  }

  /** Runs a handler; on failure the partition goes back to `from`, so the next read redelivers it. */
  async #deliver(
    batch: ConsumerBatch,
    from: ConsumerMessage | undefined,
    handle: () => Promise<void> | void,
  ): Promise<void> {
    const done = Promise.resolve().then(handle)
    this.#delivering = { topic: batch.topic, partition: batch.partition, done }
    try {
      await done
    } catch (error) {
      if (from !== undefined && !this.#isClosed) {
        this.#subscriptions.seek(batch.topic, batch.partition, from.offset)
      }
      this.#fetcher.pump()
      throw error
    } finally {
      this.#delivering = null
    }
  }

  /** Whether the rest of a handed-out batch is still where the consumer is (no seek, revocation or close). */
  #isCurrent(batch: ConsumerBatch): boolean {
    const state = this.#subscriptions.get(batch.topic, batch.partition)
    return (
      !this.#isClosed &&
      state !== undefined &&
      state.generation === this.#batchGenerations.get(batch) &&
      !this.#revoking.has(partitionKey(batch.topic, batch.partition))
    )
  }

  /** The consumer as the group session sees it. */
  #groupInternals(): ConsumerInternals {
    const current = () => this.#subscriptions.all().map((s) => ({ topic: s.topic, partition: s.partition }))
    return {
      assignment: current,
      isAssigned: (topic, partition) => this.#subscriptions.get(topic, partition) !== undefined,
      addPartitions: (partitions) => {
        this.#subscriptions.assign([...current(), ...partitions])
        this.#afterAssignmentChange(partitions)
      },
      stopDelivering: (partitions) => {
        for (const p of partitions) this.#revoking.add(partitionKey(p.topic, p.partition))
        this.#subscriptions.setPaused(partitions, true)
        this.#fetcher.pump()
      },
      removePartitions: (partitions) => {
        for (const p of partitions) this.#revoking.delete(partitionKey(p.topic, p.partition))
        this.#subscriptions.assign(withoutPartitions(current(), partitions))
        this.#lag.forget(partitions)
        this.#afterAssignmentChange([])
      },
      deliveryInProgress: () => this.#delivering,
      fail: (error) => {
        this.#groupErrors.push(error)
        this.#fetcher.wake()
      },
    }
  }

  #afterAssignmentChange(added: readonly TopicPartition[]): void {
    if (added.length > 0) {
      void this.#cluster.refreshMetadata(new Set(added.map((p) => p.topic))).catch(() => undefined)
    }
    this.#fetcher.pump()
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
