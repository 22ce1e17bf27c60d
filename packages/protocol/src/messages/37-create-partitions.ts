// CreatePartitions (37): an admin raises the partition count of existing topics, optionally placing the new
// partitions' replicas itself (KIP-195). v1 only changes throttling (the broker answers before throttling,
// KIP-219); v2 is the first flexible version (KIP-482); v3 may answer THROTTLING_QUOTA_EXCEEDED (KIP-599).

import { api, f, type RequestOf, type ResponseOf } from '../schema.ts'

export const CreatePartitions = api({
  key: 37,
  name: 'CreatePartitions',
  validVersions: '0-3',
  flexibleVersions: '2+',
  request: {
    topics: f.array('0+', {
      name: f.string('0+', { mapKey: true, entity: 'topicName' }),
      // The new total, not the number to add.
      count: f.int32('0+'),
      // One entry per new partition; null lets the controller place the replicas.
      assignments: f.array(
        '0+',
        {
          brokerIds: f.array('0+', 'int32', { entity: 'brokerId' }),
        },
        { nullableVersions: '0+' },
      ),
    }),
    timeoutMs: f.int32('0+'),
    validateOnly: f.bool('0+'),
  },
  response: {
    throttleTimeMs: f.int32('0+'),
    results: f.array('0+', {
      name: f.string('0+', { entity: 'topicName' }),
      errorCode: f.int16('0+'),
      errorMessage: f.string('0+', { nullableVersions: '0+', default: null }),
    }),
  },
})

export type CreatePartitionsRequest = RequestOf<typeof CreatePartitions>
export type CreatePartitionsResponse = ResponseOf<typeof CreatePartitions>
