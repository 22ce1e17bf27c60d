// Metadata (3): v0-13.
// Behaviour: brokers on the listener the request came in on, cluster id (v2+), controller id = the active
// controller (this broker in combined mode), topic ids (v10+), leader epochs (v7+), replicas/ISR/offline replicas,
// isInternal for __consumer_offsets and __transaction_state. A null topic list (v1+), or an empty one in v0, means
// every topic; an empty list from v1 means none. v12+ may name topics by id (UNKNOWN_TOPIC_ID when unknown).
// Missing topics are auto-created when auto.create.topics.enable and allowAutoTopicCreation (v4+; always before)
// are both true, answering LEADER_NOT_AVAILABLE while that happens; illegal names get INVALID_TOPIC_EXCEPTION,
// others UNKNOWN_TOPIC_OR_PARTITION. Authorized operations (v8+) are everything (no authorizer yet).
// Not implemented: authorization.

import { ErrorCode, Metadata, type MetadataResponse } from '@samsa/protocol'
import { topicNameProblem, type TopicMetadata } from '../metadata/index.ts'
import { defineHandler } from '../server/handler.ts'
import type { RequestContext } from '../server/request-context.ts'
import { AUTHORIZED_OPERATIONS_OMITTED, CLUSTER_OPERATIONS, TOPIC_OPERATIONS } from './authorized-operations.ts'

type TopicEntry = MetadataResponse['topics'][number]

const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA'

export const metadataHandler = defineHandler(
  Metadata,
  { minVersion: 0, maxVersion: 13 },
  {
    async handle(req, ctx) {
      const { metadata } = ctx.broker
      const version = ctx.apiVersion
      const includeOps = version >= 8 && req.includeTopicAuthorizedOperations
      // A partition led here whose log is not open yet (creation still committing) is LEADER_NOT_AVAILABLE.
      const isReady = (t: TopicMetadata, leaderId: number, partition: number) =>
        leaderId !== ctx.broker.nodeId || ctx.broker.partitions.getPartition(t.name, partition) !== undefined
      const describe = (t: TopicMetadata) => describeTopic(t, includeOps, isReady)
      let topics: TopicEntry[]
      if (req.topics === null || (version === 0 && req.topics.length === 0)) {
        topics = [...metadata.topics()].sort((a, b) => a.name.localeCompare(b.name)).map(describe)
      } else {
        const autoCreate =
          (version < 4 || req.allowAutoTopicCreation) &&
          ctx.broker.configResolver.brokerValue('auto.create.topics.enable') === true
        topics = []
        for (const requested of req.topics) {
          if (requested.name === null || (version >= 12 && requested.topicId !== ZERO_UUID && requested.name === '')) {
            const byId = metadata.topicById(requested.topicId)
            topics.push(byId ? describe(byId) : missing(null, ErrorCode.UNKNOWN_TOPIC_ID, requested.topicId))
            continue
          }
          const existing = metadata.topic(requested.name)
          if (existing !== undefined) {
            topics.push(describe(existing))
          } else if (autoCreate) {
            topics.push(missing(requested.name, await ctx.broker.topics.autoCreateTopic(requested.name)))
          } else {
            const code =
              topicNameProblem(requested.name) === null
                ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION
                : ErrorCode.INVALID_TOPIC_EXCEPTION
            topics.push(missing(requested.name, code))
          }
        }
      }
      return {
        ...Metadata.response.make(),
        brokers: brokers(ctx),
        clusterId: ctx.broker.clusterId,
        controllerId: metadata.controllerId(),
        topics,
        clusterAuthorizedOperations:
          version >= 8 && req.includeClusterAuthorizedOperations ? CLUSTER_OPERATIONS : AUTHORIZED_OPERATIONS_OMITTED,
      }
    },
    errorResponse: (_req, errorCode, ctx) => ({
      ...Metadata.response.make(),
      brokers: brokers(ctx),
      clusterId: ctx.broker.clusterId,
      controllerId: ctx.broker.metadata.controllerId(),
      errorCode,
    }),
  },
)

function brokers(ctx: RequestContext): MetadataResponse['brokers'] {
  return ctx.broker.metadata.brokers().flatMap((b) => {
    const endpoint = ctx.broker.endpointOf(b.nodeId, ctx.connection.listenerName)
    return endpoint === undefined ? [] : [{ nodeId: b.nodeId, host: endpoint.host, port: endpoint.port, rack: b.rack }]
  })
}

function describeTopic(
  topic: TopicMetadata,
  includeOps: boolean,
  isReady: (topic: TopicMetadata, leaderId: number, partition: number) => boolean,
): TopicEntry {
  return {
    errorCode: ErrorCode.NONE,
    name: topic.name,
    topicId: topic.topicId,
    isInternal: topic.isInternal,
    partitions: topic.partitions.map((p) => ({
      ...(isReady(topic, p.leaderId, p.partitionIndex)
        ? { errorCode: ErrorCode.NONE, leaderId: p.leaderId }
        : { errorCode: ErrorCode.LEADER_NOT_AVAILABLE, leaderId: -1 }),
      partitionIndex: p.partitionIndex,
      leaderEpoch: p.leaderEpoch,
      replicaNodes: [...p.replicas],
      isrNodes: [...p.isr],
      offlineReplicas: [],
    })),
    topicAuthorizedOperations: includeOps ? TOPIC_OPERATIONS : AUTHORIZED_OPERATIONS_OMITTED,
  }
}

function missing(name: string | null, errorCode: number, topicId = ZERO_UUID): TopicEntry {
  return {
    errorCode,
    name,
    topicId,
    isInternal: false,
    partitions: [],
    topicAuthorizedOperations: AUTHORIZED_OPERATIONS_OMITTED,
  }
}
