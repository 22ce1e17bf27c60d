// DescribeTopicPartitions (75): a paginated alternative to Metadata for describing topics and their partitions,
// including the eligible leader replicas and last known ELR of KIP-966. The request caps how many partitions one
// response may carry; when the cap is hit, the response's nextCursor says where the next request should resume
// (passed back as cursor). Only v0 exists, flexible from the start.

import { api, f, type RequestOf, type ResponseOf } from '../schema.ts'

// Kafka's shared "Cursor" struct: the first topic and partition the (next) response covers.
const cursorFields = {
  topicName: f.string('0+', { entity: 'topicName' }),
  partitionIndex: f.int32('0+'),
}

export const DescribeTopicPartitions = api({
  key: 75,
  name: 'DescribeTopicPartitions',
  validVersions: '0',
  flexibleVersions: '0+',
  request: {
    topics: f.array('0+', {
      name: f.string('0+', { entity: 'topicName' }),
    }),
    responsePartitionLimit: f.int32('0+', { default: 2000 }),
    cursor: f.struct('0+', cursorFields, { nullableVersions: '0+', default: null }),
  },
  response: {
    throttleTimeMs: f.int32('0+', { ignorable: true }),
    topics: f.array('0+', {
      errorCode: f.int16('0+'),
      name: f.string('0+', { mapKey: true, entity: 'topicName', nullableVersions: '0+' }),
      topicId: f.uuid('0+', { ignorable: true }),
      isInternal: f.bool('0+', { default: false, ignorable: true }),
      partitions: f.array('0+', {
        errorCode: f.int16('0+'),
        partitionIndex: f.int32('0+'),
        leaderId: f.int32('0+', { entity: 'brokerId' }),
        leaderEpoch: f.int32('0+', { default: -1, ignorable: true }),
        replicaNodes: f.array('0+', 'int32', { entity: 'brokerId' }),
        isrNodes: f.array('0+', 'int32', { entity: 'brokerId' }),
        eligibleLeaderReplicas: f.array('0+', 'int32', { default: null, entity: 'brokerId', nullableVersions: '0+' }),
        lastKnownElr: f.array('0+', 'int32', { default: null, entity: 'brokerId', nullableVersions: '0+' }),
        offlineReplicas: f.array('0+', 'int32', { ignorable: true, entity: 'brokerId' }),
      }),
      // INT32_MIN means the operations were not requested.
      topicAuthorizedOperations: f.int32('0+', { default: -2147483648 }),
    }),
    nextCursor: f.struct('0+', cursorFields, { nullableVersions: '0+', default: null }),
  },
})

export type DescribeTopicPartitionsRequest = RequestOf<typeof DescribeTopicPartitions>
export type DescribeTopicPartitionsResponse = ResponseOf<typeof DescribeTopicPartitions>
