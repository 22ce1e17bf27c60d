// The producer: send() resolves each record to its partition, hands it to the accumulator and resolves with every
// record's RecordMetadata once the broker has acknowledged it (per acks). Batching, compression and retries happen
// behind it (accumulator.ts, sender.ts).
//
// Idempotence (KIP-98, idempotence.ts) is on by default, as in Java since 3.0 (KIP-679), with Java's rule for
// conflicting settings (resolveIdempotence below). A transactionalId makes the producer transactional
// (transaction-manager.ts): initTransactions(), then beginTransaction() / send() / sendOffsetsToTransaction() /
// commitTransaction() or abortTransaction().

import { Compression, type RecordHeader } from '@samsa/protocol'
import { Cluster } from '../cluster/cluster.ts'
import { closedError, SamsaError, SamsaErrorCode } from '../errors.ts'
import type { OffsetToCommit } from '../group/offsets.ts'
import {
  allDefaults,
  givenKey,
  invalidOption,
  parseOptions,
  PRODUCER_OPTIONS,
  type Acks,
  type CommonOptions,
  type CompressionName,
  type JavaProperties,
  type ResolvedCommonOptions,
} from '../options.ts'
import { RecordAccumulator, type PendingRecord } from './accumulator.ts'
import { IdempotenceState } from './idempotence.ts'
import { defaultPartition, StickyPartitionCache, type Partitioner, type PartitionerArgs } from './partitioner.ts'
import { SendOutcome, type RecordMetadata } from './send-outcome.ts'
import { Sender } from './sender.ts'
import { TransactionManager, type ConsumerGroupMetadata, type TransactionState } from './transaction-manager.ts'

export interface ProducerOptions extends CommonOptions {
  acks?: Acks
  lingerMs?: number
  batchSize?: number
  compression?: CompressionName
  bufferMemory?: number
  maxBlockMs?: number
  deliveryTimeoutMs?: number
  maxRequestSize?: number
  enableIdempotence?: boolean
  /** Makes the producer transactional (Java: transactional.id); needs and implies idempotence. */
  transactionalId?: string
  /** How long the coordinator lets a transaction stay open before aborting it (Java: transaction.timeout.ms). */
  transactionTimeoutMs?: number
  allowAutoTopicCreation?: boolean
  partitioner?: Partitioner
}

interface ResolvedProducerOptions extends ResolvedCommonOptions {
  acks: 0 | 1 | -1
  lingerMs: number
  batchSize: number
  compression: CompressionName
  bufferMemory: number
  maxBlockMs: number
  deliveryTimeoutMs: number
  maxRequestSize: number
  enableIdempotence: boolean
  transactionalId?: string
  transactionTimeoutMs: number
  allowAutoTopicCreation: boolean
  partitioner?: Partitioner
}

export type MessageBytes = Buffer | string | null

export interface ProducerMessage {
  key?: MessageBytes
  value: MessageBytes
  /** Header values may repeat a key; an object gives one value per key. */
  headers?: Record<string, MessageBytes> | readonly { key: string; value: MessageBytes }[]
  partition?: number
  /** CreateTime in ms since the epoch; defaults to now. */
  timestamp?: number
}

export interface ProducerRecordBatch {
  topic: string
  messages: readonly ProducerMessage[]
}

const COMPRESSION_CODES: Record<CompressionName, number> = {
  none: Compression.NONE,
  gzip: Compression.GZIP,
  snappy: Compression.SNAPPY,
  lz4: Compression.LZ4,
  zstd: Compression.ZSTD,
}

export class Producer {
  readonly #options: ResolvedProducerOptions
  readonly #cluster: Cluster
  readonly #accumulator: RecordAccumulator
  readonly #sender: Sender
  readonly #sticky = new StickyPartitionCache()
  readonly #idempotence: IdempotenceState | null
  readonly #transactions: TransactionManager | null
  /** send() calls still resolving partitions; flush() waits for their records to be appended first. */
  readonly #appending = new Set<Promise<unknown>>()
  #isClosing = false
  #closed: Promise<void> | null = null

