// The producer: send() resolves each record to its partition, hands it to the accumulator and resolves with every
// record's RecordMetadata once the broker has acknowledged it (per acks). Batching, compression and retries happen
// behind it (accumulator.ts, sender.ts).
//
// Idempotence (KIP-98, idempotence.ts) is opt-in: enableIdempotence: true. Java turns it on implicitly since 3.0
// and silently goes without when the broker cannot do it; until the broker side exists here the default stays off,
// so the producer works against a broker without InitProducerId.

import { Compression, type RecordHeader } from '@samsa/protocol'
import { Cluster } from '../cluster/cluster.ts'
import { closedError, SamsaError, SamsaErrorCode } from '../errors.ts'
import {
  allDefaults,
  invalidOption,
  parseOptions,
  PRODUCER_OPTIONS,
  type Acks,
  type CommonOptions,
  type CompressionName,
  type JavaProperties,
  type ResolvedCommonOptions,
} from '../options.ts'
import { RecordAccumulator, type PendingRecord, type RecordMetadata } from './accumulator.ts'
import { IdempotenceState } from './idempotence.ts'
import { defaultPartition, StickyPartitionCache, type Partitioner } from './partitioner.ts'
import { Sender } from './sender.ts'

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
  enableIdempotence?: boolean
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
    if (options.enableIdempotence === true && options.acks !== -1) {
      // As in Java: the broker can only deduplicate what every in-sync replica has acknowledged.
      throw invalidOption('acks' in input ? 'acks' : 'enableIdempotence', 'must be all (-1) with enableIdempotence')
    }
    this.#options = options
    this.#cluster = new Cluster({ ...options })
    this.#idempotence = options.enableIdempotence === true ? new IdempotenceState(this.#cluster) : null
    this.#sender = new Sender(this.#cluster, {
      ...options,
      compression: COMPRESSION_CODES[options.compression],
      idempotence: this.#idempotence,
    })
    this.#accumulator = new RecordAccumulator({
      ...options,
      onBatchClosed: (batch) => {
        const numPartitions = this.#cluster.metadata.partitionCount(batch.topic) ?? 0
        const available = this.#cluster.metadata.availablePartitions(batch.topic)
        this.#sticky.onBatchClosed(batch.topic, batch.partition, numPartitions, available)
      },
      wakeup: () => this.#sender.wakeup(),
    })
    this.#sender.attach(this.#accumulator)
  }

  /** Sends records to one topic; resolves with each record's metadata, in the order given. */
  async send(batch: ProducerRecordBatch): Promise<RecordMetadata[]> {
    if (this.#isClosing) throw closedError('producer')
    const { topic, messages } = batch
    if (typeof topic !== 'string' || topic === '') throw invalidArgument('topic must be a non-empty string')
    if (!Array.isArray(messages)) throw invalidArgument('messages must be an array')
    // Until this send's records are in the accumulator, flush() has to wait for them too (Java's send appends
    // before it returns, so a flush after it always covers its records).
    let appended!: () => void
    const appending = new Promise<void>((resolve) => (appended = resolve))
    this.#appending.add(appending)
    const results: Promise<RecordMetadata>[] = []
    const appends: Promise<void>[] = []
    try {
      // The producer id first, so a broker that cannot give one fails this call rather than its batches.
      await this.#idempotence?.ensure(Date.now() + this.#options.maxBlockMs)
      const numPartitions = await this.#partitionCount(topic, messages as readonly ProducerMessage[])
      for (const message of messages as readonly ProducerMessage[]) {
        const record = toRecord(message)
        const partition = this.#partitionFor(topic, message, record, numPartitions)
        results.push(
          new Promise<RecordMetadata>((resolve, reject) => {
            appends.push(this.#accumulator.append(topic, partition, { ...record, resolve, reject }).catch(reject))
          }),
        )
      }
    } finally {
      void Promise.all(appends).then(() => {
        this.#appending.delete(appending)
        appended()
      })
    }
    return Promise.all(results)
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

  #partitionFor(
    topic: string,
    message: ProducerMessage,
    record: Omit<PendingRecord, 'resolve' | 'reject'>,
    numPartitions: number,
  ): number {
    if (message.partition !== undefined) {
      if (!Number.isInteger(message.partition) || message.partition < 0 || message.partition >= numPartitions) {
        throw invalidArgument(`partition ${message.partition} is not in [0, ${numPartitions}) for topic ${topic}`)
      }
      return message.partition
    }
    const args = {
      topic,
      key: record.key,
      value: record.value,
      numPartitions,
      availablePartitions: this.#cluster.metadata.availablePartitions(topic),
    }
    const partitioner = this.#options.partitioner
    if (partitioner === undefined) return defaultPartition(args, this.#sticky)
    const chosen = partitioner(args)
    if (!Number.isInteger(chosen) || chosen < 0 || chosen >= numPartitions) {
      throw invalidArgument(`the partitioner returned ${chosen}, not a partition in [0, ${numPartitions})`)
    }
    return chosen
  }
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

function toRecord(message: ProducerMessage): Omit<PendingRecord, 'resolve' | 'reject'> {
  if (typeof message !== 'object' || message === null) throw invalidArgument('each message must be an object')
  const headers: RecordHeader[] = []
  const given = message.headers ?? []
  const entries = Array.isArray(given)
    ? (given as readonly { key: string; value: MessageBytes }[]).map((h) => [h.key, h.value] as const)
    : Object.entries(given as Record<string, MessageBytes>)
  for (const [key, value] of entries) headers.push({ key, value: toBytes(`header ${key}`, value) })
  const timestamp = message.timestamp ?? Date.now()
  if (!Number.isSafeInteger(timestamp)) throw invalidArgument('timestamp must be an integer (ms since the epoch)')
  return { key: toBytes('key', message.key), value: toBytes('value', message.value), headers, timestamp }
}
