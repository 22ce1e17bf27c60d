// OffsetForLeaderEpoch (23): v2-4.
// Behaviour: per partition, the end offset of the requested leader epoch (the start offset of the next larger
// epoch, or the log end offset for the current epoch) and the epoch actually found (KIP-101/KIP-279), from the
// log's leader-epoch cache; -1/-1 when the epoch is older than anything in the log. currentLeaderEpoch fencing
// (FENCED_LEADER_EPOCH / UNKNOWN_LEADER_EPOCH, KIP-320). librdkafka >= 2.1 consumers use it after leader changes.
// Not implemented: follower (replicaId >= 0) semantics beyond what consumers get, authorization.

import { OffsetForLeaderEpoch } from '@samsa/protocol'
import { defineHandler } from '../server/handler.ts'

export const offsetForLeaderEpochHandler = defineHandler(
  OffsetForLeaderEpoch,
  { minVersion: 2, maxVersion: 4 },
  {
    handle(req, ctx) {
      return {
        throttleTimeMs: 0,
        topics: req.topics.map((t) => ({
          topic: t.topic,
          partitions: t.partitions.map((p) => ({
            partition: p.partition,
            ...ctx.broker.partitions.endOffsetForEpoch(t.topic, p.partition, p.leaderEpoch, p.currentLeaderEpoch),
          })),
        })),
      }
    },
    errorResponse: (req, errorCode) => ({
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({
        topic: t.topic,
        partitions: t.partitions.map((p) => ({ errorCode, partition: p.partition, leaderEpoch: -1, endOffset: -1n })),
      })),
    }),
  },
)
