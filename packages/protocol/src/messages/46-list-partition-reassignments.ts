// ListPartitionReassignments (46): an admin lists the replica reassignments in progress, for all partitions (null
// topic list) or for the ones named, with the replicas being added and removed (KIP-455). Only v0 exists; it is
// flexible (KIP-482).

import { api, f, type RequestOf, type ResponseOf } from '../schema.ts'

export const ListPartitionReassignments = api({
  key: 46,
  name: 'ListPartitionReassignments',
  validVersions: '0',
  flexibleVersions: '0+',
  request: {
    timeoutMs: f.int32('0+', { default: 60000 }),
    topics: f.array(
      '0+',
      {
        name: f.string('0+', { entity: 'topicName' }),
        partitionIndexes: f.array('0+', 'int32'),
      },
      { nullableVersions: '0+', default: null },
    ),
  },
  response: {
    throttleTimeMs: f.int32('0+'),
    errorCode: f.int16('0+'),
    errorMessage: f.string('0+', { nullableVersions: '0+' }),
    topics: f.array('0+', {
      name: f.string('0+', { entity: 'topicName' }),
      partitions: f.array('0+', {
        partitionIndex: f.int32('0+'),
        replicas: f.array('0+', 'int32', { entity: 'brokerId' }),
        addingReplicas: f.array('0+', 'int32', { entity: 'brokerId' }),
        removingReplicas: f.array('0+', 'int32', { entity: 'brokerId' }),
      }),
    }),
  },
})

export type ListPartitionReassignmentsRequest = RequestOf<typeof ListPartitionReassignments>
export type ListPartitionReassignmentsResponse = ResponseOf<typeof ListPartitionReassignments>
