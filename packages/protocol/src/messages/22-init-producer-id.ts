// InitProducerId (22): a producer obtains its producer id and epoch, the pair that makes its writes idempotent
// (KIP-98). A transactional producer asks its transaction coordinator, which also fences older instances with
// the same transactionalId by bumping the epoch and aborts or completes their pending transaction.
// v1 changes only throttling (the broker answers before throttling, KIP-219); v2 is the first flexible version
// (KIP-482); v3 lets a producer send its current id and epoch so it can bump the epoch and carry on after an
// INVALID_PRODUCER_EPOCH instead of starting over (KIP-360); v4 may answer PRODUCER_FENCED (KIP-588); v5 may
// answer TRANSACTION_ABORTABLE (KIP-890). v6 (KIP-939, two-phase commit with an external coordinator) adds
// enable2Pc and keepPreparedTxn to the request and reports any prepared transaction left open; Kafka marks the
// v6 request unstable, but defines it, so we include it.

import { api, f, type RequestOf, type ResponseOf } from '../schema.ts'

export const InitProducerId = api({
  key: 22,
  name: 'InitProducerId',
  validVersions: '0-6',
  flexibleVersions: '2+',
  request: {
    // null for a producer that is only idempotent, not transactional.
    transactionalId: f.string('0+', { nullableVersions: '0+', entity: 'transactionalId' }),
    transactionTimeoutMs: f.int32('0+'),
    // -1/-1 asks for a fresh id; a known pair asks to bump that producer's epoch (KIP-360).
    producerId: f.int64('3+', { default: -1n, entity: 'producerId' }),
    producerEpoch: f.int16('3+', { default: -1 }),
    enable2Pc: f.bool('6+', { default: false }),
    keepPreparedTxn: f.bool('6+', { default: false }),
  },
  response: {
    throttleTimeMs: f.int32('0+', { ignorable: true }),
    errorCode: f.int16('0+'),
    producerId: f.int64('0+', { default: -1n, entity: 'producerId' }),
    producerEpoch: f.int16('0+'),
    // The prepared transaction kept by keepPreparedTxn, or -1/-1 when there is none (KIP-939).
    ongoingTxnProducerId: f.int64('6+', { default: -1n, entity: 'producerId' }),
    ongoingTxnProducerEpoch: f.int16('6+', { default: -1 }),
  },
})

export type InitProducerIdRequest = RequestOf<typeof InitProducerId>
export type InitProducerIdResponse = ResponseOf<typeof InitProducerId>
