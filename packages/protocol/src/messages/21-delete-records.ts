// DeleteRecords (21): an admin moves a partition's log start offset forward, discarding everything before the
// given offset (KIP-107); the response reports each partition's new low watermark. v1 only changes throttling
// (the broker answers before throttling, KIP-219); v2 is the first flexible version (KIP-482).

import { api, f, type RequestOf, type ResponseOf } from '../schema.ts'

export const DeleteRecords = api({
  key: 21,
  name: 'DeleteRecords',
  validVersions: '0-2',
  flexibleVersions: '2+',
  request: {
    topics: f.array('0+', {
      name: f.string('0+', { entity: 'topicName' }),
      partitions: f.array('0+', {
        partitionIndex: f.int32('0+'),
        offset: f.int64('0+'),
      }),
    }),
    timeoutMs: f.int32('0+'),
  },
  response: {
    throttleTimeMs: f.int32('0+'),
    topics: f.array('0+', {
      name: f.string('0+', { mapKey: true, entity: 'topicName' }),
      partitions: f.array('0+', {
        partitionIndex: f.int32('0+', { mapKey: true }),
        lowWatermark: f.int64('0+'),
        errorCode: f.int16('0+'),
      }),
    }),
  },
})

export type DeleteRecordsRequest = RequestOf<typeof DeleteRecords>
export type DeleteRecordsResponse = ResponseOf<typeof DeleteRecords>
