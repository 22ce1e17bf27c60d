// ConsumerGroupDescribe (69): v0-1. Behaviour: KIP-848 groups with their epochs, assignor and each member's
// current and target assignment; an id that is not a consumer group answers GROUP_ID_NOT_FOUND.
// Not implemented: authorization (authorizedOperations stays "not requested").

import { ConsumerGroupDescribe } from '@samsa/protocol'
import { defineHandler } from '../server/handler.ts'

export const consumerGroupDescribeHandler = defineHandler(
  ConsumerGroupDescribe,
  { minVersion: 0, maxVersion: 1 },
  {
    async handle(req, ctx) {
      const groups = await ctx.broker.groups.describeConsumerGroups(req.groupIds, req.includeAuthorizedOperations)
      return { throttleTimeMs: 0, groups }
    },
    errorResponse: (req, errorCode) =>
      ConsumerGroupDescribe.response.make({ groups: req.groupIds.map((groupId) => ({ groupId, errorCode })) }),
  },
)
