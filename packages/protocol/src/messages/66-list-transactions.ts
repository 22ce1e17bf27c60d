// ListTransactions (66): an admin asks a broker, as transaction coordinator, which transactions it tracks,
// optionally filtered by state and producer id (KIP-664); unknown state names are echoed back instead of failing.
// v0 is flexible from the start (KIP-482); v1 adds durationFilter to list only transactions running longer than
// a given time (KIP-994); v2 adds transactionalIdPattern, a regular expression on the transactional id, and may
// answer INVALID_REGULAR_EXPRESSION (KIP-1152).

import { api, f, type RequestOf, type ResponseOf } from '../schema.ts'

export const ListTransactions = api({
  key: 66,
  name: 'ListTransactions',
  validVersions: '0-2',
  flexibleVersions: '0+',
  request: {
    stateFilters: f.array('0+', 'string'),
    producerIdFilters: f.array('0+', 'int64', { entity: 'producerId' }),
    // -1 disables the filter.
    durationFilter: f.int64('1+', { default: -1n }),
    transactionalIdPattern: f.string('2+', { nullableVersions: '2+', default: null }),
  },
  response: {
    throttleTimeMs: f.int32('0+'),
    errorCode: f.int16('0+'),
    unknownStateFilters: f.array('0+', 'string'),
    transactionStates: f.array('0+', {
      transactionalId: f.string('0+', { entity: 'transactionalId' }),
      producerId: f.int64('0+', { entity: 'producerId' }),
      transactionState: f.string('0+'),
    }),
  },
})

export type ListTransactionsRequest = RequestOf<typeof ListTransactions>
export type ListTransactionsResponse = ResponseOf<typeof ListTransactions>