  constructor(input: ProducerOptions | (Partial<ProducerOptions> & JavaProperties)) {
    const options = parseOptions(
      'producer',
      input,
      PRODUCER_OPTIONS,
      allDefaults.producer,
    ) as unknown as ResolvedProducerOptions
    options.enableIdempotence = resolveIdempotence(input, options)
    this.#options = options
    this.#cluster = new Cluster({ ...options })
    const transactionalId = options.transactionalId
    this.#idempotence = options.enableIdempotence
      ? new IdempotenceState(this.#cluster, { transactional: transactionalId !== undefined })
      : null
    this.#transactions =
      transactionalId === undefined
        ? null
        : new TransactionManager(this.#cluster, this.#idempotence as IdempotenceState, options as never, {
            flush: () => this.flush(),
            failUndrained: (error) => this.#accumulator.failUndrained(error),
            wakeup: () => this.#sender.wakeup(),
          })
    this.#sender = new Sender(this.#cluster, {
      ...options,
      compression: COMPRESSION_CODES[options.compression],
      idempotence: this.#idempotence,
      transactions: this.#transactions,
    })
    this.#accumulator = new RecordAccumulator({
      ...options,
      onBatchClosed: (batch) => {
        const numPartitions = this.#cluster.metadata.partitionCount(batch.topic) ?? 0
        const available = this.#cluster.metadata.availablePartitions(batch.topic)
        this.#sticky.onBatchClosed(batch.topic, batch.partition, numPartitions, available)
      },
      wakeup: () => this.#sender.wakeup(),
      onBatchExpired: (batch, error) => {
        // Sent at least once, it may have been written: the partition's sequence is unknown (see Sender#fail).
        if (batch.encoded !== null) this.#idempotence?.reset()
        this.#transactions?.batchFailed(batch, error)
      },
    })
    this.#sender.attach(this.#accumulator)
  }

  /** The transaction state (null for a producer without transactionalId). */
  get transactionState(): TransactionState | null {
    return this.#transactions?.state ?? null
  }

  /**
   * Gets the producer id and epoch for the transactionalId from its transaction coordinator, fencing any older
   * producer with the same id (its open transaction is aborted). Call once, before the first transaction.
   */
  async initTransactions(): Promise<void> {
    await this.#transactional('initTransactions').initTransactions()
  }

  /** Opens a transaction: until commit or abort, everything sent belongs to it. */
  beginTransaction(): void {
    this.#transactional('beginTransaction').beginTransaction()
  }

  /**
   * Commits consumed offsets as part of the transaction (the consume-transform-produce loop): they become the
   * group's committed offsets only if the transaction commits. Pass the consumer's groupMetadata() so the
   * coordinator can fence a consumer that lost its partitions (KIP-447), or just the group id.
   */
  async sendOffsetsToTransaction(
    offsets: readonly OffsetToCommit[],
    groupMetadata: ConsumerGroupMetadata | string,
  ): Promise<void> {
    const transactions = this.#transactional('sendOffsetsToTransaction')
    if (!Array.isArray(offsets)) throw invalidArgument('offsets must be an array of { topic, partition, offset }')
    for (const o of offsets as readonly OffsetToCommit[]) {
      if (typeof o?.topic !== 'string' || !Number.isInteger(o.partition) || typeof o.offset !== 'bigint') {
        throw invalidArgument('each offset must be { topic, partition, offset: bigint }')
      }
    }
    await transactions.sendOffsetsToTransaction(offsets, groupMetadata)
  }

  /** Sends everything buffered, then commits the transaction; what it wrote becomes visible to read_committed. */
  async commitTransaction(): Promise<void> {
    await this.#transactional('commitTransaction').commitTransaction()
  }

  /** Drops records not sent yet (they fail with SAMSA_ERR_TRANSACTION_ABORTED) and aborts the transaction. */
  async abortTransaction(): Promise<void> {
    await this.#transactional('abortTransaction').abortTransaction()
  }

  #transactional(method: string): TransactionManager {
    if (this.#isClosing) throw closedError('producer')
    if (this.#transactions === null) {
      throw new SamsaError(SamsaErrorCode.ILLEGAL_STATE, `${method}() needs the transactionalId option`)
    }
    return this.#transactions
  }

  /** Sends records to one topic; resolves with each record's metadata, in the order given. */
  async send(batch: ProducerRecordBatch): Promise<RecordMetadata[]> {
    if (this.#isClosing) throw closedError('producer')
    const { topic, messages } = batch
    if (typeof topic !== 'string' || topic === '') throw invalidArgument('topic must be a non-empty string')
    if (!Array.isArray(messages)) throw invalidArgument('messages must be an array')
    const transactions = this.#transactions
    transactions?.checkCanSend()
    // Until this send's records are in the accumulator, flush() has to wait for them too (Java's send appends
    // before it returns, so a flush after it always covers its records).
    let appended!: () => void
    const appending = new Promise<void>((resolve) => (appended = resolve))
    this.#appending.add(appending)
    let appendedAll: Promise<void> = Promise.resolve()
    let outcome: SendOutcome
    try {
      // The producer id first, so a broker that cannot give one fails this call rather than its batches.
      if (transactions === null) await this.#idempotence?.ensure(Date.now() + this.#options.maxBlockMs)
      const numPartitions = await this.#partitionCount(topic, messages as readonly ProducerMessage[])
      // Every message is checked before any is appended: a bad one fails the call with nothing sent.
      const now = Date.now()
      const given = messages as readonly ProducerMessage[]
      outcome = new SendOutcome(given.length)
      const records = given.map((m, index) => toRecord(m, now, numPartitions, topic, outcome, index))
      appendedAll = this.#appendAll(topic, numPartitions, given, records, outcome)
    } finally {
      void appendedAll.then(() => {
        this.#appending.delete(appending)
        appended()
      })
    }
    return outcome.promise
  }

  /**
   * Appends checked records in order. It runs synchronously while buffer.memory has room; when it is used up, the
   * rest of the call waits behind the record that did not fit (one waiter per call, not per record), and a record
   * that gets no memory within max.block.ms fails the call, leaving the records after it unsent. Never rejects.
   */
  async #appendAll(
    topic: string,
    numPartitions: number,
    messages: readonly ProducerMessage[],
    records: readonly PendingRecord[],
    outcome: SendOutcome,
  ): Promise<void> {
    const transactions = this.#transactions
    const chooser = this.#partitionChooser(topic, numPartitions)
    try {
      for (let index = 0; index < records.length; index++) {
        const record = records[index] as PendingRecord
        // An explicit partition was checked by toRecord.
        const partition = (messages[index] as ProducerMessage).partition ?? chooser(record)
        transactions?.maybeAddPartition(topic, partition)
        const wait = this.#accumulator.append(topic, partition, record)
        if (wait !== null) await wait
      }
    } catch (error) {
      // No memory in time, the producer closed, or a custom partitioner threw midway: what was appended goes out
      // anyway, the call reports the error.
      outcome.failed(error)
    }
  }

  /** Sends everything buffered now, ignoring linger.ms, and resolves when all of it is settled. */
  async flush(): Promise<void> {
    await Promise.allSettled([...this.#appending])
    await this.#accumulator.flush()
  }

  /**
   * Stops taking records, delivers what is buffered, then closes the connections. With `timeoutMs`, records not
   * delivered by then fail with SAMSA_ERR_CLOSED instead of being waited for (Java's close(Duration)).
   */
  close(options: { timeoutMs?: number } = {}): Promise<void> {
    this.#isClosing = true
    this.#closed ??= (async () => {
      let timer: NodeJS.Timeout | undefined
      const gaveUp = new Promise<void>((resolve) => {
        if (options.timeoutMs !== undefined) timer = setTimeout(resolve, options.timeoutMs)
      })
      await Promise.race([this.flush(), gaveUp])
      clearTimeout(timer)
      this.#sender.stop()
      this.#accumulator.abortAll(closedError('producer'))
      await this.#transactions?.close()
      await this.#cluster.close()
    })()
    return this.#closed
  }

  /**
   * The topic's partition count; a message naming a partition beyond it forces one refresh first, since the
   * partitions may have been added after the metadata was cached.
   */
  async #partitionCount(topic: string, messages: readonly ProducerMessage[]): Promise<number> {
    const deadline = Date.now() + this.#options.maxBlockMs
    const [info] = await this.#cluster.topicMetadata([topic], deadline)
    const highest = Math.max(-1, ...messages.map((m) => (typeof m.partition === 'number' ? m.partition : -1)))
    if (highest < info!.partitions.length) return info!.partitions.length
    await this.#cluster.refreshMetadata([topic])
    return (await this.#cluster.topicMetadata([topic], deadline))[0]!.partitions.length
  }

  /** Picks the partition of a record that names none: the configured partitioner, else the default one. */
  #partitionChooser(topic: string, numPartitions: number): (record: PendingRecord) => number {
    const availablePartitions = this.#cluster.metadata.availablePartitions(topic)
    const partitioner = this.#options.partitioner
    const argsOf = (record: PendingRecord): PartitionerArgs => {
      return { topic, key: record.key, value: record.value, numPartitions, availablePartitions }
    }
    if (partitioner === undefined) return (record) => defaultPartition(argsOf(record), this.#sticky)
    return (record) => {
      const chosen = partitioner(argsOf(record))
      if (!Number.isInteger(chosen) || chosen < 0 || chosen >= numPartitions) {
        throw invalidArgument(`the partitioner returned ${chosen}, not a partition in [0, ${numPartitions})`)
      }
      return chosen
    }
  }
}

