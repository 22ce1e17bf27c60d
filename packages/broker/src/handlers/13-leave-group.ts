// LeaveGroup (13): v0-5. Behaviour: removes members from a classic group and starts a rebalance; v0-2 name one
// member, v3+ a batch of members by member id or group.instance.id (KIP-345), each with its own error code.
// Not implemented: authorization.

import { LeaveGroup } from '@samsa/protocol'
import { defineHandler } from '../server/handler.ts'

export const leaveGroupHandler = defineHandler(
  LeaveGroup,
  { minVersion: 0, maxVersion: 5 },
  {
    handle: (req, ctx) => ctx.broker.groups.leaveGroup(req, ctx.apiVersion),
    errorResponse: (_req, errorCode) => ({ throttleTimeMs: 0, errorCode, members: [] }),
  },
)
