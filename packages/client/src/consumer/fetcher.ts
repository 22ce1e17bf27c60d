// The fetcher keeps one Fetch in flight per leader for the assigned partitions that are not paused, have a
// position and have no undelivered data buffered, and buffers each partition's answer until the consumer takes it.
// A partition is fetched again only once its buffered data has been delivered, which bounds memory by roughly
// fetch.max.bytes per broker and keeps per-partition order trivially; a leader is fetched from again only once
// all of its buffered (unpaused) data has been taken, so one Fetch covers all of its partitions.
//
// Positions without an offset are reset first with ListOffsets (auto.offset.reset). Answers that say the metadata
// is stale refresh it and back the partition off; OFFSET_OUT_OF_RANGE resets it; anything else is an error the
// consumer surfaces. The fetcher knows nothing about groups: a group member drives it through SubscriptionState.

import { ErrorCode, Fetch } from '@samsa/protocol'
import type { Cluster } from '../cluster/cluster.ts'
import { listOffsets, OffsetSpec } from '../cluster/list-offsets.ts'
import { isStaleMetadataError } from '../cluster/metadata-cache.ts'
import { isRetriableError, KafkaProtocolError, SamsaError, SamsaErrorCode } from '../errors.ts'
import type { AutoOffsetReset } from '../options.ts'
import { backoffMs } from '../retry.ts'
import {
  readFetchedRecords,
  type AbortedTransaction,
  type ConsumerMessage,
  type FetchedRecords,
} from './fetched-records.ts'
import { partitionKey, type PartitionState, type SubscriptionState } from './subscription-state.ts'

export interface FetcherOptions {
  fetchMinBytes: number
  fetchMaxBytes: number
  maxPartitionFetchBytes: number
  fetchMaxWaitMs: number
  isolationLevel: number
  autoOffsetReset: AutoOffsetReset
  requestTimeoutMs: number
  retryBackoffMs: number
  retryBackoffMaxMs: number
  metadataMaxAgeMs: number
}

/** One partition's delivered-as-a-unit slice of a Fetch answer. */
export interface FetchedBatch {
  topic: string
  partition: number
  highWatermark: bigint
  /** -1n when the broker did not say (Fetch before v4). */
  lastStableOffset: bigint
  messages: ConsumerMessage[]
  /** The position after this batch is delivered. */
  nextOffset: bigint
  generation: number
}

/**
 * A partition's answer as it came, decoded only when the consumer takes it (as Java's CompletedFetch): decoding a
 * whole multi-partition answer at once kept tens of thousands of messages alive across collections, which made the
 * garbage collector most of the consumer's time.
 */
interface BufferedAnswer {
  topic: string
  partition: number
  highWatermark: bigint
  lastStableOffset: bigint
  records: Buffer
  fetchOffset: bigint
  abortedTransactions: readonly AbortedTransaction[] | null
  generation: number
}

export class Fetcher {
  readonly #cluster: Cluster
  readonly #subscriptions: SubscriptionState
  readonly #options: FetcherOptions
  /** Undelivered answers by partition key. */
  readonly #buffered = new Map<string, BufferedAnswer>()
  /** Leaders with a Fetch out, and the partitions in it. */
  readonly #inFlightLeaders = new Set<number>()
  readonly #inFlightPartitions = new Set<string>()
  #isResetting = false
  #resetRetryAt = 0
  #metadataRetryAt = 0
  #errors: unknown[] = []
  #failures = 0
  #timer: NodeJS.Timeout | undefined
  #isStopped = false
  #notify: (() => void) | null = null

  constructor(cluster: Cluster, subscriptions: SubscriptionState, options: FetcherOptions) {
    this.#cluster = cluster
    this.#subscriptions = subscriptions
    this.#options = options
  }

