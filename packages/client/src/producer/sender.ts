// The sender drains ready batches from the accumulator, groups them by partition leader into one Produce request
// per broker (each batch of a partition in its own partitionData entry), and settles each batch from its
// partition's answer: success resolves every record with its offset, a retriable error puts the batch back with
// back-off (and a metadata refresh when the error says the leader moved), anything else fails its records.
// It runs whenever the accumulator wakes it and on a timer for the next linger expiry.

import { buildRecordBatch, ErrorCode, isRetriable, Produce, type ProduceResponse } from '@samsa/protocol'
import type { Cluster } from '../cluster/cluster.ts'
import { isStaleMetadataError } from '../cluster/metadata-cache.ts'
import { isRetriableError, KafkaProtocolError } from '../errors.ts'
import { backoffMs } from '../retry.ts'
import type { ProducerBatch, RecordAccumulator } from './accumulator.ts'
import { breaksSequence, type IdempotenceState } from './idempotence.ts'
import type { TransactionManager } from './transaction-manager.ts'

export interface SenderOptions {
  acks: number
  compression: number
  requestTimeoutMs: number
  maxRequestSize: number
  retries: number
  retryBackoffMs: number
  retryBackoffMaxMs: number
  deliveryTimeoutMs: number
  /** Present when the producer is idempotent. */
  idempotence: IdempotenceState | null
  /** Present when the producer is transactional: batches wait until their partition is in the transaction. */
  transactions: TransactionManager | null
}

type PartitionResponse = ProduceResponse['responses'][number]['partitionResponses'][number]

export class Sender {
  readonly #cluster: Cluster
  readonly #options: SenderOptions
  #accumulator: RecordAccumulator | null = null
  #isScheduled = false
  #timer: NodeJS.Timeout | undefined
  #timerAt = Infinity
  #isStopped = false
  #isWaitingForProducerId = false

  constructor(cluster: Cluster, options: SenderOptions) {
    this.#cluster = cluster
    this.#options = options
  }

  attach(accumulator: RecordAccumulator): void {
    this.#accumulator = accumulator
  }

  /** Looks for ready batches soon (once per turn of the event loop, however many records arrived). */
  wakeup(): void {
    if (this.#isScheduled || this.#isStopped) return
    this.#isScheduled = true
    setImmediate(() => {
      this.#isScheduled = false
      this.#run()
    })
  }

  stop(): void {
    this.#isStopped = true
    clearTimeout(this.#timer)
  }

  #run(): void {
    const accumulator = this.#accumulator
    if (accumulator === null || this.#isStopped) return
    const now = Date.now()
    const transactions = this.#options.transactions
    // A failed or aborted transaction takes no new batches; those already sent are still retried to an outcome.
    const undrainedError = transactions?.undrainedError() ?? null
    if (undrainedError !== null) accumulator.failUndrained(undrainedError)
    const ready = accumulator.ready(now)
    const { nextReadyAt } = ready
    const batches = transactions === null ? ready.batches : ready.batches.filter((b) => this.#isEnlisted(b))
    const idempotence = this.#options.idempotence
    if (idempotence !== null && idempotence.identity === null && batches.some((b) => b.encoded === null)) {
      // A new producer id first (after a reset); the batches stay queued until it arrives.
      this.#waitForProducerId(idempotence, batches)
      this.#armTimer(nextReadyAt)
      return
    }
    const byLeader = new Map<number, ProducerBatch[]>()
    let needsMetadata = false
    for (const batch of batches) {
      const leader = this.#cluster.metadata.leaderOf(batch.topic, batch.partition)
      if (leader < 0) {
        needsMetadata = true
        accumulator.retryLater(batch, now + this.#options.retryBackoffMs)
        continue
      }
      const list = byLeader.get(leader) ?? []
      list.push(batch)
      byLeader.set(leader, list)
    }
    if (needsMetadata) void this.#refreshMetadata()
    for (const [leader, list] of byLeader) {
      for (const request of this.#splitBySize(list)) {
        for (const batch of request) accumulator.markInFlight(batch)
        void this.#send(leader, request)
      }
    }
    this.#armTimer(nextReadyAt)
  }

  /** Whether a transactional batch may go: its partition is in the transaction (else it is enlisted first). */
  #isEnlisted(batch: ProducerBatch): boolean {
    const transactions = this.#options.transactions as TransactionManager
    if (batch.encoded !== null || transactions.isPartitionAdded(batch.topic, batch.partition)) return true
    transactions.maybeAddPartition(batch.topic, batch.partition)
    return false
  }

  #armTimer(at: number): void {
    if (at === Infinity || at >= this.#timerAt) return
    clearTimeout(this.#timer)
    this.#timerAt = at
    this.#timer = setTimeout(
      () => {
        this.#timerAt = Infinity
        this.#run()
      },
      Math.max(0, at - Date.now()),
    )
  }

  /** Groups batches into requests of at most max.request.size (a single larger batch still goes alone). */
  #splitBySize(batches: ProducerBatch[]): ProducerBatch[][] {
    const requests: ProducerBatch[][] = []
    let current: ProducerBatch[] = []
    let size = 0
    for (const batch of batches) {
      const encoded = this.#encode(batch)
      if (current.length > 0 && size + encoded.length > this.#options.maxRequestSize) {
        requests.push(current)
        current = []
        size = 0
      }
      current.push(batch)
      size += encoded.length
    }
    if (current.length > 0) requests.push(current)
    return requests
  }

  #encode(batch: ProducerBatch): Buffer {
    if (batch.encoded !== null) return batch.encoded
    const identity = this.#options.idempotence?.identity ?? null
    const idempotent =
      identity === null
        ? {}
        : {
            producerId: identity.producerId,
            producerEpoch: identity.producerEpoch,
            baseSequence: this.#options.idempotence!.nextSequence(batch.topic, batch.partition, batch.records.length),
          }
    if (idempotent.baseSequence !== undefined) batch.baseSequence = idempotent.baseSequence
    batch.encoded = buildRecordBatch({
      ...idempotent,
      isTransactional: this.#options.transactions !== null,
      compression: this.#options.compression,
      timestamp: batch.records[0]?.timestamp ?? batch.createdAt,
      records: batch.records,
    })
    return batch.encoded
  }

  async #send(leader: number, batches: ProducerBatch[]): Promise<void> {
    const acks = this.#options.acks
    const topics = new Map<string, ProducerBatch[]>()
    for (const b of batches) topics.set(b.topic, [...(topics.get(b.topic) ?? []), b])
    try {
      const connection = this.#cluster.broker(leader)
      const { response, version } = await connection.request(
        Produce,
        () =>
          Produce.request.make({
            acks,
            timeoutMs: this.#options.requestTimeoutMs,
            topicData: [...topics].map(([name, list]) => ({
              name,
              partitionData: list.map((b) => ({ index: b.partition, records: b.encoded })),
            })),
          }),
        { expectResponse: acks !== 0 },
      )
      if (acks === 0) {
        for (const batch of batches) this.#succeed(batch, -1n, -1n)
        return
      }
      for (const batch of batches) {
        const answer = response.responses
          .find((t) => t.name === batch.topic)
          ?.partitionResponses.find((p) => p.index === batch.partition)
        this.#settle(batch, answer, version)
      }
    } catch (error) {
      const metadata = isRetriableError(error) ? this.#refreshMetadata() : null
      for (const batch of batches) this.#retryOrFail(batch, error, metadata)
    }
  }

