// ApiVersions (18): v0-4.
// Behaviour: lists every API a handler exists for, with the versions the handler declares (the registry derives
// it, so nothing is advertised that is not implemented). v3+ checks clientSoftwareName/Version against Kafka's
// pattern (INVALID_REQUEST on mismatch; librdkafka then retries with v0) and remembers them on the connection.
// A version above 4 never reaches this handler: the dispatcher answers it in v0 with UNSUPPORTED_VERSION (KIP-511).
// Not implemented: supported/finalized features (KIP-584) are empty, so no client enables transaction.version 2.

import { ApiVersions, ErrorCode } from '@samsa/protocol'
import { defineHandler } from '../server/handler.ts'

const SOFTWARE_PATTERN = /^[a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])?$/

export const apiVersionsHandler = defineHandler(
  ApiVersions,
  { minVersion: 0, maxVersion: 4 },
  {
    handle(req, ctx) {
      if (ctx.apiVersion >= 3) {
        if (!SOFTWARE_PATTERN.test(req.clientSoftwareName) || !SOFTWARE_PATTERN.test(req.clientSoftwareVersion)) {
          return { ...ApiVersions.response.make(), errorCode: ErrorCode.INVALID_REQUEST }
        }
        ctx.connection.clientSoftwareName = req.clientSoftwareName
        ctx.connection.clientSoftwareVersion = req.clientSoftwareVersion
      }
      return { ...ApiVersions.response.make(), apiKeys: [...ctx.broker.apiVersions()] }
    },
    errorResponse: (_req, errorCode) => ({ ...ApiVersions.response.make(), errorCode }),
  },
)
