// WriteTxnMarkers (27): broker-to-broker. When a transaction ends, the transaction coordinator asks each partition
// leader to append a COMMIT or ABORT control record for the producer to the listed partitions (KIP-98); the
// coordinatorEpoch lets leaders ignore markers from a stale coordinator. v0 is the pre-KIP-896 version (Kafka 4
// dropped it; we keep it for older peers); v1 is the first flexible version (KIP-482); v2 adds each marker's
// transactionVersion, so the leader knows which transaction protocol wrote it (KIP-1228).

import { api, f, type RequestOf, type ResponseOf } from '../schema.ts'

export const WriteTxnMarkers = api({
  key: 27,
  name: 'WriteTxnMarkers',
  validVersions: '0-2',
  flexibleVersions: '1+',
  request: {
    markers: f.array('0+', {
      producerId: f.int64('0+', { entity: 'producerId' }),
      producerEpoch: f.int16('0+'),
      // true writes a COMMIT marker, false an ABORT marker.
      transactionResult: f.bool('0+'),
      topics: f.array('0+', {
        name: f.string('0+', { entity: 'topicName' }),
        partitionIndexes: f.array('0+', 'int32'),
      }),
      coordinatorEpoch: f.int32('0+'),
      transactionVersion: f.int8('2+', { default: 0, ignorable: true }),
    }),
  },
  response: {
    markers: f.array('0+', {
      producerId: f.int64('0+', { entity: 'producerId' }),
      topics: f.array('0+', {
        name: f.string('0+', { entity: 'topicName' }),
        partitions: f.array('0+', {
          partitionIndex: f.int32('0+'),
          errorCode: f.int16('0+'),
        }),
      }),
    }),
  },
})

export type WriteTxnMarkersRequest = RequestOf<typeof WriteTxnMarkers>
export type WriteTxnMarkersResponse = ResponseOf<typeof WriteTxnMarkers>
