// SyncGroup (14): v0-5. Behaviour: the classic protocol's assignment phase: the leader's request stores every
// member's assignment (written to __consumer_offsets before anyone is answered) and each member gets its own;
// followers wait for the leader. v5 checks protocolType/protocolName (INCONSISTENT_GROUP_PROTOCOL).
// Not implemented: authorization.

import { SyncGroup } from '@samsa/protocol'
import { defineHandler } from '../server/handler.ts'

export const syncGroupHandler = defineHandler(
  SyncGroup,
  { minVersion: 0, maxVersion: 5 },
  {
    handle: (req, ctx) => ctx.broker.groups.syncGroup(req, ctx.apiVersion),
    errorResponse: (_req, errorCode) => SyncGroup.response.make({ errorCode, assignment: Buffer.alloc(0) }),
  },
)
