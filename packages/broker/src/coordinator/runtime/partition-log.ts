// A coordinator's internal topic (`__consumer_offsets`, later `__transaction_state`) over the broker's own
// partitions: created on first use with Kafka's internal-topic settings (compacted, offsets.topic.num.partitions),
// appended to through PartitionManager.appendInternalRecords, and read back batch by batch when a shard loads.

import { ErrorCode, KafkaError, buildRecordBatch, decodeBatchRecords, splitBatches } from '@samsa/protocol'
import type { PartitionManager } from '../../partitions/index.ts'
import type { CoordinatorLog, StoredRecord } from './coordinator-log.ts'

const READ_CHUNK_BYTES = 1 << 20

export interface PartitionLogOptions {
  topic: string
  partitions: PartitionManager
  /** Creates the topic if it does not exist (TopicControl.autoCreateTopic); resolves to its error code. */
  createTopic(): Promise<number>
  /** Resolves when the broker has opened the topic's partitions after creation. */
  waitForPartitions(): Promise<void>
}

export class PartitionLog implements CoordinatorLog {
  readonly #options: PartitionLogOptions

  constructor(options: PartitionLogOptions) {
    this.#options = options
  }

  async ensureTopic(): Promise<void> {
    const { partitions, topic } = this.#options
    if (partitions.getPartition(topic, 0) !== undefined) return
    const errorCode = await this.#options.createTopic()
    // autoCreateTopic answers LEADER_NOT_AVAILABLE for "created, come back shortly", as Metadata does.
    if (errorCode !== ErrorCode.NONE && errorCode !== ErrorCode.LEADER_NOT_AVAILABLE) {
      throw new KafkaError(ErrorCode.COORDINATOR_NOT_AVAILABLE, `cannot create ${topic}: error ${errorCode}`)
    }
    await this.#options.waitForPartitions()
  }

  append(partition: number, records: readonly StoredRecord[], nowMs: number): void {
    const batch = buildRecordBatch({ timestamp: nowMs, records: records.map((r) => ({ key: r.key, value: r.value })) })
    this.#options.partitions.appendInternalRecords(this.#options.topic, partition, batch)
  }

  *readAll(partition: number): Iterable<StoredRecord> {
    const p = this.#options.partitions.getPartition(this.#options.topic, partition)
    if (p === undefined) return
    let next = p.logStartOffset
    const end = p.highWatermark
    while (next < end) {
      const read = p.log.read({ fetchOffset: next, maxOffset: end, maxBytes: READ_CHUNK_BYTES, minOneMessage: true })
      if (read.byteLength === 0) return
      for (const chunk of read.chunks) {
        for (const view of splitBatches(chunk).batches) {
          next = view.lastOffset + 1n
          // Transaction markers (control batches) carry no coordinator state.
          if (view.isControlBatch) continue
          for (const record of decodeBatchRecords(view)) {
            yield { key: record.key, value: record.value }
          }
        }
      }
    }
  }
}
