// EndTxn (26): v0-4.
// Behaviour: commits or aborts the producer's Ongoing transaction: the coordinator records PrepareCommit or
// PrepareAbort, writes a COMMIT/ABORT marker to every partition of the transaction (and to the group's
// __consumer_offsets partition, where pending TxnOffsetCommits take effect), then records CompleteCommit or
// CompleteAbort. A retry of a finished commit (abort) succeeds again; the opposite decision, an Empty transaction
// or a mismatched one is INVALID_TXN_STATE; CONCURRENT_TRANSACTIONS while a decision is still being written;
// INVALID_PRODUCER_ID_MAPPING / PRODUCER_FENCED (INVALID_PRODUCER_EPOCH before v2, KIP-588) for the wrong producer.
// v4 only allows TRANSACTION_ABORTABLE, never answered here.
// Not implemented: v5 (KIP-890 part 2's epoch bump per transaction); authorization (TRANSACTIONAL_ID WRITE).

import { EndTxn } from '@samsa/protocol'
import { defineHandler } from '../server/handler.ts'
import { PRODUCER_FENCED_SINCE, forVersion } from './txn-errors.ts'

export const endTxnHandler = defineHandler(
  EndTxn,
  { minVersion: 0, maxVersion: 4 },
  {
    async handle(req, ctx) {
      const errorCode = await ctx.broker.transactions.endTransaction(
        req.transactionalId,
        req.producerId,
        req.producerEpoch,
        req.committed,
      )
      return EndTxn.response.make({ errorCode: forVersion(errorCode, ctx.apiVersion, PRODUCER_FENCED_SINCE.EndTxn) })
    },
    errorResponse: (_req, errorCode) => EndTxn.response.make({ errorCode }),
  },
)
