// DescribeTopicPartitions (75): v0.
// Behaviour: like Metadata's topic part, paginated: topics sorted by name (an empty list means all topics),
// starting at the cursor's topic and partition, at most responsePartitionLimit partitions per response, with
// nextCursor pointing at the first partition left out. Unknown topics get UNKNOWN_TOPIC_OR_PARTITION.
// eligibleLeaderReplicas and lastKnownElr (KIP-966) are null: there is no ELR without replication.
// Not implemented: authorization (topics the caller may not describe are not filtered).

import { DescribeTopicPartitions, ErrorCode, type DescribeTopicPartitionsResponse } from '@samsa/protocol'
import { defineHandler } from '../server/handler.ts'
import { TOPIC_OPERATIONS } from './authorized-operations.ts'

type TopicEntry = DescribeTopicPartitionsResponse['topics'][number]

const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA'

export const describeTopicPartitionsHandler = defineHandler(
  DescribeTopicPartitions,
  { minVersion: 0, maxVersion: 0 },
  {
    handle(req, ctx) {
      const { metadata } = ctx.broker
      const names = (
        req.topics.length === 0 ? [...metadata.topics()].map((t) => t.name) : req.topics.map((t) => t.name)
      )
        .filter((n, i, all) => all.indexOf(n) === i)
        .sort()
      const cursor = req.cursor
      let budget = Math.max(1, req.responsePartitionLimit)
      const topics: TopicEntry[] = []
      let nextCursor: { topicName: string; partitionIndex: number } | null = null
      for (const name of names) {
        if (cursor !== null && name < cursor.topicName) continue
        const topic = metadata.topic(name)
        if (topic === undefined) {
          topics.push({
            errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
            name,
            topicId: ZERO_UUID,
            isInternal: false,
            partitions: [],
            topicAuthorizedOperations: TOPIC_OPERATIONS,
          })
          continue
        }
        const first = cursor !== null && name === cursor.topicName ? cursor.partitionIndex : 0
        const partitions = topic.partitions.filter((p) => p.partitionIndex >= first)
        if (budget === 0) {
          nextCursor = { topicName: name, partitionIndex: first }
          break
        }
        const taken = partitions.slice(0, budget)
        budget -= taken.length
        topics.push({
          errorCode: ErrorCode.NONE,
          name,
          topicId: topic.topicId,
          isInternal: topic.isInternal,
          partitions: taken.map((p) => ({
            errorCode: ErrorCode.NONE,
            partitionIndex: p.partitionIndex,
            leaderId: p.leaderId,
            leaderEpoch: p.leaderEpoch,
            replicaNodes: [...p.replicas],
            isrNodes: [...p.isr],
            eligibleLeaderReplicas: null,
            lastKnownElr: null,
            offlineReplicas: [],
          })),
          topicAuthorizedOperations: TOPIC_OPERATIONS,
        })
        if (taken.length < partitions.length) {
          nextCursor = {
            topicName: name,
            partitionIndex: (partitions[taken.length] as { partitionIndex: number }).partitionIndex,
          }
          break
        }
      }
      return { throttleTimeMs: 0, topics, nextCursor }
    },
    errorResponse: (req, errorCode) => ({
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({
        errorCode,
        name: t.name,
        topicId: ZERO_UUID,
        isInternal: false,
        partitions: [],
        topicAuthorizedOperations: TOPIC_OPERATIONS,
      })),
      nextCursor: null,
    }),
  },
)
