// A coordinator's internal topic (`__consumer_offsets`, later `__transaction_state`) over the broker's own
// partitions: created on first use with Kafka's internal-topic settings (compacted, offsets.topic.num.partitions),
// appended to through PartitionManager.appendInternalRecords, and read back batch by batch when a shard loads.

import {
  ControlRecordTypes,
  ErrorCode,
  KafkaError,
  buildRecordBatch,
  decodeBatchRecords,
  readControlRecord,
  splitBatches,
} from '@samsa/protocol'
import type { PartitionManager } from '../../partitions/index.ts'
import type {
  CoordinatorLog,
  MarkerToWrite,
  StoredEntry,
  StoredRecord,
  TransactionalProducer,
} from './coordinator-log.ts'

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

  append(partition: number, records: readonly StoredRecord[], nowMs: number, producer?: TransactionalProducer): void {
    const batch = buildRecordBatch({
      timestamp: nowMs,
      records: records.map((r) => ({ key: r.key, value: r.value })),
      // A transactional offset commit is a transactional batch of the producer, as Kafka writes it (sequence 0:
      // coordinator appends skip sequence checks), so the partition's LSO waits for the transaction's marker.
      ...(producer === undefined
        ? {}
        : {
            producerId: producer.producerId,
            producerEpoch: producer.producerEpoch,
            baseSequence: 0,
            isTransactional: true,
          }),
    })
    this.#options.partitions.appendInternalRecords(this.#options.topic, partition, batch)
  }

  appendMarker(partition: number, marker: MarkerToWrite): number {
    return this.#options.partitions.appendTxnMarker(this.#options.topic, partition, marker)
  }

  *readAll(partition: number): Iterable<StoredEntry> {
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
          if (view.isControlBatch) {
            const control = readControlRecord(view)
            if (control.type === ControlRecordTypes.COMMIT || control.type === ControlRecordTypes.ABORT) {
              yield { marker: { producerId: view.producerId, committed: control.type === ControlRecordTypes.COMMIT } }
            }
            continue
          }
          const producerId = view.isTransactional ? view.producerId : -1n
          for (const record of decodeBatchRecords(view)) {
            yield { key: record.key, value: record.value, producerId }
          }
        }
      }
    }
  }
}
