// InitProducerId (22): v0-5.
// Behaviour: an idempotent producer (transactionalId null) gets a fresh producer id with epoch 0, from blocks that
// never repeat across restarts (coordinator/txn/producer-id-manager.ts). As in Kafka's TransactionCoordinator, a
// producerId/epoch pair sent with v3+ by an idempotent producer is not bumped: without a transactional id there is
// no state that could prove the pair is the caller's, so Kafka always answers a new id (the Java client bumps an
// idempotent producer's epoch locally, KIP-360, and asks for a new id only when that is not possible).
// An empty transactional id is INVALID_REQUEST (as in Kafka). A transactional id goes to the transaction
// coordinator (coordinator/txn): a first call gets a new producer id with epoch 0, later ones bump the epoch, which
// fences older producers with the same transactional.id and aborts a transaction they left open (the caller then
// gets CONCURRENT_TRANSACTIONS and retries); a timeout above transaction.max.timeout.ms is
// INVALID_TRANSACTION_TIMEOUT; v3+ producerId/epoch must be the id's current or previous producer (KIP-360), else
// PRODUCER_FENCED (INVALID_PRODUCER_EPOCH before v4, KIP-588).
// Not implemented: authorization (IDEMPOTENT_WRITE / TRANSACTIONAL_ID WRITE), KIP-890 part 2, v6 (KIP-939).

import { ErrorCode, InitProducerId } from '@samsa/protocol'
import { defineHandler } from '../server/handler.ts'
import { PRODUCER_FENCED_SINCE, forVersion } from './txn-errors.ts'

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
        return ctx.broker.transactions
          .initProducerId(req.transactionalId, req.transactionTimeoutMs, {
            producerId: req.producerId,
            producerEpoch: req.producerEpoch,
          })
          .then((r) => ({
            throttleTimeMs: 0,
            ...r,
            errorCode: forVersion(r.errorCode, ctx.apiVersion, PRODUCER_FENCED_SINCE.InitProducerId),
          }))
      }
      const producerId = ctx.broker.producerIds.generateProducerId()
      return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, producerId, producerEpoch: 0 }
    },
    errorResponse: (_req, errorCode) => ({ throttleTimeMs: 0, errorCode, producerId: -1n, producerEpoch: -1 }),
  },
)
