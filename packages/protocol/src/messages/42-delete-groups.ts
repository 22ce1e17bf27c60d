// DeleteGroups (42): an admin client removes empty groups together with their committed offsets (KIP-229),
// getting one result per group. v1 throttles after answering (KIP-219); v2 is the first flexible version
// (KIP-482).

import { api, f, type RequestOf, type ResponseOf } from '../schema.ts'

export const DeleteGroups = api({
  key: 42,
  name: 'DeleteGroups',
  validVersions: '0-2',
  flexibleVersions: '2+',
  request: {
    groupsNames: f.array('0+', 'string', { entity: 'groupId' }),
  },
  response: {
    throttleTimeMs: f.int32('0+'),
    results: f.array('0+', {
      groupId: f.string('0+', { entity: 'groupId', mapKey: true }),
      errorCode: f.int16('0+'),
    }),
  },
})

export type DeleteGroupsRequest = RequestOf<typeof DeleteGroups>
export type DeleteGroupsResponse = ResponseOf<typeof DeleteGroups>
