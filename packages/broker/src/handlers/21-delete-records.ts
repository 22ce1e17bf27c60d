// DeleteRecords (21): v0-2.
// Behaviour: moves each partition's log start offset forward to the given offset (KIP-107); -1 means the high
// watermark. Offsets above the high watermark or below zero answer OFFSET_OUT_OF_RANGE; unknown partitions
// UNKNOWN_TOPIC_OR_PARTITION. With a single node the new low watermark is final at once (Kafka waits for the
// followers' log start offsets in a DelayedDeleteRecords). Segments wholly below it are deleted by storage.
// Not implemented: authorization, waiting for followers.

import { DeleteRecords } from '@samsa/protocol'
import { defineHandler } from '../server/handler.ts'

export const deleteRecordsHandler = defineHandler(
  DeleteRecords,
  { minVersion: 0, maxVersion: 2 },
  {
    handle(req, ctx) {
      return {
        throttleTimeMs: 0,
        topics: req.topics.map((t) => ({
          name: t.name,
          partitions: t.partitions.map((p) => ({
            partitionIndex: p.partitionIndex,
            ...ctx.broker.partitions.deleteRecords(t.name, p.partitionIndex, p.offset),
          })),
        })),
      }
    },
    errorResponse: (req, errorCode) => ({
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, lowWatermark: -1n, errorCode })),
      })),
    }),
  },
)
