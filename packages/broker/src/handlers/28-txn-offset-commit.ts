// TxnOffsetCommit (28): v0-5.
// Behaviour: stores a transactional producer's offsets for a group as that producer's transactional batch in
// __consumer_offsets; they stay pending (invisible to OffsetFetch, UNSTABLE_OFFSET_COMMIT with requireStable) until
// the transaction's marker commits or drops them. The group's partition must be in the producer's ongoing
// transaction (AddOffsetsToTxn first): INVALID_TXN_STATE otherwise, INVALID_PRODUCER_EPOCH for an older epoch,
// INVALID_PRODUCER_ID_MAPPING for an unknown producer. v3+ member id, generation and group.instance.id are checked
// against the group like OffsetCommit's (KIP-447), so a consumer that lost its partitions cannot commit for them.
// Partitions of unknown topics get UNKNOWN_TOPIC_OR_PARTITION; metadata over offset.metadata.max.bytes
// OFFSET_METADATA_TOO_LARGE. v4 only allows TRANSACTION_ABORTABLE, never answered here. v5 comes from a
// transactions-v2 client (KIP-890 part 2), which does not send AddOffsetsToTxn: the group's partition is added to
// its transaction here.
// Not implemented: authorization (TRANSACTIONAL_ID WRITE, GROUP READ, TOPIC READ).

import { TxnOffsetCommit } from '@samsa/protocol'
import { GROUP_METADATA_TOPIC } from '../coordinator/group/index.ts'
import { defineHandler } from '../server/handler.ts'
import { commitPartitions } from './offset-commit-partitions.ts'

export const txnOffsetCommitHandler = defineHandler(
  TxnOffsetCommit,
  { minVersion: 0, maxVersion: 5 },
  {
    async handle(req, ctx) {
      const { groups, transactions, metadata } = ctx.broker
      await groups.prepare()
      const offsetsPartition = groups.partitionFor(req.groupId)
      const verified =
        ctx.apiVersion >= 5
          ? transactions.addPartitionImplicitly(
              req.producerId,
              req.producerEpoch,
              GROUP_METADATA_TOPIC,
              offsetsPartition,
            )
          : transactions.verify(req.producerId, req.producerEpoch, GROUP_METADATA_TOPIC, offsetsPartition)
      const codes = await commitPartitions(
        req.topics,
        metadata,
        (offsets) =>
          offsets.length === 0
            ? Promise.resolve([])
            : groups.commitTransactionalOffsets({
                groupId: req.groupId,
                generationIdOrMemberEpoch: req.generationId,
                memberId: req.memberId,
                groupInstanceId: req.groupInstanceId,
                offsets,
                producerId: req.producerId,
                producerEpoch: req.producerEpoch,
              }),
        verified,
      )
      return {
        throttleTimeMs: 0,
        topics: req.topics.map((t, ti) => ({
          name: t.name,
          partitions: t.partitions.map((p, pi) => ({
            partitionIndex: p.partitionIndex,
            errorCode: codes[ti]?.[pi] ?? 0,
          })),
        })),
      }
    },
    errorResponse: (req, errorCode) => ({
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })),
      })),
    }),
  },
)
