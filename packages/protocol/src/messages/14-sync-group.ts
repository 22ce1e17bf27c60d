// SyncGroup (14): the second step of a classic-group rebalance; the leader sends the assignment it computed,
// every member receives its own share. v1 adds throttleTimeMs; v2 throttles after answering (KIP-219); v3 adds
// groupInstanceId (KIP-345 static membership); v4 is the first flexible version (KIP-482); v5 carries
// protocolType and protocolName both ways so the coordinator can reject a mismatch (KIP-559).

import { api, f, type RequestOf, type ResponseOf } from '../schema.ts'

export const SyncGroup = api({
  key: 14,
  name: 'SyncGroup',
  validVersions: '0-5',
  flexibleVersions: '4+',
  request: {
    groupId: f.string('0+', { entity: 'groupId' }),
    generationId: f.int32('0+'),
    memberId: f.string('0+'),
    groupInstanceId: f.string('3+', { nullableVersions: '3+', default: null }),
    protocolType: f.string('5+', { nullableVersions: '5+', default: null, ignorable: true }),
    protocolName: f.string('5+', { nullableVersions: '5+', default: null, ignorable: true }),
    assignments: f.array('0+', {
      memberId: f.string('0+'),
      assignment: f.bytes('0+'),
    }),
  },
  response: {
    throttleTimeMs: f.int32('1+', { ignorable: true }),
    errorCode: f.int16('0+'),
    protocolType: f.string('5+', { nullableVersions: '5+', default: null, ignorable: true }),
    protocolName: f.string('5+', { nullableVersions: '5+', default: null, ignorable: true }),
    assignment: f.bytes('0+'),
  },
})

export type SyncGroupRequest = RequestOf<typeof SyncGroup>
export type SyncGroupResponse = ResponseOf<typeof SyncGroup>
