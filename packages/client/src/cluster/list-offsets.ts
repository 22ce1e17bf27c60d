// ListOffsets, shared by the admin client (listOffsets) and the consumer (offset reset): per partition the
// earliest offset, the latest (the high watermark, or the last stable offset for read_committed), the offset of the
// largest timestamp (KIP-734) or the first offset at or after a timestamp, sharded per leader.

import { ErrorCode, ListOffsets } from '@samsa/protocol'
import { KafkaProtocolError } from '../errors.ts'
import type { Cluster } from './cluster.ts'
import { shardByLeader, type ShardOutcome, type TopicPartition } from './sharding.ts'

/** Kafka's special timestamps in ListOffsets requests. */
export const OffsetSpec = { LATEST: -1n, EARLIEST: -2n, MAX_TIMESTAMP: -3n } as const

export interface OffsetQuery extends TopicPartition {
  /** OffsetSpec.LATEST / EARLIEST / MAX_TIMESTAMP, or a timestamp in ms. */
  timestamp: bigint
}

export interface OffsetAnswer extends TopicPartition {
  /** -1n when no record has a timestamp at or after the one asked for. */
  offset: bigint
  timestamp: bigint
  leaderEpoch: number
}

export function listOffsets(
  cluster: Cluster,
  queries: readonly OffsetQuery[],
  isolationLevel: number,
  deadline: number,
): Promise<OffsetAnswer[]> {
  return shardByLeader(cluster, queries, deadline, async (connection, shard) => {
    const topics = new Map<string, OffsetQuery[]>()
    for (const q of shard) topics.set(q.topic, [...(topics.get(q.topic) ?? []), q])
    const { response, version } = await connection.request(ListOffsets, () =>
      ListOffsets.request.make({
        replicaId: -1,
        isolationLevel,
        timeoutMs: cluster.options.requestTimeoutMs,
        topics: [...topics].map(([name, list]) => ({
          name,
          partitions: list.map((q) => ({ partitionIndex: q.partition, timestamp: q.timestamp })),
        })),
      }),
    )
    return shard.map((q): ShardOutcome<OffsetAnswer> => {
      const p = response.topics
        .find((t) => t.name === q.topic)
        ?.partitions.find((x) => x.partitionIndex === q.partition)
      const errorCode = p?.errorCode ?? ErrorCode.UNKNOWN_SERVER_ERROR
      if (p === undefined || errorCode !== ErrorCode.NONE) {
        const details = {
          errorCode,
          apiKey: ListOffsets.key,
          apiVersion: version,
          topic: q.topic,
          partition: q.partition,
        }
        return { error: new KafkaProtocolError(details) }
      }
      return {
        result: {
          topic: q.topic,
          partition: q.partition,
          offset: p.offset,
          timestamp: p.timestamp,
          leaderEpoch: p.leaderEpoch,
        },
      }
    })
  })
}
