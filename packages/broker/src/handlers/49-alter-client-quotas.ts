// AlterClientQuotas (49): v0-1 (KIP-546).
// Behaviour: sets or removes quota values per entity (user, client-id, their pair, or ip; a null name is the type's
// default), validated as Kafka's ClientQuotaControlManager does: known entity types, each once, ip alone and a
// parseable address, keys of the entity's kind (producer_byte_rate, consumer_byte_rate, request_percentage,
// controller_mutation_rate; connection_creation_rate for ips), whole numbers for the rate keys. A bad entry gets
// INVALID_REQUEST with Kafka's message; the valid ones are stored (unless validateOnly), surviving a restart.
// Not implemented: enforcement of the quotas (they are stored configuration until the security work), authorization.

import { AlterClientQuotas } from '@samsa/protocol'
import { defineHandler } from '../server/handler.ts'

export const alterClientQuotasHandler = defineHandler(
  AlterClientQuotas,
  { minVersion: 0, maxVersion: 1 },
  {
    async handle(req, ctx) {
      const results = await ctx.broker.quotas.alter(req.entries, req.validateOnly)
      return {
        throttleTimeMs: 0,
        entries: req.entries.map((entry, i) => ({
          errorCode: results[i]?.errorCode ?? 0,
          errorMessage: results[i]?.errorMessage ?? null,
          entity: entry.entity,
        })),
      }
    },
    errorResponse: (req, errorCode) => ({
      throttleTimeMs: 0,
      entries: req.entries.map((entry) => ({ errorCode, errorMessage: null, entity: entry.entity })),
    }),
  },
)
