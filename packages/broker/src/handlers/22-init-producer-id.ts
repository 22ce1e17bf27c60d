// InitProducerId (22): v0-5.
// Behaviour: an idempotent producer (transactionalId null) gets a fresh producer id with epoch 0, from blocks that
// never repeat across restarts (coordinator/txn/producer-id-manager.ts). As in Kafka's TransactionCoordinator, a
// producerId/epoch pair sent with v3+ by an idempotent producer is not bumped: without a transactional id there is
// no state that could prove the pair is the caller's, so Kafka always answers a new id (the Java client bumps an
// idempotent producer's epoch locally, KIP-360, and asks for a new id only when that is not possible).
// An empty transactional id is INVALID_REQUEST (as in Kafka). Any other transactional id answers
// COORDINATOR_NOT_AVAILABLE: the transaction coordinator is not built yet, and this is what Kafka answers while no
// coordinator can serve the id. It is retriable, so clients retry and then fail with their own timeout (checked:
// kafkajs 2.2.4 transaction() rejects with KafkaJSNumberOfRetriesExceeded "The group coordinator is not available",
// its text for code 15; kcat/librdkafka 2.0.2 init_transactions() times out), rather than on a fatal error that
// points elsewhere (TRANSACTIONAL_ID_AUTHORIZATION_FAILED would blame ACLs).
// Not implemented: transactional ids (epoch bumps, fencing, KIP-360/KIP-588/KIP-890 paths), authorization
// (IDEMPOTENT_WRITE / TRANSACTIONAL_ID WRITE), v6 (KIP-939, unstable in Kafka).

import { ErrorCode, InitProducerId } from '@samsa/protocol'
import { defineHandler } from '../server/handler.ts'

export const initProducerIdHandler = defineHandler(
  InitProducerId,
  { minVersion: 0, maxVersion: 5 },
  {
    handle(req, ctx) {
      // Kafka refuses an empty transactional id, as its producer client does.
      if (req.transactionalId === '') {
        return { throttleTimeMs: 0, errorCode: ErrorCode.INVALID_REQUEST, producerId: -1n, producerEpoch: -1 }
      }
      if (req.transactionalId !== null) {
        return { throttleTimeMs: 0, errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, producerId: -1n, producerEpoch: -1 }
      }
      const producerId = ctx.broker.producerIds.generateProducerId()
      return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, producerId, producerEpoch: 0 }
    },
    errorResponse: (_req, errorCode) => ({ throttleTimeMs: 0, errorCode, producerId: -1n, producerEpoch: -1 }),
  },
)
