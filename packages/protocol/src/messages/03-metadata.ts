// Metadata (3): clients learn the brokers, the controller, and every requested topic's partitions with their
// leaders and replicas. In v0 an empty topic list means "all topics"; from v1 that is a null list and an empty list
// means none. v1 adds broker racks (KIP-36), controllerId and isInternal; v2 adds clusterId (KIP-78); v3 adds
// throttleTimeMs; v4 lets the client turn off topic auto-creation; v5 lists offline replicas (KIP-112); v6 matches
// v5 (brokers answer before throttling, KIP-219); v7 returns partition leader epochs (KIP-320); v8 can return
// authorized operations (KIP-430); v9 is the first flexible version (KIP-482); v10 adds topic ids (KIP-516), though
// brokers only honour lookups by id from v12; v11 drops cluster authorized operations, now served by
// DescribeCluster (KIP-700); v13 adds a top-level errorCode.

import { api, f, type RequestOf, type ResponseOf } from '../schema.ts'

export const Metadata = api({
  key: 3,
  name: 'Metadata',
  validVersions: '0-13',
  flexibleVersions: '9+',
  request: {
    topics: f.array(
      '0+',
      {
        topicId: f.uuid('10+', { ignorable: true }),
        name: f.string('0+', { entity: 'topicName', nullableVersions: '10+' }),
      },
      { nullableVersions: '1+' },
    ),
    allowAutoTopicCreation: f.bool('4+', { default: true }),
    includeClusterAuthorizedOperations: f.bool('8-10'),
    includeTopicAuthorizedOperations: f.bool('8+'),
  },
  response: {
    throttleTimeMs: f.int32('3+', { ignorable: true }),
    brokers: f.array('0+', {
      nodeId: f.int32('0+', { mapKey: true, entity: 'brokerId' }),
      host: f.string('0+'),
      port: f.int32('0+'),
      rack: f.string('1+', { nullableVersions: '1+', ignorable: true, default: null }),
    }),
    clusterId: f.string('2+', { nullableVersions: '2+', ignorable: true, default: null }),
    controllerId: f.int32('1+', { default: -1, ignorable: true, entity: 'brokerId' }),
    topics: f.array('0+', {
      errorCode: f.int16('0+'),
      name: f.string('0+', { mapKey: true, entity: 'topicName', nullableVersions: '12+' }),
      topicId: f.uuid('10+', { ignorable: true }),
      isInternal: f.bool('1+', { default: false, ignorable: true }),
      partitions: f.array('0+', {
        errorCode: f.int16('0+'),
        partitionIndex: f.int32('0+'),
        leaderId: f.int32('0+', { entity: 'brokerId' }),
        leaderEpoch: f.int32('7+', { default: -1, ignorable: true }),
        replicaNodes: f.array('0+', 'int32', { entity: 'brokerId' }),
        isrNodes: f.array('0+', 'int32', { entity: 'brokerId' }),
        offlineReplicas: f.array('5+', 'int32', { ignorable: true, entity: 'brokerId' }),
      }),
      // -2147483648 (INT32_MIN) means "not requested".
      topicAuthorizedOperations: f.int32('8+', { default: -2147483648 }),
    }),
    clusterAuthorizedOperations: f.int32('8-10', { default: -2147483648 }),
    errorCode: f.int16('13+', { ignorable: true }),
  },
})

export type MetadataRequest = RequestOf<typeof Metadata>
export type MetadataResponse = ResponseOf<typeof Metadata>
