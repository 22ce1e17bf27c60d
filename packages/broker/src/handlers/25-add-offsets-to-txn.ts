// AddOffsetsToTxn (25): v0-4.
// Behaviour: adds the group's `__consumer_offsets` partition (abs(groupId.hashCode) % offsets.topic.num.partitions)
// to the producer's transaction, so that its TxnOffsetCommit is committed or aborted with it; the same checks and
// errors as AddPartitionsToTxn (PRODUCER_FENCED from v2, INVALID_PRODUCER_EPOCH before, KIP-588). v4 only allows
// TRANSACTION_ABORTABLE, never answered here. __consumer_offsets is created first if it does not exist yet.
// Not implemented: authorization (TRANSACTIONAL_ID WRITE, GROUP READ).

import { AddOffsetsToTxn } from '@samsa/protocol'
import { GROUP_METADATA_TOPIC } from '../coordinator/group/index.ts'
import { defineHandler } from '../server/handler.ts'
import { PRODUCER_FENCED_SINCE, forVersion } from './txn-errors.ts'

export const addOffsetsToTxnHandler = defineHandler(
  AddOffsetsToTxn,
  { minVersion: 0, maxVersion: 4 },
  {
    async handle(req, ctx) {
      await ctx.broker.groups.prepare()
      const partition = ctx.broker.groups.partitionFor(req.groupId)
      const errorCode = await ctx.broker.transactions.addPartitions(
        req.transactionalId,
        req.producerId,
        req.producerEpoch,
        [{ topic: GROUP_METADATA_TOPIC, partitions: [partition] }],
      )
      return {
        throttleTimeMs: 0,
        errorCode: forVersion(errorCode, ctx.apiVersion, PRODUCER_FENCED_SINCE.AddOffsetsToTxn),
      }
    },
    errorResponse: (_req, errorCode) => ({ throttleTimeMs: 0, errorCode }),
  },
)
