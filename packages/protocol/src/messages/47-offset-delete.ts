// OffsetDelete (47): an admin client deletes a group's committed offsets for chosen partitions, allowed only for
// topics the group is not subscribed to (KIP-496). It has a single version and, unusually for an API this
// recent, was never given a flexible version, so it uses the classic encoding throughout.

import { api, f, type RequestOf, type ResponseOf } from '../schema.ts'

export const OffsetDelete = api({
  key: 47,
  name: 'OffsetDelete',
  validVersions: '0',
  flexibleVersions: 'none',
  request: {
    groupId: f.string('0+', { entity: 'groupId' }),
    topics: f.array('0+', {
      name: f.string('0+', { entity: 'topicName', mapKey: true }),
      partitions: f.array('0+', {
        partitionIndex: f.int32('0+'),
      }),
    }),
  },
  response: {
    errorCode: f.int16('0+'),
    throttleTimeMs: f.int32('0+', { ignorable: true }),
    topics: f.array('0+', {
      name: f.string('0+', { entity: 'topicName', mapKey: true }),
      partitions: f.array('0+', {
        partitionIndex: f.int32('0+', { mapKey: true }),
        errorCode: f.int16('0+'),
      }),
    }),
  },
})

export type OffsetDeleteRequest = RequestOf<typeof OffsetDelete>
export type OffsetDeleteResponse = ResponseOf<typeof OffsetDelete>
