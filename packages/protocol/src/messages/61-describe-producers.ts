// DescribeProducers (61): an admin asks partition leaders for the producer state they hold per partition: each
// active producer id, its epoch, last sequence and timestamp, and the start offset of its open transaction if
// any. It is the tool for finding and aborting hanging transactions (KIP-664). Only v0 exists, flexible from the
// start (KIP-482).

import { api, f, type RequestOf, type ResponseOf } from '../schema.ts'

export const DescribeProducers = api({
  key: 61,
  name: 'DescribeProducers',
  validVersions: '0',
  flexibleVersions: '0+',
  request: {
    topics: f.array('0+', {
      name: f.string('0+', { entity: 'topicName' }),
      partitionIndexes: f.array('0+', 'int32'),
    }),
  },
  response: {
    throttleTimeMs: f.int32('0+'),
    topics: f.array('0+', {
      name: f.string('0+', { entity: 'topicName' }),
      partitions: f.array('0+', {
        partitionIndex: f.int32('0+'),
        errorCode: f.int16('0+'),
        errorMessage: f.string('0+', { nullableVersions: '0+', default: null }),
        activeProducers: f.array('0+', {
          producerId: f.int64('0+', { entity: 'producerId' }),
          // int32 here, unlike the int16 epoch everywhere else in the protocol; Kafka's spec says so.
          producerEpoch: f.int32('0+'),
          lastSequence: f.int32('0+', { default: -1 }),
          lastTimestamp: f.int64('0+', { default: -1n }),
          coordinatorEpoch: f.int32('0+'),
          // -1 when the producer has no open transaction on this partition.
          currentTxnStartOffset: f.int64('0+', { default: -1n }),
        }),
      }),
    }),
  },
})

export type DescribeProducersRequest = RequestOf<typeof DescribeProducers>
export type DescribeProducersResponse = ResponseOf<typeof DescribeProducers>
