// AddOffsetsToTxn (25): a transactional producer tells its transaction coordinator that the transaction will
// commit consumer offsets for a group, so the group's __consumer_offsets partition is enlisted and receives the
// commit or abort marker (KIP-98); the offsets themselves follow in TxnOffsetCommit to the group coordinator.
// v1 changes only throttling (KIP-219); v2 may answer PRODUCER_FENCED (KIP-588); v3 is the first flexible version
// (KIP-482); v4 may answer TRANSACTION_ABORTABLE (KIP-890). With transactions v2 (KIP-890 part 2) clients skip
// this call and send TxnOffsetCommit v5 directly.

import { api, f, type RequestOf, type ResponseOf } from '../schema.ts'

export const AddOffsetsToTxn = api({
  key: 25,
  name: 'AddOffsetsToTxn',
  validVersions: '0-4',
  flexibleVersions: '3+',
  request: {
    transactionalId: f.string('0+', { entity: 'transactionalId' }),
    producerId: f.int64('0+', { entity: 'producerId' }),
    producerEpoch: f.int16('0+'),
    groupId: f.string('0+', { entity: 'groupId' }),
  },
  response: {
    throttleTimeMs: f.int32('0+'),
    errorCode: f.int16('0+'),
  },
})

export type AddOffsetsToTxnRequest = RequestOf<typeof AddOffsetsToTxn>
export type AddOffsetsToTxnResponse = ResponseOf<typeof AddOffsetsToTxn>
