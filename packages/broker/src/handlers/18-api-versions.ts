// ApiVersions (18): v0-4.
// Behaviour: lists every API a handler exists for, with the versions the handler declares (the registry derives
// it, so nothing is advertised that is not implemented). v3+ checks clientSoftwareName/Version against Kafka's
// pattern (INVALID_REQUEST on mismatch; librdkafka then retries with v0) and remembers them on the connection.
// A version above 4 never reaches this handler: the dispatcher answers it in v0 with UNSUPPORTED_VERSION (KIP-511).
// Features (KIP-584, v3+): transaction.version is supported up to and finalized at 2, so clients that speak
// transactions v2 (KIP-890 part 2) use it; older clients ignore features and use v1, which is served as well.

import { ApiVersions, ErrorCode } from '@samsa/protocol'
import { TRANSACTIONS_V2 } from '../coordinator/txn/index.ts'
import { defineHandler } from '../server/handler.ts'

/** The finalized features never change on a running Samsa broker; Kafka sends the metadata offset here. */
const FEATURES_EPOCH = 1n

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
      return {
        ...ApiVersions.response.make(),
        apiKeys: [...ctx.broker.apiVersions()],
        supportedFeatures: [{ name: 'transaction.version', minVersion: 0, maxVersion: TRANSACTIONS_V2 }],
        finalizedFeaturesEpoch: FEATURES_EPOCH,
        finalizedFeatures: [
          { name: 'transaction.version', minVersionLevel: TRANSACTIONS_V2, maxVersionLevel: TRANSACTIONS_V2 },
        ],
      }
    },
    errorResponse: (_req, errorCode) => ({ ...ApiVersions.response.make(), errorCode }),
  },
)
