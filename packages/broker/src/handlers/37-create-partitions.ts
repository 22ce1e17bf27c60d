// CreatePartitions (37): v0-3.
// Behaviour: raises each topic's partition count to `count` (KIP-195), placing new replicas round-robin on the
// registered brokers or as assigned; per-topic errors: UNKNOWN_TOPIC_OR_PARTITION, INVALID_PARTITIONS (not an
// increase), INVALID_REPLICA_ASSIGNMENT (wrong number of assignments, unknown or duplicate brokers), INVALID_REQUEST
// for a topic listed twice. validateOnly stops before committing; every topic gets a result entry.
// Not implemented: authorization, quotas.

import { CreatePartitions } from '@samsa/protocol'
import { defineHandler } from '../server/handler.ts'

export const createPartitionsHandler = defineHandler(
  CreatePartitions,
  { minVersion: 0, maxVersion: 3 },
  {
    async handle(req, ctx) {
      return {
        throttleTimeMs: 0,
        results: await ctx.broker.topics.createPartitions(req.topics, req.validateOnly),
      }
    },
    errorResponse: (req, errorCode) => ({
      throttleTimeMs: 0,
      results: req.topics.map((t) => ({ name: t.name, errorCode, errorMessage: null })),
    }),
  },
)
