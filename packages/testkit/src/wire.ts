// Raw-protocol operations for tests and benchmarks that must not depend on @samsa/client (the broker's own tests
// come before the client, and crash tests want to see exactly what was acknowledged). Each is one request over
// an @samsa/net Connection, at a fixed version that every Kafka 2.x+ broker accepts.

import type { Connection } from '@samsa/net'
import {
  CreateTopics,
  ErrorCode,
  Fetch,
  ListOffsets,
  OffsetFetch,
  Produce,
  type RecordBatchView,
  errorName,
  splitBatches,
} from '@samsa/protocol'

export class WireError extends Error {
  readonly errorCode: number
  constructor(what: string, errorCode: number) {
    super(`${what}: ${errorName(errorCode)}`)
    this.name = 'WireError'
    this.errorCode = errorCode
  }
}

export async function createTopics(
  conn: Connection,
  topics: { name: string; partitions: number; configs?: Record<string, string> }[],
): Promise<void> {
  const response = await conn.request(
    CreateTopics,
    5,
    CreateTopics.request.make({
      topics: topics.map((t) => ({
        name: t.name,
        numPartitions: t.partitions,
        replicationFactor: 1,
        configs: Object.entries(t.configs ?? {}).map(([name, value]) => ({ name, value })),
      })),
      timeoutMs: 30_000,
    }),
  )
  for (const t of response.topics) {
    if (t.errorCode !== ErrorCode.NONE && t.errorCode !== ErrorCode.TOPIC_ALREADY_EXISTS)
      throw new WireError(`CreateTopics ${t.name}`, t.errorCode)
  }
}

/** Produce v7 of one batch to one partition; resolves with the base offset or rejects with the partition's error. */
export async function produceBatch(
  conn: Connection,
  topic: string,
  partition: number,
  batch: Buffer,
  acks = -1,
): Promise<bigint> {
  const response = await conn.request(
    Produce,
    7,
    Produce.request.make({
      acks,
      timeoutMs: 30_000,
      topicData: [{ name: topic, partitionData: [{ index: partition, records: batch }] }],
    }),
    { expectResponse: acks !== 0 },
  )
  if (acks === 0) return -1n
  const result = response.responses[0]?.partitionResponses[0]
  if (result === undefined) throw new Error('Produce response without the partition')
  if (result.errorCode !== ErrorCode.NONE) throw new WireError(`Produce ${topic}-${partition}`, result.errorCode)
  return result.baseOffset
}

/** ListOffsets v2 (-1 latest, -2 earliest, or a timestamp). */
export async function listOffset(
  conn: Connection,
  topic: string,
  partition: number,
  timestamp: bigint,
): Promise<bigint> {
  const response = await conn.request(
    ListOffsets,
    2,
    ListOffsets.request.make({
      replicaId: -1,
      isolationLevel: 0,
      topics: [{ name: topic, partitions: [{ partitionIndex: partition, timestamp }] }],
    }),
  )
  const result = response.topics[0]?.partitions[0]
  if (result === undefined) throw new Error('ListOffsets response without the partition')
  if (result.errorCode !== ErrorCode.NONE) throw new WireError(`ListOffsets ${topic}-${partition}`, result.errorCode)
  return result.offset
}

/**
 * Every batch of a partition from `fromOffset` up to the high watermark, through Fetch v11 (read_uncommitted),
 * each validated (magic 2, batch length, CRC-32C). Throws on any error code.
 */
export async function fetchAllBatches(
  conn: Connection,
  topic: string,
  partition: number,
  fromOffset = 0n,
  maxBytes = 8 << 20,
): Promise<RecordBatchView[]> {
  return (await fetchPartition(conn, topic, partition, { fromOffset, maxBytes })).batches
}

export interface FetchedPartition {
  batches: RecordBatchView[]
  /** The union of the aborted-transaction lists of every response (read_committed only; deduplicated). */
  abortedTransactions: { producerId: bigint; firstOffset: bigint }[]
  highWatermark: bigint
  lastStableOffset: bigint
}

/**
 * Every batch of a partition from `fromOffset` through Fetch v11, each validated (magic 2, batch length, CRC-32C):
 * up to the high watermark with isolationLevel 0 (read_uncommitted), up to the last stable offset with 1
 * (read_committed, with the aborted-transaction lists; filterReadCommitted applies them). Throws on any error code.
 */
export async function fetchPartition(
  conn: Connection,
  topic: string,
  partition: number,
  options: { fromOffset?: bigint; maxBytes?: number; isolationLevel?: 0 | 1 } = {},
): Promise<FetchedPartition> {
  const maxBytes = options.maxBytes ?? 8 << 20
  const isolationLevel = options.isolationLevel ?? 0
  const out: FetchedPartition = { batches: [], abortedTransactions: [], highWatermark: -1n, lastStableOffset: -1n }
  const seenAborted = new Set<string>()
  let offset = options.fromOffset ?? 0n
  for (;;) {
    const response = await conn.request(
      Fetch,
      11,
      Fetch.request.make({
        replicaId: -1,
        maxWaitMs: 0,
        minBytes: 0,
        maxBytes,
        isolationLevel,
        topics: [{ topic, partitions: [{ partition, fetchOffset: offset, partitionMaxBytes: maxBytes }] }],
      }),
    )
    const result = response.responses[0]?.partitions[0]
    if (result === undefined) throw new Error('Fetch response without the partition')
    if (result.errorCode !== ErrorCode.NONE)
      throw new WireError(`Fetch ${topic}-${partition}@${offset}`, result.errorCode)
    out.highWatermark = result.highWatermark
    out.lastStableOffset = result.lastStableOffset
    for (const a of result.abortedTransactions ?? []) {
      const key = `${a.producerId}@${a.firstOffset}`
      if (seenAborted.has(key)) continue
      seenAborted.add(key)
      out.abortedTransactions.push({ producerId: a.producerId, firstOffset: a.firstOffset })
    }
    const set = result.records === null ? null : splitBatches(result.records)
    let progressed = false
    for (const view of set ?? []) {
      view.validate()
      if (view.lastOffset < offset) continue
      out.batches.push(view)
      offset = view.nextOffset
      progressed = true
    }
    const end = isolationLevel === 1 ? result.lastStableOffset : result.highWatermark
    if (offset >= end) return out
    if (!progressed)
      throw new Error(
        `Fetch ${topic}-${partition}@${offset} returned no whole batch below the ${isolationLevel === 1 ? 'last stable offset' : 'high watermark'} ${end}`,
      )
  }
}

/**
 * OffsetFetch v7 of one group's committed offsets for the given partitions (-1 where none is committed). With
 * requireStable a partition with a pending transactional commit fails with UNSTABLE_OFFSET_COMMIT (KIP-447).
 */
export async function fetchCommittedOffsets(
  conn: Connection,
  group: string,
  topic: string,
  partitions: number[],
  requireStable = false,
): Promise<Map<number, bigint>> {
  const response = await conn.request(
    OffsetFetch,
    7,
    OffsetFetch.request.make({
      groupId: group,
      topics: [{ name: topic, partitionIndexes: partitions }],
      requireStable,
    }),
  )
  if (response.errorCode !== ErrorCode.NONE) throw new WireError(`OffsetFetch ${group}`, response.errorCode)
  const out = new Map<number, bigint>()
  for (const t of response.topics) {
    for (const p of t.partitions) {
      if (p.errorCode !== ErrorCode.NONE)
        throw new WireError(`OffsetFetch ${group} ${t.name}-${p.partitionIndex}`, p.errorCode)
      out.set(p.partitionIndex, p.committedOffset)
    }
  }
  return out
}
