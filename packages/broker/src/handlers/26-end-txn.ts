// EndTxn (26): v0-5.
// Behaviour: commits or aborts the producer's Ongoing transaction: the coordinator records PrepareCommit or
// PrepareAbort, writes a COMMIT/ABORT marker to every partition of the transaction (and to the group's
// __consumer_offsets partition, where pending TxnOffsetCommits take effect), then records CompleteCommit or
// CompleteAbort. A retry of a finished commit (abort) succeeds again; the opposite decision, an Empty transaction
// or a mismatched one is INVALID_TXN_STATE; CONCURRENT_TRANSACTIONS while a decision is still being written;
// INVALID_PRODUCER_ID_MAPPING / PRODUCER_FENCED (INVALID_PRODUCER_EPOCH before v2, KIP-588) for the wrong producer.
// v4 only allows TRANSACTION_ABORTABLE, never answered here. v5 is transactions v2 (KIP-890 part 2): the epoch
// is bumped by every EndTxn (a new producer id when exhausted) and the answer carries the id and epoch for the next
// transaction; an Empty transaction may be ended too, and a retry with the previous epoch gets the same answer.
// Not implemented: authorization (TRANSACTIONAL_ID WRITE).

import { EndTxn } from '@samsa/protocol'
import { TRANSACTIONS_V2 } from '../coordinator/txn/index.ts'
import { defineHandler } from '../server/handler.ts'
import { PRODUCER_FENCED_SINCE, forVersion } from './txn-errors.ts'

export const endTxnHandler = defineHandler(
  EndTxn,
  { minVersion: 0, maxVersion: 5 },
  {
    async handle(req, ctx) {
      const ended = await ctx.broker.transactions.endTransaction(
        req.transactionalId,
        req.producerId,
        req.producerEpoch,
        req.committed,
        ctx.apiVersion >= 5 ? TRANSACTIONS_V2 : 0,
      )
      return EndTxn.response.make({
        errorCode: forVersion(ended.errorCode, ctx.apiVersion, PRODUCER_FENCED_SINCE.EndTxn),
        ...(ctx.apiVersion >= 5 ? { producerId: ended.producerId, producerEpoch: ended.producerEpoch } : {}),
      })
    },
    errorResponse: (_req, errorCode) => EndTxn.response.make({ errorCode }),
  },
)
