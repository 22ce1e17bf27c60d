// OffsetDelete (47): v0. Behaviour: deletes a group's committed offsets for the given partitions (KIP-496), except
// for topics a member is subscribed to (GROUP_SUBSCRIBED_TO_TOPIC); GROUP_ID_NOT_FOUND for unknown groups.
// Not implemented: authorization.

import { OffsetDelete } from '@samsa/protocol'
import { defineHandler } from '../server/handler.ts'

export const offsetDeleteHandler = defineHandler(
  OffsetDelete,
  { minVersion: 0, maxVersion: 0 },
  {
    async handle(req, ctx) {
      const asked = req.topics.flatMap((t) => t.partitions.map((p) => ({ topic: t.name, partition: p.partitionIndex })))
      const { errorCode, partitionErrors } = await ctx.broker.groups.deleteOffsets(req.groupId, asked)
      if (errorCode !== 0) return { errorCode, throttleTimeMs: 0, topics: [] }
      let i = 0
      return {
        errorCode,
        throttleTimeMs: 0,
        topics: req.topics.map((t) => ({
          name: t.name,
          partitions: t.partitions.map((p) => ({
            partitionIndex: p.partitionIndex,
            errorCode: partitionErrors[i++] ?? 0,
          })),
        })),
      }
    },
    errorResponse: (_req, errorCode) => ({ errorCode, throttleTimeMs: 0, topics: [] }),
  },
)
