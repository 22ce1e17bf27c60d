// JoinGroup (11): the first step of a classic-group rebalance; each member offers the protocols it supports and
// the coordinator answers with a generation, the chosen protocol and, to the elected leader only, every member's
// metadata. v1 adds rebalanceTimeoutMs (KIP-62); v2 adds throttleTimeMs; v3 throttles after answering (KIP-219);
// v4 makes a new member rejoin with the memberId the coordinator hands back in MEMBER_ID_REQUIRED (KIP-394); v5
// adds groupInstanceId for static membership (KIP-345); v6 is the first flexible version (KIP-482); v7 returns the
// protocolType and lets protocolName be null (KIP-559); v8 adds the member's reason for joining (KIP-800); v9 adds
// skipAssignment, telling a static leader that rejoins not to reassign (KIP-814).

import { api, f, type RequestOf, type ResponseOf } from '../schema.ts'

export const JoinGroup = api({
  key: 11,
  name: 'JoinGroup',
  validVersions: '0-9',
  flexibleVersions: '6+',
  request: {
    groupId: f.string('0+', { entity: 'groupId' }),
    sessionTimeoutMs: f.int32('0+'),
    // Kafka's placeholder: a broker treats a missing rebalance timeout as equal to the session timeout.
    rebalanceTimeoutMs: f.int32('1+', { default: -1, ignorable: true }),
    memberId: f.string('0+'),
    groupInstanceId: f.string('5+', { nullableVersions: '5+', default: null }),
    protocolType: f.string('0+'),
    protocols: f.array('0+', {
      name: f.string('0+', { mapKey: true }),
      metadata: f.bytes('0+'),
    }),
    reason: f.string('8+', { nullableVersions: '8+', default: null, ignorable: true }),
  },
  response: {
    throttleTimeMs: f.int32('2+', { ignorable: true }),
    errorCode: f.int16('0+'),
    generationId: f.int32('0+', { default: -1 }),
    protocolType: f.string('7+', { nullableVersions: '7+', default: null, ignorable: true }),
    protocolName: f.string('0+', { nullableVersions: '7+' }),
    leader: f.string('0+'),
    skipAssignment: f.bool('9+'),
    memberId: f.string('0+'),
    members: f.array('0+', {
      memberId: f.string('0+'),
      groupInstanceId: f.string('5+', { nullableVersions: '5+', default: null, ignorable: true }),
      metadata: f.bytes('0+'),
    }),
  },
})

export type JoinGroupRequest = RequestOf<typeof JoinGroup>
export type JoinGroupResponse = ResponseOf<typeof JoinGroup>
