// DescribeGroups (15): v0-6. Behaviour: classic groups with state, protocol and members (metadata and assignment
// blobs); an unknown group is described as Dead with no members (error NONE), as Kafka does; a KIP-848 group
// answers GROUP_ID_NOT_FOUND "is not a classic group" (use ConsumerGroupDescribe).
// Not implemented: authorization (authorizedOperations stays "not requested").

import { DescribeGroups } from '@samsa/protocol'
import { defineHandler } from '../server/handler.ts'

export const describeGroupsHandler = defineHandler(
  DescribeGroups,
  { minVersion: 0, maxVersion: 6 },
  {
    async handle(req, ctx) {
      const groups = []
      for (const groupId of req.groups) groups.push(await ctx.broker.groups.describeGroup(groupId))
      return { throttleTimeMs: 0, groups }
    },
    errorResponse: (req, errorCode) =>
      DescribeGroups.response.make({ groups: req.groups.map((groupId) => ({ groupId, errorCode })) }),
  },
)
