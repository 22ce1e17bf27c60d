// ConsumerGroupHeartbeat (68): the single RPC of the KIP-848 consumer rebalance protocol. A member joins
// (epoch 0), stays alive, reports what it owns and leaves (epoch -1, or -2 for a static member that will come
// back) through repeated heartbeats; the coordinator computes assignments server side and hands each member
// its target partitions in the response. Request fields that are null (or -1) mean "unchanged since the last
// heartbeat", so steady-state heartbeats stay small.
// v0 shipped with Kafka 3.7 (KIP-848 early access). v1 (stable in Kafka 4.0) adds subscribedTopicRegex for
// broker-side regex subscriptions, and requires the client to generate its own member id (KIP-1082) instead of
// waiting for the coordinator to assign one. Both versions are flexible.
// The reference snapshot marks v1 unstable; released Kafka 4.0/4.1 define v1 with the same fields, and it is
// the version librdkafka sends.

import { api, f, type RequestOf, type ResponseOf } from '../schema.ts'

// A topic (by id) and some of its partitions: what a member owns (request) or is given (response).
const topicPartitionsFields = {
  topicId: f.uuid('0+'),
  partitions: f.array('0+', 'int32'),
}

export const ConsumerGroupHeartbeat = api({
  key: 68,
  name: 'ConsumerGroupHeartbeat',
  validVersions: '0-1',
  flexibleVersions: '0+',
  request: {
    groupId: f.string('0+', { entity: 'groupId' }),
    memberId: f.string('0+'),
    memberEpoch: f.int32('0+'),
    instanceId: f.string('0+', { nullableVersions: '0+', default: null }),
    rackId: f.string('0+', { nullableVersions: '0+', default: null }),
    rebalanceTimeoutMs: f.int32('0+', { default: -1 }),
    subscribedTopicNames: f.array('0+', 'string', { nullableVersions: '0+', default: null, entity: 'topicName' }),
    subscribedTopicRegex: f.string('1+', { nullableVersions: '1+', default: null }),
    serverAssignor: f.string('0+', { nullableVersions: '0+', default: null }),
    topicPartitions: f.array('0+', topicPartitionsFields, { nullableVersions: '0+', default: null }),
  },
  response: {
    throttleTimeMs: f.int32('0+'),
    errorCode: f.int16('0+'),
    errorMessage: f.string('0+', { nullableVersions: '0+', default: null }),
    // In v0 the coordinator may hand out the id here on join; from v1 the client picks it (KIP-1082).
    memberId: f.string('0+', { nullableVersions: '0+', default: null }),
    memberEpoch: f.int32('0+'),
    heartbeatIntervalMs: f.int32('0+'),
    // Null when the assignment did not change; partitions listed here may be used right away.
    assignment: f.struct(
      '0+',
      { topicPartitions: f.array('0+', topicPartitionsFields) },
      { nullableVersions: '0+', default: null },
    ),
  },
})

export type ConsumerGroupHeartbeatRequest = RequestOf<typeof ConsumerGroupHeartbeat>
export type ConsumerGroupHeartbeatResponse = ResponseOf<typeof ConsumerGroupHeartbeat>
