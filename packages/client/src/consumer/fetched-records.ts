// Turning one partition's record set from a Fetch answer into messages: split into batches, check each batch's
// CRC (Java's check.crcs default), decompress, drop records before the fetch offset (a batch may start earlier),
// skip control batches, and under read_committed drop the batches of aborted transactions (KIP-98: the answer
// lists each aborted transaction's producer id and first offset; a producer's batches are skipped from that
// offset until its ABORT marker).

import {
  ControlRecordTypes,
  CURRENT_MAGIC,
  decodeBatchRecords,
  readControlRecord,
  splitBatches,
  TimestampType,
  type DecodedRecord,
  type RecordBatchView,
  type RecordHeader,
} from '@samsa/protocol'

export interface ConsumerMessage {
  topic: string
  partition: number
  offset: bigint
  /** ms since the epoch: CreateTime, or LogAppendTime when the topic uses it. */
  timestamp: number
  key: Buffer | null
  value: Buffer | null
  headers: RecordHeader[]
  leaderEpoch: number
}

export interface AbortedTransaction {
  producerId: bigint
  firstOffset: bigint
}

export interface FetchedRecords {
  messages: ConsumerMessage[]
  /** Where the next fetch starts: past the last batch seen, even if it held nothing to deliver. */
  nextOffset: bigint
}

export function readFetchedRecords(
  topic: string,
  partition: number,
  records: Buffer | null,
  fetchOffset: bigint,
  abortedTransactions: readonly AbortedTransaction[] | null,
): FetchedRecords {
  const messages: ConsumerMessage[] = []
  let nextOffset = fetchOffset
  if (records === null || records.length === 0) return { messages, nextOffset }
  const aborted = [...(abortedTransactions ?? [])].sort((a, b) => (a.firstOffset < b.firstOffset ? -1 : 1))
  const abortingProducers = new Set<bigint>()
  for (const batch of splitBatches(records)) {
    if (batch.magic !== CURRENT_MAGIC) continue // the old message formats are not read by this client
    batch.validate()
    if (batch.nextOffset <= fetchOffset) continue
    while (aborted.length > 0 && aborted[0]!.firstOffset <= batch.lastOffset) {
      abortingProducers.add(aborted.shift()!.producerId)
    }
    nextOffset = batch.nextOffset
    if (batch.isControlBatch) {
      if (readControlRecord(batch).type === ControlRecordTypes.ABORT) abortingProducers.delete(batch.producerId)
      continue
    }
    if (batch.isTransactional && abortingProducers.has(batch.producerId)) continue
    pushMessages(messages, topic, partition, batch, fetchOffset)
  }
  return { messages, nextOffset }
}

/**
 * Appends a batch's records from `fetchOffset` on. This is the consumer's hot loop, so it resolves offsets and
 * timestamps itself (resolveRecords' rules: LogAppendTime gives every record the batch's maxTimestamp) without an
 * intermediate record per message, and steps offsets by 1n while the deltas are consecutive (no compaction gap).
 */
function pushMessages(
  messages: ConsumerMessage[],
  topic: string,
  partition: number,
  batch: RecordBatchView,
  fetchOffset: bigint,
): void {
  const records = decodeBatchRecords(batch)
  const leaderEpoch = batch.partitionLeaderEpoch
  const baseOffset = batch.baseOffset
  const appendTime = batch.timestampType === TimestampType.LOG_APPEND_TIME ? Number(batch.maxTimestamp) : -1
  const baseTimestamp = Number(batch.baseTimestamp)
  let offset = baseOffset - 1n
  let previousDelta = -1
  for (let i = 0; i < records.length; i++) {
    const r = records[i] as DecodedRecord
    offset = r.offsetDelta === previousDelta + 1 ? offset + 1n : baseOffset + BigInt(r.offsetDelta)
    previousDelta = r.offsetDelta
    if (offset < fetchOffset) continue
    messages.push({
      topic,
      partition,
      offset,
      timestamp: appendTime >= 0 ? appendTime : baseTimestamp + r.timestampDelta,
      key: r.key,
      value: r.value,
      headers: r.headers,
      leaderEpoch,
    })
  }
}
