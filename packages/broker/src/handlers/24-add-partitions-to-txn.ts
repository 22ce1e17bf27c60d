// AddPartitionsToTxn (24): v0-5.
// Behaviour: v0-3 (clients) add partitions to the producer's transaction through the transaction coordinator:
// Empty/Complete* become Ongoing, an Ongoing transaction grows; INVALID_PRODUCER_ID_MAPPING for a producer id the
// transactional id does not have, PRODUCER_FENCED for another epoch (INVALID_PRODUCER_EPOCH before v2, KIP-588),
// CONCURRENT_TRANSACTIONS while the previous transaction is still being committed or aborted. A partition of an
// unknown topic fails with UNKNOWN_TOPIC_OR_PARTITION and every other partition of the request with
// OPERATION_NOT_ATTEMPTED, nothing added, as Kafka does.
// v4+ (KIP-890 part 1, sent by brokers) batch transactions; one with verifyOnly answers per partition whether it is
// already in the ongoing transaction (INVALID_TXN_STATE if not) without adding it. v5 (a broker adding a
// transactions-v2 client's partition) marks the transaction as v2; it may answer TRANSACTION_ABORTABLE, which this
// broker never does.
// Not implemented: authorization (TRANSACTIONAL_ID WRITE, CLUSTER_ACTION for v4+).

import { AddPartitionsToTxn, ErrorCode, type AddPartitionsToTxnResponse } from '@samsa/protocol'
import { TRANSACTIONS_V2, type TopicPartitions } from '../coordinator/txn/index.ts'
import { defineHandler } from '../server/handler.ts'
import type { RequestContext } from '../server/request-context.ts'
import { PRODUCER_FENCED_SINCE, forVersion } from './txn-errors.ts'

type TopicResult = AddPartitionsToTxnResponse['resultsByTopicV3AndBelow'][number]

function results(
  topics: readonly TopicPartitions[],
  code: (topic: string, partition: number) => number,
): TopicResult[] {
  return topics.map((t) => ({
    name: t.topic,
    resultsByPartition: t.partitions.map((partitionIndex) => ({
      partitionIndex,
      partitionErrorCode: code(t.topic, partitionIndex),
    })),
  }))
}

async function addToTransaction(
  ctx: RequestContext,
  transactionalId: string,
  producerId: bigint,
  producerEpoch: number,
  topics: readonly TopicPartitions[],
  transactionVersion = 0,
): Promise<TopicResult[]> {
  const unknown = (topic: string, partition: number) => {
    const known = ctx.broker.metadata.topic(topic)
    return known === undefined || partition < 0 || partition >= known.partitions.length
  }
  if (topics.some((t) => t.partitions.some((p) => unknown(t.topic, p)))) {
    return results(topics, (topic, partition) =>
      unknown(topic, partition) ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : ErrorCode.OPERATION_NOT_ATTEMPTED,
    )
  }
  const errorCode = await ctx.broker.transactions.addPartitions(
    transactionalId,
    producerId,
    producerEpoch,
    topics,
    transactionVersion,
  )
  const code = forVersion(errorCode, ctx.apiVersion, PRODUCER_FENCED_SINCE.AddPartitionsToTxn)
  return results(topics, () => code)
}

export const addPartitionsToTxnHandler = defineHandler(
  AddPartitionsToTxn,
  { minVersion: 0, maxVersion: 5 },
  {
    async handle(req, ctx) {
      const response = AddPartitionsToTxn.response.make()
      if (ctx.apiVersion <= 3) {
        const topics = req.v3AndBelowTopics.map((t) => ({ topic: t.name, partitions: t.partitions }))
        response.resultsByTopicV3AndBelow = await addToTransaction(
          ctx,
          req.v3AndBelowTransactionalId,
          req.v3AndBelowProducerId,
          req.v3AndBelowProducerEpoch,
          topics,
        )
        return response
      }
      for (const txn of req.transactions) {
        const topics = txn.topics.map((t) => ({ topic: t.name, partitions: t.partitions }))
        let topicResults: TopicResult[]
        if (txn.verifyOnly) {
          const verified = await ctx.broker.transactions.verifyPartitions(
            txn.transactionalId,
            txn.producerId,
            txn.producerEpoch,
            topics,
          )
          const codes = new Map(verified.map((v) => [`${v.partition}\u0000${v.topic}`, v.errorCode]))
          topicResults = results(
            topics,
            (topic, p) => codes.get(`${p}\u0000${topic}`) ?? ErrorCode.UNKNOWN_SERVER_ERROR,
          )
        } else {
          const version = ctx.apiVersion >= 5 ? TRANSACTIONS_V2 : 0
          topicResults = await addToTransaction(
            ctx,
            txn.transactionalId,
            txn.producerId,
            txn.producerEpoch,
            topics,
            version,
          )
        }
        response.resultsByTransaction.push({ transactionalId: txn.transactionalId, topicResults })
      }
      return response
    },
    errorResponse: (req, errorCode) => {
      const response = AddPartitionsToTxn.response.make({ errorCode })
      const all = () => errorCode
      response.resultsByTopicV3AndBelow = results(
        req.v3AndBelowTopics.map((t) => ({ topic: t.name, partitions: t.partitions })),
        all,
      )
      response.resultsByTransaction = req.transactions.map((txn) => ({
        transactionalId: txn.transactionalId,
        topicResults: results(
          txn.topics.map((t) => ({ topic: t.name, partitions: t.partitions })),
          all,
        ),
      }))
      return response
    },
  },
)
