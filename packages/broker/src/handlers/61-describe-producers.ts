// DescribeProducers (61): v0. Behaviour: per partition, the idempotent and transactional producers its log
// remembers (KIP-664, what `kafka-transactions.sh describe-producers` shows): producer id and epoch, the last
// sequence and timestamp, the coordinator epoch and the start offset of an open transaction (-1 without one).
// Unknown partitions answer UNKNOWN_TOPIC_OR_PARTITION.
// Not implemented: authorization.

import { DescribeProducers } from '@samsa/protocol'
import { defineHandler } from '../server/handler.ts'

export const describeProducersHandler = defineHandler(
  DescribeProducers,
  { minVersion: 0, maxVersion: 0 },
  {
    handle: (req, ctx) => ({
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({
        name: t.name,
        partitions: t.partitionIndexes.map((partitionIndex) => {
          const { errorCode, producers } = ctx.broker.partitions.describeProducers(t.name, partitionIndex)
          return { partitionIndex, errorCode, errorMessage: null, activeProducers: producers }
        }),
      })),
    }),
    errorResponse: (req, errorCode) => ({
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({
        name: t.name,
        partitions: t.partitionIndexes.map((partitionIndex) => ({
          partitionIndex,
          errorCode,
          errorMessage: null,
          activeProducers: [],
        })),
      })),
    }),
  },
)
