// CreateTopics (19): v2-7.
// Behaviour: per topic, validates the name (INVALID_TOPIC_EXCEPTION, collisions of '.' and '_'), existence
// (TOPIC_ALREADY_EXISTS), partitions and replication factor (-1 = broker defaults, KIP-464; INVALID_PARTITIONS,
// INVALID_REPLICATION_FACTOR against the registered brokers), explicit assignments (INVALID_REPLICA_ASSIGNMENT,
// INVALID_REQUEST when combined with counts) and configs (INVALID_CONFIG naming the key); duplicate names in one
// request get INVALID_REQUEST. validateOnly (v1+) stops before committing. v5+ returns the resulting partition
// count, replication factor and every topic config with its source (KIP-525); v7 returns the new topic id.
// Creation is synchronous in-process, so timeoutMs never expires.
// Not implemented: CreateTopicPolicy, quotas (THROTTLING_QUOTA_EXCEEDED), authorization.

import { CreateTopics, ErrorCode, type CreateTopicsResponse } from '@samsa/protocol'
import { defineHandler } from '../server/handler.ts'
import type { RequestContext } from '../server/request-context.ts'

type TopicResponse = CreateTopicsResponse['topics'][number]

const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA'

export const createTopicsHandler = defineHandler(
  CreateTopics,
  { minVersion: 2, maxVersion: 7 },
  {
    async handle(req, ctx) {
      const results = await ctx.broker.topics.createTopics(req.topics, req.validateOnly)
      return {
        throttleTimeMs: 0,
        topics: results.map((r): TopicResponse => {
          if (r.topic === null) return failed(r.name, r.errorCode, r.errorMessage)
          const topic = r.topic
          return {
            name: r.name,
            topicId: topic.topicId,
            errorCode: ErrorCode.NONE,
            errorMessage: null,
            topicConfigErrorCode: ErrorCode.NONE,
            numPartitions: topic.partitions.length,
            replicationFactor: topic.partitions[0]?.replicas.length ?? -1,
            configs: describeConfigs(ctx, topic.configs),
          }
        }),
      }
    },
    errorResponse: (req, errorCode) => ({
      throttleTimeMs: 0,
      topics: req.topics.map((t) => failed(t.name, errorCode, null)),
    }),
  },
)

function failed(name: string, errorCode: number, errorMessage: string | null): TopicResponse {
  return {
    name,
    topicId: ZERO_UUID,
    errorCode,
    errorMessage,
    topicConfigErrorCode: ErrorCode.NONE,
    numPartitions: -1,
    replicationFactor: -1,
    configs: [],
  }
}

function describeConfigs(ctx: RequestContext, overrides: ReadonlyMap<string, string>): TopicResponse['configs'] {
  const resolver = ctx.broker.configResolver
  return resolver.topicConfigNames().flatMap((name) => {
    const d = resolver.describeTopic(overrides, name)
    return d === null
      ? []
      : [{ name: d.name, value: d.value, readOnly: d.readOnly, configSource: d.source, isSensitive: d.isSensitive }]
  })
}
