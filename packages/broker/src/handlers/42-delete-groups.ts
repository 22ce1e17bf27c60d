// DeleteGroups (42): v0-2. Behaviour: deletes Empty groups and their committed offsets (tombstones in
// __consumer_offsets); NON_EMPTY_GROUP while members remain, GROUP_ID_NOT_FOUND for unknown groups.
// Not implemented: authorization.

import { DeleteGroups } from '@samsa/protocol'
import { defineHandler } from '../server/handler.ts'

export const deleteGroupsHandler = defineHandler(
  DeleteGroups,
  { minVersion: 0, maxVersion: 2 },
  {
    async handle(req, ctx) {
      const results = []
      for (const groupId of req.groupsNames)
        results.push({ groupId, errorCode: await ctx.broker.groups.deleteGroup(groupId) })
      return { throttleTimeMs: 0, results }
    },
    errorResponse: (req, errorCode) => ({
      throttleTimeMs: 0,
      results: req.groupsNames.map((groupId) => ({ groupId, errorCode })),
    }),
  },
)
