// LeaveGroup (13): members tell their classic group's coordinator they are leaving, so it can rebalance at once
// instead of waiting for their sessions to expire. v1 adds throttleTimeMs; v2 throttles after answering
// (KIP-219); v3 removes several members in one call, each named by memberId and/or groupInstanceId, with a result
// per member (KIP-345); v4 is the first flexible version (KIP-482); v5 adds a per-member reason (KIP-800).

import { api, f, type RequestOf, type ResponseOf } from '../schema.ts'

export const LeaveGroup = api({
  key: 13,
  name: 'LeaveGroup',
  validVersions: '0-5',
  flexibleVersions: '4+',
  request: {
    groupId: f.string('0+', { entity: 'groupId' }),
    memberId: f.string('0-2'),
    members: f.array('3+', {
      memberId: f.string('3+'),
      groupInstanceId: f.string('3+', { nullableVersions: '3+', default: null }),
      reason: f.string('5+', { nullableVersions: '5+', default: null, ignorable: true }),
    }),
  },
  response: {
    throttleTimeMs: f.int32('1+', { ignorable: true }),
    errorCode: f.int16('0+'),
    members: f.array('3+', {
      memberId: f.string('3+'),
      groupInstanceId: f.string('3+', { nullableVersions: '3+' }),
      errorCode: f.int16('3+'),
    }),
  },
})

export type LeaveGroupRequest = RequestOf<typeof LeaveGroup>
export type LeaveGroupResponse = ResponseOf<typeof LeaveGroup>
