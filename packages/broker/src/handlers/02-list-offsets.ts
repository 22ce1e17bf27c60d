// ListOffsets (2): v0-10.
// Behaviour: per partition, -2 earliest (log start offset), -1 latest (high watermark; the LSO for read_committed,
// v2+; the log end offset for replicas), -3 max timestamp (KIP-734, v7+), -4 earliest local (= earliest, no tiered
// storage, v8+), -5 latest tiered (-1: nothing tiered, v9+), otherwise the first offset whose timestamp is at least
// the one given (-1 when there is none). Leader-epoch fencing (v4+) and the returned leader epoch. A partition
// listed twice gets INVALID_REQUEST, as in Kafka. v10's timeoutMs is accepted (it only matters for remote logs).
// v0 (removed in Kafka 4.0 by KIP-896, but still what Burrow 1.2.1's sarama asks with) answers the same lookup as
// a list of at most maxNumOffsets offsets: [offset], or [] when there is none. Kafka 3.x listed segment base
// offsets for a timestamp query; one offset is what every v0 caller we know reads.
// Not implemented: authorization.

import { ErrorCode, ListOffsets, type ListOffsetsResponse } from '@samsa/protocol'
import { defineHandler } from '../server/handler.ts'

type PartitionResponse = ListOffsetsResponse['topics'][number]['partitions'][number]

function failed(partitionIndex: number, errorCode: number): PartitionResponse {
  return { partitionIndex, errorCode, oldStyleOffsets: [], timestamp: -1n, offset: -1n, leaderEpoch: -1 }
}

export const listOffsetsHandler = defineHandler(
  ListOffsets,
  { minVersion: 0, maxVersion: 10 },
  {
    handle(req, ctx) {
      const seen = new Map<string, number>()
      for (const t of req.topics) {
        for (const p of t.partitions)
          seen.set(`${t.name}:${p.partitionIndex}`, (seen.get(`${t.name}:${p.partitionIndex}`) ?? 0) + 1)
      }
      return {
        throttleTimeMs: 0,
        topics: req.topics.map((t) => ({
          name: t.name,
          partitions: t.partitions.map((p) => {
            if ((seen.get(`${t.name}:${p.partitionIndex}`) ?? 0) > 1)
              return failed(p.partitionIndex, ErrorCode.INVALID_REQUEST)
            const r = ctx.broker.partitions.listOffset(
              t.name,
              p.partitionIndex,
              p.timestamp,
              req.isolationLevel,
              p.currentLeaderEpoch,
              req.replicaId,
            )
            if (ctx.apiVersion === 0) {
              const offsets = r.offset >= 0n && p.maxNumOffsets > 0 ? [r.offset] : []
              return { ...failed(p.partitionIndex, r.errorCode), oldStyleOffsets: offsets }
            }
            return {
              partitionIndex: p.partitionIndex,
              errorCode: r.errorCode,
              oldStyleOffsets: [],
              timestamp: r.timestamp,
              offset: r.offset,
              // The leader epoch is only on the wire from v4 (KIP-320).
              leaderEpoch: ctx.apiVersion >= 4 ? r.leaderEpoch : -1,
            }
          }),
        })),
      }
    },
    errorResponse: (req, errorCode) => ({
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => failed(p.partitionIndex, errorCode)),
      })),
    }),
  },
)
