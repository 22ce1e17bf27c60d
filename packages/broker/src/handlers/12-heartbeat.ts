// Heartbeat (12): v0-4. Behaviour: keeps a classic group member's session alive; REBALANCE_IN_PROGRESS tells it to
// rejoin, ILLEGAL_GENERATION / UNKNOWN_MEMBER_ID / FENCED_INSTANCE_ID that it is out of the group.
// Not implemented: authorization.

import { Heartbeat } from '@samsa/protocol'
import { defineHandler } from '../server/handler.ts'

export const heartbeatHandler = defineHandler(
  Heartbeat,
  { minVersion: 0, maxVersion: 4 },
  {
    handle: (req, ctx) => ctx.broker.groups.heartbeat(req, ctx.apiVersion),
    errorResponse: (_req, errorCode) => ({ throttleTimeMs: 0, errorCode }),
  },
)
