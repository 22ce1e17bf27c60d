// DescribeGroups (15): an admin client reads the state, protocol and members (with their metadata and
// assignments) of classic groups. v1 adds throttleTimeMs; v2 throttles after answering (KIP-219); v3 can ask for
// the caller's authorizedOperations on each group (KIP-430); v4 reports each member's groupInstanceId (KIP-345);
// v5 is the first flexible version (KIP-482); v6 answers GROUP_ID_NOT_FOUND for unknown groups and adds a
// per-group errorMessage (KIP-1043).

import { api, f, type RequestOf, type ResponseOf } from '../schema.ts'

export const DescribeGroups = api({
  key: 15,
  name: 'DescribeGroups',
  validVersions: '0-6',
  flexibleVersions: '5+',
  request: {
    groups: f.array('0+', 'string', { entity: 'groupId' }),
    includeAuthorizedOperations: f.bool('3+'),
  },
  response: {
    throttleTimeMs: f.int32('1+', { ignorable: true }),
    groups: f.array('0+', {
      errorCode: f.int16('0+'),
      errorMessage: f.string('6+', { nullableVersions: '6+', default: null }),
      groupId: f.string('0+', { entity: 'groupId' }),
      groupState: f.string('0+'),
      protocolType: f.string('0+'),
      protocolData: f.string('0+'),
      members: f.array('0+', {
        memberId: f.string('0+'),
        groupInstanceId: f.string('4+', { nullableVersions: '4+', default: null, ignorable: true }),
        clientId: f.string('0+'),
        clientHost: f.string('0+'),
        memberMetadata: f.bytes('0+'),
        memberAssignment: f.bytes('0+'),
      }),
      // INT32_MIN means "not requested", distinct from an empty set of operations.
      authorizedOperations: f.int32('3+', { default: -2147483648 }),
    }),
  },
})

export type DescribeGroupsRequest = RequestOf<typeof DescribeGroups>
export type DescribeGroupsResponse = ResponseOf<typeof DescribeGroups>
