// OffsetCommit (8): v2-9. Behaviour: stores committed offsets in __consumer_offsets (value v3, as Kafka writes),
// validated against the group: the generation and member id of a classic group (ILLEGAL_GENERATION,
// UNKNOWN_MEMBER_ID, REBALANCE_IN_PROGRESS, FENCED_INSTANCE_ID) or the member epoch of a KIP-848 group
// (STALE_MEMBER_EPOCH); generation -1 with no member id commits from outside any group (assign() consumers, admin
// resets). Partitions of unknown topics get UNKNOWN_TOPIC_OR_PARTITION; metadata over offset.metadata.max.bytes
// OFFSET_METADATA_TOO_LARGE. v2-4 retentionTimeMs sets an explicit expiry.
// Not implemented: authorization; v0-1 (ZooKeeper-era storage and per-partition timestamps).

import { OffsetCommit } from '@samsa/protocol'
import { defineHandler } from '../server/handler.ts'
import { commitPartitions } from './offset-commit-partitions.ts'

export const offsetCommitHandler = defineHandler(
  OffsetCommit,
  { minVersion: 2, maxVersion: 9 },
  {
    async handle(req, ctx) {
      const codes = await commitPartitions(req.topics, ctx.broker.metadata, (offsets) =>
        ctx.broker.groups.commitOffsets({
          groupId: req.groupId,
          generationIdOrMemberEpoch: req.generationIdOrMemberEpoch,
          memberId: req.memberId,
          groupInstanceId: req.groupInstanceId,
          offsets,
          retentionTimeMs: req.retentionTimeMs,
        }),
      )
      return {
        throttleTimeMs: 0,
        topics: req.topics.map((t, ti) => ({
          name: t.name,
          topicId: t.topicId,
          partitions: t.partitions.map((p, pi) => ({
            partitionIndex: p.partitionIndex,
            errorCode: codes[ti]?.[pi] ?? 0,
          })),
        })),
      }
    },
    errorResponse: (req, errorCode) => ({
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({
        name: t.name,
        topicId: t.topicId,
        partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })),
      })),
    }),
  },
)
