// AlterPartitionReassignments (45): an admin starts, changes or cancels replica reassignments of partitions through
// the controller (KIP-455), replacing the old ZooKeeper-node based tool; a null replica list cancels an ongoing
// reassignment. Flexible from v0 (KIP-482). v1 lets the caller forbid reassignments that change a partition's
// replication factor, and the response echoes that choice (KIP-860).

import { api, f, type RequestOf, type ResponseOf } from '../schema.ts'

export const AlterPartitionReassignments = api({
  key: 45,
  name: 'AlterPartitionReassignments',
  validVersions: '0-1',
  flexibleVersions: '0+',
  request: {
    timeoutMs: f.int32('0+', { default: 60000 }),
    allowReplicationFactorChange: f.bool('1+', { default: true }),
    topics: f.array('0+', {
      name: f.string('0+', { entity: 'topicName' }),
      partitions: f.array('0+', {
        partitionIndex: f.int32('0+'),
        replicas: f.array('0+', 'int32', { nullableVersions: '0+', default: null, entity: 'brokerId' }),
      }),
    }),
  },
  response: {
    throttleTimeMs: f.int32('0+'),
    allowReplicationFactorChange: f.bool('1+', { default: true, ignorable: true }),
    errorCode: f.int16('0+'),
    errorMessage: f.string('0+', { nullableVersions: '0+' }),
    responses: f.array('0+', {
      name: f.string('0+', { entity: 'topicName' }),
      partitions: f.array('0+', {
        partitionIndex: f.int32('0+'),
        errorCode: f.int16('0+'),
        errorMessage: f.string('0+', { nullableVersions: '0+' }),
      }),
    }),
  },
})

export type AlterPartitionReassignmentsRequest = RequestOf<typeof AlterPartitionReassignments>
export type AlterPartitionReassignmentsResponse = ResponseOf<typeof AlterPartitionReassignments>