  #settle(batch: ProducerBatch, answer: PartitionResponse | undefined, version: number): void {
    const errorCode = answer?.errorCode ?? ErrorCode.UNKNOWN_SERVER_ERROR
    // A duplicate is a retry of a batch the broker already has: it was written once, which is the point.
    const isWritten = errorCode === ErrorCode.NONE || errorCode === ErrorCode.DUPLICATE_SEQUENCE_NUMBER
    if (answer !== undefined && isWritten) {
      this.#succeed(batch, answer.baseOffset, answer.logAppendTimeMs)
      return
    }
    const error = new KafkaProtocolError({
      errorCode,
      apiKey: Produce.key,
      apiVersion: version,
      topic: batch.topic,
      partition: batch.partition,
      brokerMessage: answer?.errorMessage ?? (answer === undefined ? 'no answer for the partition' : null),
    })
    const metadata = isStaleMetadataError(errorCode) ? this.#refreshMetadata() : null
    if (breaksSequence(errorCode)) this.#options.idempotence?.reset()
    if (isRetriable(errorCode)) {
      this.#retryOrFail(batch, error, metadata)
      return
    }
    if (!breaksSequence(errorCode)) this.#options.idempotence?.rollback(batch)
    this.#fail(batch, error, true)
  }

  #succeed(batch: ProducerBatch, baseOffset: bigint, logAppendTimeMs: bigint): void {
    this.#accumulator?.complete(batch)
    batch.succeed(baseOffset, logAppendTimeMs)
  }

  /**
   * Fails the batch for good. Unless the broker answered that it refused the batch (`isRefused`), it may have been
   * written: an idempotent producer then cannot know the partition's next sequence and starts over with a new
   * producer id (a transactional one bumps its epoch when the transaction is aborted).
   */
  #fail(batch: ProducerBatch, error: unknown, isRefused = false): void {
    if (!isRefused && batch.encoded !== null && !batch.isDone) this.#options.idempotence?.reset()
    // A transactional batch fails the transaction; a fatal error reaches its records as the producer reports it.
    const outcome = batch.isDone ? error : (this.#options.transactions?.batchFailed(batch, error) ?? error)
    this.#accumulator?.complete(batch)
    batch.fail(outcome)
  }

  /**
   * Retries after back-off, or fails the batch for good. When `metadata` is a refresh under way (the leader may
   * have moved), the retry also waits for it, so it does not go to the old leader again (KIP-951 gives the new
   * leader in the answer itself; we do not read those hints yet).
   */
  #retryOrFail(batch: ProducerBatch, error: unknown, metadata: Promise<void> | null = null): void {
    const now = Date.now()
    const retryAt = now + backoffMs(batch.attempts, this.#options)
    if (!isRetriableError(error) || batch.attempts >= this.#options.retries || retryAt >= batch.deadline) {
      this.#fail(batch, error)
      return
    }
    batch.attempts++
    if (metadata === null) {
      this.#accumulator?.retryLater(batch, retryAt)
      return
    }
    this.#accumulator?.retryLater(batch, Infinity)
    void metadata.finally(() => {
      batch.retryAt = retryAt
      this.wakeup()
    })
  }

  #waitForProducerId(idempotence: IdempotenceState, batches: readonly ProducerBatch[]): void {
    if (this.#isWaitingForProducerId) return
    this.#isWaitingForProducerId = true
    idempotence
      .ensure(Date.now() + this.#options.deliveryTimeoutMs)
      .then(
        () => undefined,
        (error: unknown) => {
          for (const batch of batches) if (batch.encoded === null) this.#fail(batch, error)
        },
      )
      .finally(() => {
        this.#isWaitingForProducerId = false
        this.wakeup()
      })
  }

  /** Asks for fresh metadata and looks for ready batches once it is in (or failed); resolves either way. */
  #refreshMetadata(): Promise<void> {
    if (this.#cluster.isClosed) return Promise.resolve()
    return this.#cluster.refreshMetadata().then(
      () => this.wakeup(),
      () => this.wakeup(),
    )
  }
}
