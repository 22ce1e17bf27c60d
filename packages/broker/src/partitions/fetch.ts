// The Fetch data path (Kafka's ReplicaManager.fetchMessages): resolve the partitions through the fetch session
// (KIP-227), read whole batches up to the high watermark (LSO for read_committed) within maxBytes and each
// partition's partitionMaxBytes, returning at least one batch even if it is larger (KIP-74), and answer
// - at once when any partition has an error, maxWaitMs is 0, or minBytes are already available;
// - otherwise after appends bring minBytes, or after maxWaitMs, re-reading everything once (delayed-fetch.ts).
// Error partitions report -1 offsets; every partition gets a non-null (possibly empty) record set.

import { ErrorCode } from '@samsa/protocol'
import type { FetchPartitionSpec, FetchSession } from './fetch-sessions.ts'
import { tpKey, type PartitionManager } from './partition-manager.ts'

export interface FetchParams {
  /** Fetch v13+ names topics by id. */
  usesTopicIds: boolean
  replicaId: number
  maxWaitMs: number
  minBytes: number
  maxBytes: number
  isolationLevel: number
  sessionId: number
  sessionEpoch: number
  partitions: FetchPartitionSpec[]
  forgotten: { topic: string | null; topicId: string; partition: number }[]
  /** Where record bytes are read into (a ReadLease's allocate); they must stay untouched until written. */
  allocate?: (size: number) => Buffer
  /**
   * The bytes the broker's fetch memory budget has left (ReadBufferPool.availableBytes): a read pass takes at most
   * this much, and at least the one batch KIP-74 guarantees, so a spent budget slows consumers but never stops them.
   */
  availableBytes?: () => number
}

export interface FetchedPartition {
  topic: string | null
  topicId: string
  partition: number
  errorCode: number
  highWatermark: bigint
  lastStableOffset: bigint
  logStartOffset: bigint
  /** null for read_uncommitted (Kafka sends null); the aborted transactions among the records for read_committed. */
  abortedTransactions: { producerId: bigint; firstOffset: bigint }[] | null
  records: Buffer
  currentLeader: { leaderId: number; leaderEpoch: number }
}

export interface FetchResult {
  errorCode: number
  sessionId: number
  partitions: FetchedPartition[]
}

const EMPTY = Buffer.alloc(0)

export async function fetchRecords(manager: PartitionManager, params: FetchParams): Promise<FetchResult> {
  const context = manager.fetchSessions.open(params, manager.clock.now())
  if (!('sessionId' in context)) return { errorCode: context.errorCode, sessionId: 0, partitions: [] }
  const maxBytes = Math.min(params.maxBytes, manager.configs.brokerValue('fetch.max.bytes') as number)
  let read = readAll(manager, context.partitions, maxBytes, params)
  const deadline = manager.clock.now() + params.maxWaitMs
  const keys = context.partitions.flatMap((spec) => {
    const name = spec.topic ?? (params.usesTopicIds ? manager.topicNameOf(spec.topicId) : undefined)
    return name === undefined ? [] : [tpKey(name, spec.partition)]
  })
  // Appends wake the fetch, but what they added may not be readable yet: records of an open transaction stay
  // above a read_committed fetch's LSO until their marker. Such a fetch goes back to waiting for the time it has
  // left rather than answering empty on every transactional append.
  while (read.bytes < params.minBytes && !read.hasError && !manager.purgatory.closed) {
    const remaining = deadline - manager.clock.now()
    if (remaining <= 0) break
    await manager.purgatory.wait(keys, read.bytes, params.minBytes, remaining)
    read = readAll(manager, context.partitions, maxBytes, params)
  }
  const session: FetchSession | null = context.incremental ?? context.created
  const partitions =
    session === null
      ? read.partitions
      : read.partitions.filter((p, i) =>
          manager.fetchSessions.report(
            session,
            context.partitions[i] as FetchPartitionSpec,
            { ...p, byteLength: p.records.length },
            context.incremental !== null,
          ),
        )
  return { errorCode: ErrorCode.NONE, sessionId: context.sessionId, partitions }
}

function readAll(
  manager: PartitionManager,
  specs: readonly FetchPartitionSpec[],
  requestMaxBytes: number,
  { isolationLevel, usesTopicIds, allocate, availableBytes }: FetchParams,
): { partitions: FetchedPartition[]; bytes: number; hasError: boolean } {
  const maxBytes = availableBytes === undefined ? requestMaxBytes : Math.min(requestMaxBytes, availableBytes())
  let bytes = 0
  let hasError = false
  let minOneMessage = true
  const partitions: FetchedPartition[] = []
  for (const spec of specs) {
    const name = usesTopicIds ? manager.topicNameOf(spec.topicId) : spec.topic
    const failed = (errorCode: number): FetchedPartition => ({
      topic: name ?? spec.topic,
      topicId: spec.topicId,
      partition: spec.partition,
      errorCode,
      highWatermark: -1n,
      lastStableOffset: -1n,
      logStartOffset: -1n,
      abortedTransactions: null,
      records: EMPTY,
      currentLeader: { leaderId: -1, leaderEpoch: -1 },
    })
    const partition = name == null ? undefined : manager.getPartition(name, spec.partition)
    if (partition === undefined) {
      hasError = true
      partitions.push(
        failed(usesTopicIds && name === undefined ? ErrorCode.UNKNOWN_TOPIC_ID : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION),
      )
      continue
    }
    const epochError = partition.checkLeaderEpoch(spec.currentLeaderEpoch)
    if (epochError !== ErrorCode.NONE) {
      hasError = true
      partitions.push(failed(epochError))
      continue
    }
    const limit = Math.max(0, Math.min(spec.partitionMaxBytes, maxBytes - bytes))
    const result =
      limit === 0 && !minOneMessage
        ? partition.read(partition.highWatermark, 0, false, isolationLevel) // offsets only
        : partition.read(spec.fetchOffset, limit, minOneMessage, isolationLevel, allocate)
    if (result.errorCode !== ErrorCode.NONE) {
      hasError = true
      partitions.push(failed(result.errorCode))
      continue
    }
    if (result.byteLength > 0) minOneMessage = false
    bytes += result.byteLength
    const records =
      result.records.length === 0
        ? EMPTY
        : result.records.length === 1
          ? (result.records[0] as Buffer)
          : Buffer.concat(result.records)
    partitions.push({
      topic: name ?? null,
      topicId: partition.topicId,
      partition: spec.partition,
      errorCode: ErrorCode.NONE,
      highWatermark: result.highWatermark,
      lastStableOffset: result.lastStableOffset,
      logStartOffset: result.logStartOffset,
      abortedTransactions: result.abortedTransactions,
      records,
      currentLeader: { leaderId: partition.state.leaderId, leaderEpoch: partition.leaderEpoch },
    })
  }
  return { partitions, bytes, hasError }
}