/**
 * Whether the producer is idempotent, by Java's rule (ProducerConfig.postProcessAndValidateIdempotenceConfigs):
 * on unless turned off; acks other than all, max.in.flight.requests.per.connection above 5 or retries 0 turn it
 * off silently when the user did not ask for it, and are an error naming the key when they did. A transactionalId
 * needs it.
 */
export function resolveIdempotence(
  input: object,
  options: Pick<
    ResolvedProducerOptions,
    'enableIdempotence' | 'acks' | 'maxInFlightRequestsPerConnection' | 'retries' | 'transactionalId'
  >,
): boolean {
  const explicitKey = givenKey(input, 'enableIdempotence')
  let isIdempotent = options.enableIdempotence
  let conflict: string | undefined
  if (isIdempotent) {
    const conflicts: [string, boolean, string][] = [
      // The broker can only deduplicate what every in-sync replica has acknowledged.
      ['acks', options.acks !== -1, 'must be all (-1)'],
      // The broker remembers the last 5 batches per producer and partition.
      ['maxInFlightRequestsPerConnection', options.maxInFlightRequestsPerConnection > 5, 'must be at most 5'],
      ['retries', options.retries === 0, 'must not be 0'],
    ]
    for (const [name, isConflict, why] of conflicts) {
      if (!isConflict) continue
      const key = givenKey(input, name) ?? name
      if (explicitKey !== undefined) throw invalidOption(key, `${why} with ${explicitKey}`)
      conflict ??= key
      isIdempotent = false
    }
  }
  const transactionalKey = givenKey(input, 'transactionalId')
  if (transactionalKey !== undefined) {
    if (options.transactionalId === '') throw invalidOption(transactionalKey, 'must not be empty')
    if (!isIdempotent) {
      const why = conflict === undefined ? `"${explicitKey}" is false` : `"${conflict}" turns it off`
      throw invalidOption(transactionalKey, `needs idempotence, but ${why}`)
    }
  }
  return isIdempotent
}

