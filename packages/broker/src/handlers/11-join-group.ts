// JoinGroup (11): v0-9. Behaviour: the classic rebalance protocol's join phase, delegated to the group coordinator;
// the response is held until the rebalance completes (or MEMBER_ID_REQUIRED at once for a new v4+ member, KIP-394).
// A group id owned by a KIP-848 consumer group answers INCONSISTENT_GROUP_PROTOCOL.
// Not implemented: authorization; classic-to-consumer group conversion (KIP-848's upgrade path).

import { JoinGroup } from '@samsa/protocol'
import { defineHandler } from '../server/handler.ts'
import { clientInfo } from './group-client-info.ts'

export const joinGroupHandler = defineHandler(
  JoinGroup,
  { minVersion: 0, maxVersion: 9 },
  {
    handle: (req, ctx) => ctx.broker.groups.joinGroup(req, ctx.apiVersion, clientInfo(ctx)),
    errorResponse: (req, errorCode, ctx) =>
      JoinGroup.response.make({
        errorCode,
        generationId: -1,
        protocolName: ctx.apiVersion >= 7 ? null : '',
        memberId: req.memberId,
      }),
  },
)
