// DescribeTransactions (65): v0 (KIP-664).
// Behaviour: for each transactional id, the coordinator's state (Kafka's names: Empty, Ongoing, PrepareCommit,
// PrepareAbort, CompleteCommit, CompleteAbort…), producer id and epoch, timeout, start time of the current
// transaction (-1 outside one) and its partitions; TRANSACTIONAL_ID_NOT_FOUND for an id the coordinator does not
// know. Not implemented: authorization (TRANSACTIONAL_ID DESCRIBE).

import { DescribeTransactions, ErrorCode } from '@samsa/protocol'
import { TXN_STATUS_NAMES } from '../coordinator/txn/index.ts'
import { defineHandler } from '../server/handler.ts'

export const describeTransactionsHandler = defineHandler(
  DescribeTransactions,
  { minVersion: 0, maxVersion: 0 },
  {
    async handle(req, ctx) {
      const described = await ctx.broker.transactions.describe(req.transactionalIds)
      return {
        throttleTimeMs: 0,
        transactionStates: req.transactionalIds.map((transactionalId, i) => {
          const m = described[i]
          if (m === undefined) {
            return {
              errorCode: ErrorCode.TRANSACTIONAL_ID_NOT_FOUND,
              transactionalId,
              transactionState: '',
              transactionTimeoutMs: 0,
              transactionStartTimeMs: -1n,
              producerId: -1n,
              producerEpoch: -1,
              topics: [],
            }
          }
          return {
            errorCode: ErrorCode.NONE,
            transactionalId,
            transactionState: TXN_STATUS_NAMES[m.status],
            transactionTimeoutMs: m.timeoutMs,
            transactionStartTimeMs: BigInt(m.startTimestamp),
            producerId: m.producerId,
            producerEpoch: m.producerEpoch,
            topics: [...m.partitions].map(([topic, ids]) => ({ topic, partitions: [...ids].sort((a, b) => a - b) })),
          }
        }),
      }
    },
    errorResponse: (req, errorCode) => ({
      throttleTimeMs: 0,
      transactionStates: req.transactionalIds.map((transactionalId) => ({
        errorCode,
        transactionalId,
        transactionState: '',
        transactionTimeoutMs: 0,
        transactionStartTimeMs: -1n,
        producerId: -1n,
        producerEpoch: -1,
        topics: [],
      })),
    }),
  },
)
