// The partitions this broker hosts (Kafka's ReplicaManager): opens a log for every partition the metadata assigns
// here, follows metadata changes (topics created and deleted, partitions added, configs altered), and serves the
// data-path operations of the handlers: produce, fetch (fetch.ts), ListOffsets, DeleteRecords,
// OffsetForLeaderEpoch and DescribeLogDirs. Per-partition outcomes are returned as error codes, never thrown.

import { ErrorCode, KafkaError } from '@samsa/protocol'
import type { Clock, LogManager } from '@samsa/storage'
import type { ConfigResolver } from '../config/config-resolver.ts'
import type { MetadataChange, MetadataStore, TopicMetadata } from '../metadata/index.ts'
import type { Logger } from '../logger.ts'
import { ReadBufferPool } from './read-buffers.ts'
import { FetchPurgatory } from './delayed-fetch.ts'
import { FetchSessionCache } from './fetch-sessions.ts'
import {
  IsolationLevel,
  Partition,
  type PartitionAppendResult,
  type TransactionVerifier,
  type TxnMarker,
} from './partition.ts'
import { resolveTopicSettings } from './topic-settings.ts'

/** ListOffsets special timestamps. */
export const OffsetSpec = {
  LATEST: -1n,
  EARLIEST: -2n,
  MAX_TIMESTAMP: -3n,
  EARLIEST_LOCAL: -4n,
  LATEST_TIERED: -5n,
} as const

export interface ListOffsetResult {
  errorCode: number
  timestamp: bigint
  offset: bigint
  leaderEpoch: number
}

export interface PartitionManagerOptions {
  nodeId: number
  store: MetadataStore
  configs: ConfigResolver
  logManager: LogManager
  clock: Clock
  logger: Logger
  /**
   * The log manager's file system writes produce appends on a background thread (the broker turns it on with
   * direct appends): answers and the high watermark then wait for the writes. Off, appends are written at once.
   */
  backgroundAppends?: boolean
}

/** Validation rules of the newest Produce version (magic v2 only) for records a coordinator writes. */
const INTERNAL_APPEND_VERSION = 11

/** One producer a partition remembers, as DescribeProducers shows it. */
export interface ActiveProducer {
  producerId: bigint
  producerEpoch: number
  lastSequence: number
  lastTimestamp: bigint
  coordinatorEpoch: number
  currentTxnStartOffset: bigint
}

export function tpKey(topic: string, partition: number): string {
  return `${topic}-${partition}`
}

export interface ClientAppendResult extends PartitionAppendResult {
  written?: Promise<number>
}

export class PartitionManager {
  readonly nodeId: number
  readonly clock: Clock
  /** Produce appends finish on the storage's writer thread (PartitionManagerOptions.backgroundAppends). */
  readonly backgroundAppends: boolean
  readonly purgatory: FetchPurgatory
  readonly fetchSessions: FetchSessionCache
  /** Recycled memory for Fetch responses, within samsa.fetch.memory.max.bytes (read-buffers.ts). */
  readonly readBuffers: ReadBufferPool
  readonly configs: ConfigResolver
  readonly #store: MetadataStore
  readonly #logManager: LogManager
  readonly #logger: Logger
  readonly #partitions = new Map<string, Partition>()
  #unsubscribe: (() => void) | null = null
  /** Set by the broker once the transaction coordinator exists; unset, transactional writes are not verified. */
  verifyTransaction: TransactionVerifier | undefined

  constructor(options: PartitionManagerOptions) {
    this.nodeId = options.nodeId
    this.clock = options.clock
    this.configs = options.configs
    this.readBuffers = new ReadBufferPool({
      maxInUseBytes: Number(options.configs.brokerValue('samsa.fetch.memory.max.bytes')),
    })
    this.#store = options.store
    this.#logManager = options.logManager
    this.#logger = options.logger
    this.backgroundAppends = options.backgroundAppends === true
    this.purgatory = new FetchPurgatory(options.clock)
    this.fetchSessions = new FetchSessionCache(
      options.configs.brokerValue('max.incremental.fetch.session.cache.slots') as number,
    )
  }

