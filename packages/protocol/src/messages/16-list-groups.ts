// ListGroups (16): lists the groups a broker coordinates. v1 adds throttleTimeMs; v2 throttles after answering
// (KIP-219); v3 is the first flexible version (KIP-482); v4 filters by state and returns each group's state
// (KIP-518); v5 filters by type (classic, consumer, share...) and returns each group's type (KIP-848).

import { api, f, type RequestOf, type ResponseOf } from '../schema.ts'

export const ListGroups = api({
  key: 16,
  name: 'ListGroups',
  validVersions: '0-5',
  flexibleVersions: '3+',
  request: {
    statesFilter: f.array('4+', 'string'),
    typesFilter: f.array('5+', 'string'),
  },
  response: {
    throttleTimeMs: f.int32('1+', { ignorable: true }),
    errorCode: f.int16('0+'),
    groups: f.array('0+', {
      groupId: f.string('0+', { entity: 'groupId' }),
      protocolType: f.string('0+'),
      groupState: f.string('4+', { ignorable: true }),
      groupType: f.string('5+', { ignorable: true }),
    }),
  },
})

export type ListGroupsRequest = RequestOf<typeof ListGroups>
export type ListGroupsResponse = ResponseOf<typeof ListGroups>
