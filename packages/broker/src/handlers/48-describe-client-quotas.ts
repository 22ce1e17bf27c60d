// DescribeClientQuotas (48): v0-1 (KIP-546).
// Behaviour: the quotas stored for every entity that matches all filter components (exact name, the type's default
// entity, or any entity of the type); with strict, only entities with exactly the filtered types. Unknown entity
// types, a type filtered twice or an exact match without a name are INVALID_REQUEST, as Kafka answers.
// Not implemented: enforcement of the quotas (they are stored configuration until the security work), authorization.

import { DescribeClientQuotas } from '@samsa/protocol'
import { defineHandler } from '../server/handler.ts'

export const describeClientQuotasHandler = defineHandler(
  DescribeClientQuotas,
  { minVersion: 0, maxVersion: 1 },
  {
    handle(req, ctx) {
      const described = ctx.broker.quotas.describe(req.components, req.strict)
      return {
        throttleTimeMs: 0,
        errorCode: described.errorCode,
        errorMessage: described.errorMessage,
        entries:
          described.errorCode !== 0
            ? null
            : described.entries.map((e) => ({
                entity: e.entity.map((p) => ({ entityType: p.entityType, entityName: p.entityName })),
                values: [...e.values].map(([key, value]) => ({ key, value })),
              })),
      }
    },
    errorResponse: (_req, errorCode) => ({ throttleTimeMs: 0, errorCode, errorMessage: null, entries: null }),
  },
)