  /** Opens the logs of every partition assigned here and starts following metadata changes. */
  start(): void {
    for (const topic of this.#store.topics()) this.#openTopic(topic, 0)
    const known = new Set(this.#partitions.keys())
    for (const log of this.#logManager.allLogs()) {
      if (!known.has(tpKey(log.topic, log.partition))) {
        this.#logger.warn(`log ${tpKey(log.topic, log.partition)} belongs to no known topic; left on disk`)
      }
    }
    this.#unsubscribe = this.#store.subscribe((change) => this.#onMetadataChange(change))
  }

  async close(): Promise<void> {
    this.#unsubscribe?.()
    this.purgatory.completeAll()
    await this.#logManager.close()
  }

  getPartition(topic: string, partition: number): Partition | undefined {
    return this.#partitions.get(tpKey(topic, partition))
  }

  /** Resolves a topic id (Fetch v13+) to the topic name, if the topic exists. */
  topicNameOf(topicId: string): string | undefined {
    return this.#store.topicById(topicId)?.name
  }

  topicIdOf(topic: string): string | undefined {
    return this.#store.topic(topic)?.topicId
  }

  /**
   * Appends a produced record set to the partition's leader log. The segment write may still be under way: the
   * result's `written` (when set) resolves with an error code once it is done and the high watermark covers it.
   */
  appendRecords(
    topic: string,
    partition: number,
    records: Buffer | null,
    requiredAcks: number,
    apiVersion: number,
  ): ClientAppendResult {
    const p = this.getPartition(topic, partition)
    if (p === undefined) {
      return {
        errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
        errorMessage: null,
        baseOffset: -1n,
        logAppendTimeMs: -1n,
        logStartOffset: -1n,
        recordErrors: [],
        appendedBytes: 0,
      }
    }
    // Clients may not write to __consumer_offsets or __transaction_state (Kafka: "Cannot append to internal topic").
    if (p.isInternal) {
      return {
        errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION,
        errorMessage: `Cannot append to internal topic ${topic}`,
        baseOffset: -1n,
        logAppendTimeMs: -1n,
        logStartOffset: -1n,
        recordErrors: [],
        appendedBytes: 0,
      }
    }
    const result: ClientAppendResult = p.appendRecordsToLeader(records, requiredAcks, apiVersion, this.clock.now(), {
      kind: 'client',
      background: this.backgroundAppends,
      ...(this.verifyTransaction === undefined ? {} : { verifyTransaction: this.verifyTransaction }),
    })
    const key = tpKey(topic, partition)
    const { pendingEndOffset, appendedBytes } = result
    if (pendingEndOffset === undefined) {
      if (appendedBytes > 0) this.purgatory.onAppend(key, appendedBytes)
      return result
    }
    // Consumers see the records (high watermark) only once they are written, as with a synchronous write.
    result.written = this.appendsWritten().then((errorCode) => {
      if (errorCode !== ErrorCode.NONE || this.#partitions.get(key) !== p) return errorCode
      p.advanceHighWatermark(pendingEndOffset)
      this.purgatory.onAppend(key, appendedBytes)
      return errorCode
    })
    return result
  }

  /**
   * Waits until every produce append so far is written (the storage's background writer): NONE, or
   * KAFKA_STORAGE_ERROR when a write failed (Kafka's answer for a log dir that failed).
   */
  appendsWritten(): Promise<number> {
    return this.#logManager.appendsWritten().then(
      () => ErrorCode.NONE,
      (error: unknown) => {
        this.#logger.error('a segment write failed; produce requests get KAFKA_STORAGE_ERROR', error)
        return ErrorCode.KAFKA_STORAGE_ERROR
      },
    )
  }

  /**
   * Writes a transaction marker (Kafka's WriteTxnMarkers, per partition). UNKNOWN_TOPIC_OR_PARTITION for a partition
   * that is gone: the coordinator then forgets it, as Kafka does for deleted topics.
   */
  appendTxnMarker(topic: string, partition: number, marker: TxnMarker): number {
    const p = this.getPartition(topic, partition)
    if (p === undefined) return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION
    const { errorCode, appendedBytes } = p.appendTxnMarker(marker, this.clock.now())
    // The last stable offset may have moved: read_committed fetches parked on this partition re-read.
    if (appendedBytes > 0) this.purgatory.onAppend(tpKey(topic, partition), appendedBytes)
    return errorCode
  }

  /**
   * Appends a coordinator's records to its internal topic (which clients may not produce to), as Kafka's
   * coordinators do through ReplicaManager.appendRecords with AppendOrigin.COORDINATOR. Throws a KafkaError when
   * the partition is not here or refuses the batch.
   */
  appendInternalRecords(topic: string, partition: number, batch: Buffer): bigint {
    const p = this.getPartition(topic, partition)
    if (p === undefined) throw new KafkaError(ErrorCode.NOT_COORDINATOR, `${topic}-${partition} is not hosted here`)
    const result = p.appendRecordsToLeader(batch, -1, INTERNAL_APPEND_VERSION, this.clock.now(), {
      kind: 'coordinator',
    })
    if (result.errorCode !== ErrorCode.NONE) {
      throw new KafkaError(result.errorCode, `cannot append to ${topic}-${partition}: ${result.errorMessage ?? ''}`)
    }
    if (result.appendedBytes > 0) this.purgatory.onAppend(tpKey(topic, partition), result.appendedBytes)
    return result.baseOffset
  }

  listOffset(
    topic: string,
    partition: number,
    timestamp: bigint,
    isolationLevel: number,
    currentLeaderEpoch: number,
    replicaId: number,
  ): ListOffsetResult {
    const fail = (errorCode: number): ListOffsetResult => ({ errorCode, timestamp: -1n, offset: -1n, leaderEpoch: -1 })
    const p = this.getPartition(topic, partition)
    if (p === undefined) return fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
    const epochError = p.checkLeaderEpoch(currentLeaderEpoch)
    if (epochError !== ErrorCode.NONE) return fail(epochError)
    const found = (offset: bigint, ts = -1n, leaderEpoch = p.leaderEpoch): ListOffsetResult => ({
      errorCode: ErrorCode.NONE,
      timestamp: ts,
      offset,
      leaderEpoch,
    })
    // Consumers see up to the high watermark (read_committed: the LSO); replicas and debug tools to the log end.
    const latest =
      replicaId >= 0
        ? p.logEndOffset
        : isolationLevel === IsolationLevel.READ_COMMITTED
          ? p.lastStableOffset
          : p.highWatermark
    switch (timestamp) {
      case OffsetSpec.LATEST:
        return found(latest)
      case OffsetSpec.EARLIEST:
      case OffsetSpec.EARLIEST_LOCAL:
        return found(p.logStartOffset)
      case OffsetSpec.LATEST_TIERED:
        // No tiered storage: nothing has been uploaded.
        return found(-1n, -1n, -1)
      case OffsetSpec.MAX_TIMESTAMP: {
        const max = p.log.offsetOfMaxTimestamp()
        return max === null ? found(-1n, -1n, -1) : found(max.offset, max.timestamp, max.leaderEpoch)
      }
      default: {
        if (timestamp < 0n) return fail(ErrorCode.INVALID_REQUEST)
        const hit = p.log.offsetForTimestamp(timestamp)
        if (hit === null || hit.offset >= latest) return found(-1n, -1n, -1)
        return found(hit.offset, hit.timestamp, hit.leaderEpoch)
      }
    }
  }

  /**
   * DescribeProducers (KIP-664): the producers a partition remembers, as Kafka's ReplicaManager.activeProducerState
   * reports them; NOT_LEADER_OR_FOLLOWER would come from a follower, UNKNOWN_TOPIC_OR_PARTITION from a stranger.
   */
  describeProducers(topic: string, partition: number): { errorCode: number; producers: ActiveProducer[] } {
    const p = this.getPartition(topic, partition)
    if (p === undefined) return { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, producers: [] }
    const producers: ActiveProducer[] = []
    for (const entry of p.log.producerState.activeProducers()) {
      producers.push({
        producerId: entry.producerId,
        producerEpoch: entry.producerEpoch,
        lastSequence: entry.batches.at(-1)?.lastSeq ?? -1,
        lastTimestamp: entry.lastTimestamp,
        coordinatorEpoch: entry.coordinatorEpoch,
        currentTxnStartOffset: entry.currentTxnFirstOffset,
      })
    }
    return { errorCode: ErrorCode.NONE, producers }
  }

  /** DeleteRecords: offset -1 means "up to the high watermark" (KIP-107). */
  deleteRecords(topic: string, partition: number, offset: bigint): { errorCode: number; lowWatermark: bigint } {
    const p = this.getPartition(topic, partition)
    if (p === undefined) return { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, lowWatermark: -1n }
    const target = offset === -1n ? p.highWatermark : offset
    if (target < 0n || target > p.highWatermark) return { errorCode: ErrorCode.OFFSET_OUT_OF_RANGE, lowWatermark: -1n }
    const lowWatermark = p.log.deleteRecordsBefore(target)
    return { errorCode: ErrorCode.NONE, lowWatermark }
  }

  endOffsetForEpoch(
    topic: string,
    partition: number,
    leaderEpoch: number,
    currentLeaderEpoch: number,
  ): { errorCode: number; leaderEpoch: number; endOffset: bigint } {
    const p = this.getPartition(topic, partition)
    if (p === undefined) return { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, leaderEpoch: -1, endOffset: -1n }
    const epochError = p.checkLeaderEpoch(currentLeaderEpoch)
    if (epochError !== ErrorCode.NONE) return { errorCode: epochError, leaderEpoch: -1, endOffset: -1n }
    const found = p.log.endOffsetForEpoch(leaderEpoch)
    if (found === null) return { errorCode: ErrorCode.NONE, leaderEpoch: -1, endOffset: -1n }
    return { errorCode: ErrorCode.NONE, ...found }
  }

  describeLogDirs(): ReturnType<LogManager['describeLogDirs']> {
    return this.#logManager.describeLogDirs()
  }

  #openTopic(topic: TopicMetadata, fromPartition: number): void {
    const settings = resolveTopicSettings(this.configs, topic.name, topic.configs)
    for (const meta of topic.partitions.slice(fromPartition)) {
      if (!meta.replicas.includes(this.nodeId)) continue
      let log = this.#logManager.getLog(topic.name, meta.partitionIndex)
      if (log !== undefined && log.topicId !== null && log.topicId !== topic.topicId) {
        // A log of an earlier topic with the same name (deleted while this broker was down): Kafka's stray log.
        this.#logger.warn(
          `log ${tpKey(topic.name, meta.partitionIndex)} has topic id ${log.topicId}, not ${topic.topicId}; replacing it`,
        )
        this.#logManager.deleteLog(topic.name, meta.partitionIndex)
        log = undefined
      }
      log ??= this.#logManager.getOrCreateLog({
        topic: topic.name,
        partition: meta.partitionIndex,
        topicId: topic.topicId,
        config: settings.logConfig,
      })
      log.config = settings.logConfig
      const partition = new Partition(topic.topicId, topic.isInternal, log, settings, {
        leaderId: meta.leaderId,
        leaderEpoch: meta.leaderEpoch,
        replicas: meta.replicas,
        isr: meta.isr,
      })
      this.#partitions.set(tpKey(topic.name, meta.partitionIndex), partition)
    }
  }

  #onMetadataChange(change: MetadataChange): void {
    switch (change.type) {
      case 'topic-created':
        this.#openTopic(change.topic, 0)
        break
      case 'partitions-created':
        this.#openTopic(change.topic, change.previousCount)
        break
      case 'topic-deleted':
        for (const meta of change.topic.partitions) {
          const key = tpKey(change.topic.name, meta.partitionIndex)
          if (this.#partitions.delete(key)) this.#logManager.deleteLog(change.topic.name, meta.partitionIndex)
          this.purgatory.invalidate(key)
        }
        break
      case 'topic-configs-changed':
        this.#refreshSettings(change.topic)
        break
      case 'broker-configs-changed':
        for (const topic of this.#store.topics()) this.#refreshSettings(topic)
        break
      case 'client-quotas-changed':
        // Quotas do not change how partitions are served (not enforced yet).
        break
    }
  }

  #refreshSettings(topic: TopicMetadata): void {
    const settings = resolveTopicSettings(this.configs, topic.name, topic.configs)
    for (const meta of topic.partitions) {
      const p = this.getPartition(topic.name, meta.partitionIndex)
      if (p !== undefined) p.settings = settings
    }
  }
}
