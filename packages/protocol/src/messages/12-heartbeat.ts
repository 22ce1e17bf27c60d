// Heartbeat (12): a classic-group member tells its coordinator it is alive and learns whether a rebalance
// started. v1 adds throttleTimeMs; v3 adds groupInstanceId (KIP-345 static membership); v4 is the first
// flexible version (KIP-482).

import { api, f, type RequestOf, type ResponseOf } from '../schema.ts'

export const Heartbeat = api({
  key: 12,
  name: 'Heartbeat',
  validVersions: '0-4',
  flexibleVersions: '4+',
  request: {
    groupId: f.string('0+', { entity: 'groupId' }),
    generationId: f.int32('0+'),
    memberId: f.string('0+'),
    groupInstanceId: f.string('3+', { nullableVersions: '3+', default: null }),
  },
  response: {
    throttleTimeMs: f.int32('1+', { ignorable: true }),
    errorCode: f.int16('0+'),
  },
})

export type HeartbeatRequest = RequestOf<typeof Heartbeat>
export type HeartbeatResponse = ResponseOf<typeof Heartbeat>