export function createProducer(options: ProducerOptions | (Partial<ProducerOptions> & JavaProperties)): Producer {
  return new Producer(options)
}

function invalidArgument(message: string): SamsaError {
  return new SamsaError(SamsaErrorCode.INVALID_ARGUMENT, message)
}

function toBytes(what: string, value: MessageBytes | undefined): Buffer | null {
  if (value === undefined || value === null) return null
  if (typeof value === 'string') return Buffer.from(value)
  if (Buffer.isBuffer(value)) return value
  throw invalidArgument(`${what} must be a Buffer, a string or null`)
}

const NO_HEADERS: readonly RecordHeader[] = Object.freeze([])

/**
 * Checks a message and makes it the `index`th record of its send() call; `now` is the call's CreateTime for messages
 * without a timestamp.
 */
function toRecord(
  message: ProducerMessage,
  now: number,
  numPartitions: number,
  topic: string,
  outcome: SendOutcome,
  index: number,
): PendingRecord {
  if (typeof message !== 'object' || message === null) throw invalidArgument('each message must be an object')
  let headers = NO_HEADERS
  const given = message.headers
  if (given !== undefined && given !== null) {
    const entries = Array.isArray(given)
      ? (given as readonly { key: string; value: MessageBytes }[]).map((h) => [h.key, h.value] as const)
      : Object.entries(given as Record<string, MessageBytes>)
    headers = entries.map(([key, value]) => ({ key, value: toBytes(`header ${key}`, value) }))
  }
  const timestamp = message.timestamp ?? now
  if (!Number.isSafeInteger(timestamp)) throw invalidArgument('timestamp must be an integer (ms since the epoch)')
  const partition = message.partition
  if (partition !== undefined && (!Number.isInteger(partition) || partition < 0 || partition >= numPartitions)) {
    throw invalidArgument(`partition ${partition} is not in [0, ${numPartitions}) for topic ${topic}`)
  }
  return {
    key: toBytes('key', message.key),
    value: toBytes('value', message.value),
    headers,
    timestamp,
    outcome,
    index,
  }
}
