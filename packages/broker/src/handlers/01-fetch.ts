// Fetch (1): v4-17.
// Behaviour: reads whole batches up to the high watermark (the last stable offset for read_committed, with the
// aborted transactions among the returned batches; null for read_uncommitted as Kafka sends), honouring maxBytes
// (capped by fetch.max.bytes, and by what samsa.fetch.memory.max.bytes has left) and each partitionMaxBytes, with at
// least one batch returned even when larger (KIP-74). Long-polls for minBytes up to maxWaitMs, woken by appends;
// answers at once when any partition has an error. One Fetch per connection is served at a time (below).
// Incremental fetch sessions (KIP-227, v7+), topic ids (v13+, UNKNOWN_TOPIC_ID), leader-epoch fencing (v9+).
// Every partition gets a non-null record set, empty when there is nothing to return.
// Not implemented: follower fetches (replicaId/replicaState >= 0 are served like consumers), preferred read
// replicas (KIP-392), divergingEpoch, KIP-951 leader hints (nodeEndpoints), authorization, quotas.

import { ErrorCode, Fetch, type FetchResponse } from '@samsa/protocol'
import { fetchRecords, type FetchPartitionSpec, type FetchedPartition } from '../partitions/index.ts'
import { defineHandler } from '../server/handler.ts'

type TopicResponse = FetchResponse['responses'][number]
type PartitionResponse = TopicResponse['partitions'][number]

const NO_EPOCH = { epoch: -1, endOffset: -1n }
const NO_SNAPSHOT = { endOffset: -1n, epoch: -1 }

export const fetchHandler = defineHandler(
  Fetch,
  { minVersion: 4, maxVersion: 17 },
  {
    async handle(req, ctx) {
      const usesTopicIds = ctx.apiVersion >= 13
      const partitions: FetchPartitionSpec[] = []
      for (const t of req.topics) {
        for (const p of t.partitions) {
          partitions.push({
            topic: usesTopicIds ? null : t.topic,
            topicId: usesTopicIds ? t.topicId : '',
            partition: p.partition,
            fetchOffset: p.fetchOffset,
            partitionMaxBytes: p.partitionMaxBytes,
            currentLeaderEpoch: p.currentLeaderEpoch,
          })
        }
      }
      const forgotten = req.forgottenTopicsData.flatMap((t) =>
        t.partitions.map((partition) => ({
          topic: usesTopicIds ? null : t.topic,
          topicId: usesTopicIds ? t.topicId : '',
          partition,
        })),
      )
      // A Fetch starts reading only once the one before it on its connection has been written, as Kafka serves a
      // connection one request at a time: a client that pipelines Fetches and reads none of the answers then holds
      // one response's memory, not one per request (a few hundred bytes of request asking for fetch.max.bytes each).
      const previousWritten = ctx.connection.lastFetchWritten
      let markWritten!: () => void
      const written = new Promise<void>((resolve) => (markWritten = resolve))
      ctx.connection.lastFetchWritten = written
      // The records are read into recycled memory that goes back to the pool once this response is written.
      const pool = ctx.broker.partitions.readBuffers
      const lease = pool.lease()
      ctx.afterResponse(() => {
        lease.release()
        markWritten()
        if (ctx.connection.lastFetchWritten === written) ctx.connection.lastFetchWritten = undefined
      })
      if (previousWritten !== undefined) await previousWritten
      const result = await fetchRecords(ctx.broker.partitions, {
        usesTopicIds,
        replicaId: ctx.apiVersion >= 15 ? req.replicaState.replicaId : req.replicaId,
        maxWaitMs: req.maxWaitMs,
        minBytes: req.minBytes,
        maxBytes: req.maxBytes,
        isolationLevel: req.isolationLevel,
        sessionId: req.sessionId,
        sessionEpoch: req.sessionEpoch,
        partitions,
        forgotten,
        allocate: lease.allocate,
        availableBytes: () => pool.availableBytes,
      })
      return {
        throttleTimeMs: 0,
        errorCode: result.errorCode,
        sessionId: result.sessionId,
        responses: groupByTopic(result.partitions, usesTopicIds),
        nodeEndpoints: [],
      }
    },
    errorResponse: (req, errorCode) => ({
      throttleTimeMs: 0,
      errorCode,
      sessionId: 0,
      responses: req.topics.map((t) => ({
        topic: t.topic,
        topicId: t.topicId,
        partitions: t.partitions.map((p) =>
          partitionResponse({
            topic: t.topic,
            topicId: t.topicId,
            partition: p.partition,
            errorCode,
            highWatermark: -1n,
            lastStableOffset: -1n,
            logStartOffset: -1n,
            abortedTransactions: null,
            records: Buffer.alloc(0),
            currentLeader: { leaderId: -1, leaderEpoch: -1 },
          }),
        ),
      })),
      nodeEndpoints: [],
    }),
  },
)

/** One entry per topic, in order of first appearance (clients expect a topic's partitions under one entry). */
function groupByTopic(partitions: readonly FetchedPartition[], usesTopicIds: boolean): TopicResponse[] {
  const byTopic = new Map<string, TopicResponse>()
  for (const p of partitions) {
    const key = usesTopicIds ? p.topicId : (p.topic ?? '')
    let entry = byTopic.get(key)
    if (entry === undefined) {
      entry = { topic: p.topic ?? '', topicId: p.topicId, partitions: [] }
      byTopic.set(key, entry)
    }
    entry.partitions.push(partitionResponse(p))
  }
  return [...byTopic.values()]
}

function partitionResponse(p: FetchedPartition): PartitionResponse {
  return {
    partitionIndex: p.partition,
    errorCode: p.errorCode,
    highWatermark: p.highWatermark,
    lastStableOffset: p.lastStableOffset,
    logStartOffset: p.logStartOffset,
    divergingEpoch: NO_EPOCH,
    currentLeader:
      p.errorCode === ErrorCode.NOT_LEADER_OR_FOLLOWER || p.errorCode === ErrorCode.FENCED_LEADER_EPOCH
        ? p.currentLeader
        : { leaderId: -1, leaderEpoch: -1 },
    snapshotId: NO_SNAPSHOT,
    abortedTransactions: p.abortedTransactions,
    preferredReadReplica: -1,
    records: p.records,
  }
}
