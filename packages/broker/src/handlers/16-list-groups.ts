// ListGroups (16): v0-5. Behaviour: every group this broker coordinates, with its state (v4+, filtered by
// statesFilter, case-insensitive as Kafka) and type (v5+: classic or consumer, filtered by typesFilter, KIP-848).
// Not implemented: authorization (Kafka lists only groups the principal may describe).

import { ListGroups } from '@samsa/protocol'
import { defineHandler } from '../server/handler.ts'

export const listGroupsHandler = defineHandler(
  ListGroups,
  { minVersion: 0, maxVersion: 5 },
  {
    async handle(req, ctx) {
      const groups = await ctx.broker.groups.listGroups(req.statesFilter, req.typesFilter)
      return { throttleTimeMs: 0, errorCode: 0, groups }
    },
    errorResponse: (_req, errorCode) => ({ throttleTimeMs: 0, errorCode, groups: [] }),
  },
)
