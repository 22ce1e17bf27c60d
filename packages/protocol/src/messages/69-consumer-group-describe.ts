// ConsumerGroupDescribe (69): the KIP-848 counterpart of DescribeGroups for groups using the consumer rebalance
// protocol. For each group it reports the group and assignment epochs, the server-side assignor, and per
// member its subscription (names and regex) with both its current and its target assignment, by topic id and
// name. v1 (Kafka 4.0, KIP-1099) adds memberType to each member, so tools can tell members still on the
// classic protocol (0) from consumer-protocol members (1); -1 means unknown. The request is identical in v0
// and v1. Both versions are flexible.
// The reference snapshot predates v1; the v1 shape here follows released Kafka 4.0/4.1.

import { api, f, type RequestOf, type ResponseOf } from '../schema.ts'

// Kafka's shared "TopicPartitions" struct: a topic by id and name, with some of its partitions.
const topicPartitionsFields = {
  topicId: f.uuid('0+'),
  topicName: f.string('0+', { entity: 'topicName' }),
  partitions: f.array('0+', 'int32'),
}

// Kafka's shared "Assignment" struct, used for both the current and the target assignment of a member.
const assignmentFields = {
  topicPartitions: f.array('0+', topicPartitionsFields),
}

export const ConsumerGroupDescribe = api({
  key: 69,
  name: 'ConsumerGroupDescribe',
  validVersions: '0-1',
  flexibleVersions: '0+',
  request: {
    groupIds: f.array('0+', 'string', { entity: 'groupId' }),
    includeAuthorizedOperations: f.bool('0+'),
  },
  response: {
    throttleTimeMs: f.int32('0+'),
    groups: f.array('0+', {
      errorCode: f.int16('0+'),
      errorMessage: f.string('0+', { nullableVersions: '0+', default: null }),
      groupId: f.string('0+', { entity: 'groupId' }),
      groupState: f.string('0+'),
      groupEpoch: f.int32('0+'),
      assignmentEpoch: f.int32('0+'),
      assignorName: f.string('0+'),
      members: f.array('0+', {
        memberId: f.string('0+'),
        instanceId: f.string('0+', { nullableVersions: '0+', default: null }),
        rackId: f.string('0+', { nullableVersions: '0+', default: null }),
        memberEpoch: f.int32('0+'),
        clientId: f.string('0+'),
        clientHost: f.string('0+'),
        subscribedTopicNames: f.array('0+', 'string', { entity: 'topicName' }),
        subscribedTopicRegex: f.string('0+', { nullableVersions: '0+', default: null }),
        assignment: f.struct('0+', assignmentFields),
        targetAssignment: f.struct('0+', assignmentFields),
        // KIP-1099; ignorable so a v0 response simply omits it.
        memberType: f.int8('1+', { default: -1, ignorable: true }),
      }),
      // INT32_MIN means the operations were not requested.
      authorizedOperations: f.int32('0+', { default: -2147483648 }),
    }),
  },
})

export type ConsumerGroupDescribeRequest = RequestOf<typeof ConsumerGroupDescribe>
export type ConsumerGroupDescribeResponse = ResponseOf<typeof ConsumerGroupDescribe>
