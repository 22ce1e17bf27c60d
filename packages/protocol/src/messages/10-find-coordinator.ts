// FindCoordinator (10): a client asks any broker which broker coordinates a given key: a consumer group, a
// transactional id or (v6) a share-group partition. v1 adds keyType to tell those kinds apart (KIP-98) and the
// response's throttleTimeMs and errorMessage; v2 throttles after answering (KIP-219); v3 is the first flexible
// version (KIP-482); v4 batches: the single key becomes coordinatorKeys and the answer a `coordinators` list
// (KIP-699); v5 may answer TRANSACTION_ABORTABLE (KIP-890); v6 accepts share-group keys (KIP-932).

import { api, f, type RequestOf, type ResponseOf } from '../schema.ts'

export const FindCoordinator = api({
  key: 10,
  name: 'FindCoordinator',
  validVersions: '0-6',
  flexibleVersions: '3+',
  request: {
    key: f.string('0-3'),
    keyType: f.int8('1+'),
    coordinatorKeys: f.array('4+', 'string'),
  },
  response: {
    throttleTimeMs: f.int32('1+', { ignorable: true }),
    errorCode: f.int16('0-3'),
    errorMessage: f.string('1-3', { nullableVersions: '1-3', ignorable: true }),
    nodeId: f.int32('0-3', { entity: 'brokerId' }),
    host: f.string('0-3'),
    port: f.int32('0-3'),
    coordinators: f.array('4+', {
      key: f.string('4+'),
      nodeId: f.int32('4+', { entity: 'brokerId' }),
      host: f.string('4+'),
      port: f.int32('4+'),
      errorCode: f.int16('4+'),
      errorMessage: f.string('4+', { nullableVersions: '4+', ignorable: true }),
    }),
  },
})

export type FindCoordinatorRequest = RequestOf<typeof FindCoordinator>
export type FindCoordinatorResponse = ResponseOf<typeof FindCoordinator>
