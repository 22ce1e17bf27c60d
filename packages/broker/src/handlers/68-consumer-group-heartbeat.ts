// ConsumerGroupHeartbeat (68): v0-1. Behaviour: the KIP-848 consumer protocol: join, stay, reconcile and leave
// through one RPC; the coordinator computes assignments server side (uniform or range assignors).
// Not implemented: authorization; classic-to-consumer group conversion.

import { ConsumerGroupHeartbeat } from '@samsa/protocol'
import { defineHandler } from '../server/handler.ts'
import { clientInfo } from './group-client-info.ts'

export const consumerGroupHeartbeatHandler = defineHandler(
  ConsumerGroupHeartbeat,
  { minVersion: 0, maxVersion: 1 },
  {
    handle: (req, ctx) => ctx.broker.groups.consumerGroupHeartbeat(req, ctx.apiVersion, clientInfo(ctx)),
    errorResponse: (_req, errorCode) => ConsumerGroupHeartbeat.response.make({ errorCode }),
  },
)
