// ListTransactions (66): v0-2 (KIP-664; v1 duration filter, KIP-994; v2 transactional id pattern, KIP-1152).
// Behaviour: every transactional id the coordinator knows with its producer id and state, filtered by states
// (unknown state names are echoed in unknownStateFilters and match nothing), producer ids, a minimum running time
// (now - start of the current transaction > durationFilter, as Kafka compares) and a regular expression on the id.
// An invalid pattern is INVALID_REGULAR_EXPRESSION. Not implemented: authorization (TRANSACTIONAL_ID DESCRIBE).

import { ErrorCode, ListTransactions } from '@samsa/protocol'
import { TXN_STATUS_NAMES } from '../coordinator/txn/index.ts'
import { defineHandler } from '../server/handler.ts'

const KNOWN_STATES = new Set(Object.values(TXN_STATUS_NAMES))

export const listTransactionsHandler = defineHandler(
  ListTransactions,
  { minVersion: 0, maxVersion: 2 },
  {
    async handle(req, ctx) {
      const response = ListTransactions.response.make()
      let pattern: RegExp | null = null
      if (req.transactionalIdPattern !== null && req.transactionalIdPattern !== '') {
        try {
          pattern = new RegExp(`^(?:${req.transactionalIdPattern})$`, 'u')
        } catch {
          response.errorCode = ErrorCode.INVALID_REGULAR_EXPRESSION
          return response
        }
      }
      response.unknownStateFilters = req.stateFilters.filter((s) => !KNOWN_STATES.has(s))
      const states = new Set(req.stateFilters)
      const producers = new Set(req.producerIdFilters)
      const now = ctx.broker.partitions.clock.now()
      for (const m of await ctx.broker.transactions.list()) {
        const state = TXN_STATUS_NAMES[m.status]
        if (states.size > 0 && !states.has(state)) continue
        if (producers.size > 0 && !producers.has(m.producerId)) continue
        if (req.durationFilter >= 0n && BigInt(now - m.startTimestamp) <= req.durationFilter) continue
        if (pattern !== null && !pattern.test(m.transactionalId)) continue
        response.transactionStates.push({
          transactionalId: m.transactionalId,
          producerId: m.producerId,
          transactionState: state,
        })
      }
      return response
    },
    errorResponse: (_req, errorCode) => ListTransactions.response.make({ errorCode }),
  },
)
