// What a coordinator runtime needs of its internal topic: create it on first use, append records to one of its
// partitions, and read a partition back from the start when a shard loads. partition-log.ts implements it over
// the broker's partitions; tests use a memory version.

export interface StoredRecord {
  key: Buffer | null
  value: Buffer | null
  /** The producer of the transactional batch holding the record (TxnOffsetCommit), or -1. */
  producerId?: bigint
}

/** A transactional write of a coordinator: its records form a transactional batch of this producer. */
export interface TransactionalProducer {
  producerId: bigint
  producerEpoch: number
}

/** A COMMIT or ABORT marker ending a producer's transaction on a coordinator partition. */
export interface StoredMarker {
  marker: { producerId: bigint; committed: boolean }
}

export type StoredEntry = StoredRecord | StoredMarker

/** What a marker append needs (Partition's TxnMarker). */
export interface MarkerToWrite {
  producerId: bigint
  producerEpoch: number
  coordinatorEpoch: number
  committed: boolean
}

export interface CoordinatorLog {
  /** Creates the topic (compacted, with its configured partition count) if missing; resolves once it is served here. */
  ensureTopic(): Promise<void>
  /**
   * Appends the records as one batch (a transactional one for `producer`); throws a KafkaError when the partition
   * refuses them.
   */
  append(partition: number, records: readonly StoredRecord[], nowMs: number, producer?: TransactionalProducer): void
  /** Appends a transaction marker; returns Kafka's error code (NONE when written). */
  appendMarker(partition: number, marker: MarkerToWrite): number
  /** Every record and marker of the partition from its log start offset to its high watermark, in offset order. */
  readAll(partition: number): Iterable<StoredEntry>
}

/** A CoordinatorLog in memory, for tests of coordinators and the runtime. */
export class MemoryCoordinatorLog implements CoordinatorLog {
  readonly partitions = new Map<number, StoredEntry[]>()
  topicExists = false

  ensureTopic(): Promise<void> {
    this.topicExists = true
    return Promise.resolve()
  }

  append(partition: number, records: readonly StoredRecord[], _nowMs: number, producer?: TransactionalProducer): void {
    const producerId = producer?.producerId ?? -1n
    this.#entries(partition).push(...records.map((r) => ({ ...r, producerId })))
  }

  appendMarker(partition: number, marker: MarkerToWrite): number {
    this.#entries(partition).push({ marker: { producerId: marker.producerId, committed: marker.committed } })
    return 0
  }

  readAll(partition: number): Iterable<StoredEntry> {
    return this.partitions.get(partition) ?? []
  }

  #entries(partition: number): StoredEntry[] {
    let log = this.partitions.get(partition)
    if (log === undefined) this.partitions.set(partition, (log = []))
    return log
  }
}
