// What a coordinator runtime needs of its internal topic: create it on first use, append records to one of its
// partitions, and read a partition back from the start when a shard loads. partition-log.ts implements it over
// the broker's partitions; tests use a memory version.

export interface StoredRecord {
  key: Buffer | null
  value: Buffer | null
}

export interface CoordinatorLog {
  /** Creates the topic (compacted, with its configured partition count) if missing; resolves once it is served here. */
  ensureTopic(): Promise<void>
  /** Appends the records as one batch; throws a KafkaError when the partition refuses them. */
  append(partition: number, records: readonly StoredRecord[], nowMs: number): void
  /** Every record of the partition from its log start offset to its high watermark, in offset order. */
  readAll(partition: number): Iterable<StoredRecord>
}

/** A CoordinatorLog in memory, for tests of coordinators and the runtime. */
export class MemoryCoordinatorLog implements CoordinatorLog {
  readonly partitions = new Map<number, StoredRecord[]>()
  topicExists = false

  ensureTopic(): Promise<void> {
    this.topicExists = true
    return Promise.resolve()
  }

  append(partition: number, records: readonly StoredRecord[]): void {
    const log = this.partitions.get(partition) ?? []
    log.push(...records)
    this.partitions.set(partition, log)
  }

  readAll(partition: number): Iterable<StoredRecord> {
    return this.partitions.get(partition) ?? []
  }
}
