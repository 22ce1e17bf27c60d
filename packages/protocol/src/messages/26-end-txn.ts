// EndTxn (26): a transactional producer asks its transaction coordinator to commit (committed = true) or abort
// the open transaction; the coordinator then writes the markers to every enlisted partition (KIP-98).
// v1 changes only throttling (KIP-219); v2 may answer PRODUCER_FENCED (KIP-588); v3 is the first flexible version
// (KIP-482); v4 may answer TRANSACTION_ABORTABLE (KIP-890). v5 (KIP-890 part 2) bumps the producer epoch at the
// end of every transaction, so the response returns the producer id and epoch the client must use next.

import { api, f, type RequestOf, type ResponseOf } from '../schema.ts'

export const EndTxn = api({
  key: 26,
  name: 'EndTxn',
  validVersions: '0-5',
  flexibleVersions: '3+',
  request: {
    transactionalId: f.string('0+', { entity: 'transactionalId' }),
    producerId: f.int64('0+', { entity: 'producerId' }),
    producerEpoch: f.int16('0+'),
    committed: f.bool('0+'),
  },
  response: {
    throttleTimeMs: f.int32('0+'),
    errorCode: f.int16('0+'),
    producerId: f.int64('5+', { default: -1n, ignorable: true, entity: 'producerId' }),
    producerEpoch: f.int16('5+', { default: -1, ignorable: true }),
  },
})

export type EndTxnRequest = RequestOf<typeof EndTxn>
export type EndTxnResponse = ResponseOf<typeof EndTxn>