  /** Something changed (assignment, seek, resume, delivery): send the fetches that may go now. */
  pump(): void {
    if (this.#isStopped) return
    clearTimeout(this.#timer)
    this.#timer = undefined
    const now = Date.now()
    let wakeAt = Infinity
    if (this.#subscriptions.needingReset().length > 0 && !this.#isResetting) {
      if (now >= this.#resetRetryAt) void this.#resetPositions()
      else wakeAt = this.#resetRetryAt
    }
    for (const state of this.#subscriptions.all()) {
      if (state.position !== null && !state.isPaused && state.retryAt > now) wakeAt = Math.min(wakeAt, state.retryAt)
    }
    // A leader is fetched from again only once its deliverable buffered data has been taken. Otherwise the
    // partitions drained first (or already caught up) would go alone, and a Fetch of caught-up partitions waits
    // fetch.max.wait.ms holding the leader's one in-flight slot while the partitions with data wait behind it.
    const drainingLeaders = new Set<number>()
    for (const batch of this.#buffered.values()) {
      const state = this.#subscriptions.get(batch.topic, batch.partition)
      if (state === undefined || state.generation !== batch.generation || state.position === null) continue
      if (state.isPaused) continue
      drainingLeaders.add(this.#cluster.metadata.leaderOf(batch.topic, batch.partition))
    }
    const byLeader = new Map<number, PartitionState[]>()
    let needsMetadata = false
    for (const state of this.#subscriptions.fetchable(now)) {
      const key = partitionKey(state.topic, state.partition)
      if (this.#buffered.has(key) || this.#inFlightPartitions.has(key)) continue
      const leader = this.#cluster.metadata.leaderOf(state.topic, state.partition)
      if (leader < 0) {
        needsMetadata = true
        continue
      }
      if (this.#inFlightLeaders.has(leader) || drainingLeaders.has(leader)) continue
      byLeader.set(leader, [...(byLeader.get(leader) ?? []), state])
    }
    // metadata.max.age.ms: leaders can move without any error reaching this consumer (e.g. to a broker it does
    // not fetch from), so the metadata is refreshed when it gets old, as Kafka's clients do.
    if (now - this.#cluster.metadata.updatedAt > this.#options.metadataMaxAgeMs) needsMetadata = true
    if (needsMetadata) {
      if (now >= this.#metadataRetryAt) void this.#refreshMetadata()
      else wakeAt = Math.min(wakeAt, this.#metadataRetryAt)
    }
    for (const [leader, partitions] of byLeader) void this.#fetchFrom(leader, partitions)
    if (wakeAt !== Infinity) this.#timer = setTimeout(() => this.pump(), Math.max(0, wakeAt - now))
  }

  /**
   * The next buffered batch for a partition still assigned at the same generation and not paused, removed from
   * the buffer; null when none is ready. Stale batches (after a seek or reassignment) are dropped on the way.
   */
  takeBatch(): FetchedBatch | null {
    for (const [key, answer] of this.#buffered) {
      const state = this.#subscriptions.get(answer.topic, answer.partition)
      if (state === undefined || state.generation !== answer.generation || state.position === null) {
        this.#buffered.delete(key)
        continue
      }
      if (state.isPaused) continue
      this.#buffered.delete(key)
      const fetched = this.#decode(answer, state)
      this.pump()
      if (fetched === null || fetched.messages.length === 0) continue
      return {
        topic: answer.topic,
        partition: answer.partition,
        highWatermark: answer.highWatermark,
        lastStableOffset: answer.lastStableOffset,
        messages: fetched.messages,
        nextOffset: fetched.nextOffset,
        generation: answer.generation,
      }
    }
    return null
  }

  /**
   * The answer's messages, moving the position past them; null when the records are corrupt, which the application
   * sees as an error while the partition stays where it was and is fetched again after back-off.
   */
  #decode(answer: BufferedAnswer, state: PartitionState): FetchedRecords | null {
    try {
      const { topic, partition, records, fetchOffset, abortedTransactions } = answer
      const fetched = readFetchedRecords(topic, partition, records, fetchOffset, abortedTransactions)
      state.position = fetched.nextOffset
      return fetched
    } catch (error) {
      this.#errors.push(error)
      state.retryAt = Date.now() + backoffMs(this.#failures++, this.#options)
      this.#signal()
      return null
    }
  }

  /** Errors since the last call (fetch failures the application should see). */
  takeErrors(): unknown[] {
    const errors = this.#errors
    this.#errors = []
    return errors
  }

  /** Resolves once new data or an error may be available. */
  changed(): Promise<void> {
    return new Promise((resolve) => {
      const previous = this.#notify
      this.#notify = () => {
        previous?.()
        resolve()
      }
    })
  }

  /** Wakes whoever waits in changed(), e.g. to see an error raised outside the fetcher. */
  wake(): void {
    this.#signal()
  }

  stop(): void {
    this.#isStopped = true
    clearTimeout(this.#timer)
    this.#signal()
  }

  #signal(): void {
    const notify = this.#notify
    this.#notify = null
    notify?.()
  }

  async #fetchFrom(leader: number, partitions: PartitionState[]): Promise<void> {
    const sent = partitions.map((s) => ({ state: s, fetchOffset: s.position as bigint, generation: s.generation }))
    const keys = partitions.map((s) => partitionKey(s.topic, s.partition))
    this.#inFlightLeaders.add(leader)
    for (const key of keys) this.#inFlightPartitions.add(key)
    try {
      const topics = new Map<string, typeof sent>()
      for (const entry of sent) topics.set(entry.state.topic, [...(topics.get(entry.state.topic) ?? []), entry])
      const options = this.#options
      const { response, version } = await this.#cluster.broker(leader).request(
        Fetch,
        () =>
          Fetch.request.make({
            replicaId: -1,
            maxWaitMs: options.fetchMaxWaitMs,
            minBytes: options.fetchMinBytes,
            maxBytes: options.fetchMaxBytes,
            isolationLevel: options.isolationLevel,
            // Full fetch requests; incremental sessions (KIP-227) would cut request size for many partitions.
            sessionId: 0,
            sessionEpoch: -1,
            topics: [...topics].map(([topic, list]) => ({
              topic,
              partitions: list.map((e) => ({
                partition: e.state.partition,
                fetchOffset: e.fetchOffset,
                currentLeaderEpoch: this.#cluster.metadata.partition(topic, e.state.partition)?.leaderEpoch ?? -1,
                partitionMaxBytes: options.maxPartitionFetchBytes,
              })),
            })),
          }),
        { timeoutMs: options.requestTimeoutMs + options.fetchMaxWaitMs },
      )
      if (response.errorCode !== ErrorCode.NONE) {
        throw new KafkaProtocolError({ errorCode: response.errorCode, apiKey: Fetch.key, apiVersion: version })
      }
      for (const entry of sent) {
        const { state } = entry
        const answer = response.responses
          .find((t) => t.topic === state.topic)
          ?.partitions.find((p) => p.partitionIndex === state.partition)
        if (answer === undefined || state.generation !== entry.generation) continue
        if (answer.errorCode !== ErrorCode.NONE) {
          this.#partitionError(state, answer.errorCode, version)
          continue
        }
        state.highWatermark = answer.highWatermark
        state.lastStableOffset = answer.lastStableOffset
        if (answer.records === null || answer.records.length === 0) continue
        this.#buffered.set(partitionKey(state.topic, state.partition), {
          topic: state.topic,
          partition: state.partition,
          highWatermark: answer.highWatermark,
          lastStableOffset: answer.lastStableOffset,
          records: answer.records,
          fetchOffset: entry.fetchOffset,
          abortedTransactions: answer.abortedTransactions,
          generation: entry.generation,
        })
      }
      this.#failures = 0
    } catch (error) {
      if (this.#isStopped) return
      if (!isRetriableError(error)) this.#errors.push(error)
      else void this.#refreshMetadata()
      const retryAt = Date.now() + backoffMs(this.#failures++, this.#options)
      for (const entry of sent) entry.state.retryAt = retryAt
    } finally {
      this.#inFlightLeaders.delete(leader)
      for (const key of keys) this.#inFlightPartitions.delete(key)
      this.#signal()
      this.pump()
    }
  }

  #partitionError(state: PartitionState, errorCode: number, version: number): void {
    const error = new KafkaProtocolError({
      errorCode,
      apiKey: Fetch.key,
      apiVersion: version,
      topic: state.topic,
      partition: state.partition,
    })
    if (errorCode === ErrorCode.OFFSET_OUT_OF_RANGE && this.#options.autoOffsetReset !== 'none') {
      this.#subscriptions.requestReset(state)
    } else if (isStaleMetadataError(errorCode) || error.retriable) {
      // The next fetch waits for fresh metadata too, so it does not go to the old leader again.
      const retryAt = Date.now() + backoffMs(0, this.#options)
      state.retryAt = Infinity
      void this.#refreshMetadata().finally(() => {
        if (state.retryAt === Infinity) state.retryAt = retryAt
        this.pump()
      })
    } else {
      this.#errors.push(error)
      state.retryAt = Date.now() + backoffMs(0, this.#options)
    }
  }

  /** auto.offset.reset for every partition without a position. */
  async #resetPositions(): Promise<void> {
    this.#isResetting = true
    const states = this.#subscriptions.needingReset()
    try {
      if (this.#options.autoOffsetReset === 'none') {
        const names = states.map((s) => `${s.topic}-${s.partition}`).join(', ')
        throw new SamsaError(SamsaErrorCode.INVALID_ARGUMENT, `no offset for ${names} and auto.offset.reset is none`)
      }
      const timestamp = this.#options.autoOffsetReset === 'earliest' ? OffsetSpec.EARLIEST : OffsetSpec.LATEST
      const queries = states.map((s) => ({
        topic: s.topic,
        partition: s.partition,
        timestamp,
        generation: s.generation,
      }))
      const deadline = Date.now() + this.#options.requestTimeoutMs
      const answers = await listOffsets(this.#cluster, queries, this.#options.isolationLevel, deadline)
      answers.forEach((answer, i) => {
        const state = this.#subscriptions.get(answer.topic, answer.partition)
        // A seek or a new assignment that happened meanwhile wins over the reset.
        if (state !== undefined && state.position === null && state.generation === queries[i]!.generation) {
          state.position = answer.offset
        }
      })
    } catch (error) {
      if (!this.#isStopped && !isRetriableError(error)) this.#errors.push(error)
      this.#resetRetryAt = Date.now() + backoffMs(this.#failures++, this.#options)
    } finally {
      this.#isResetting = false
      this.#signal()
    }
    this.pump()
  }

  /** Refreshes the metadata of the assigned topics; resolves when done, whether it worked or not. */
  #refreshMetadata(): Promise<void> {
    if (this.#cluster.isClosed || this.#isStopped) return Promise.resolve()
    this.#metadataRetryAt = Date.now() + this.#options.retryBackoffMs
    const topics = new Set(this.#subscriptions.all().map((s) => s.topic))
    return this.#cluster.refreshMetadata(topics).then(
      () => this.pump(),
      () => this.pump(),
    )
  }
}
