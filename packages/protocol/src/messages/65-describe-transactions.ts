// DescribeTransactions (65): an admin asks transaction coordinators for the state of given transactional ids:
// state name, timeout, start time, current producer id and epoch, and the partitions enlisted so far (KIP-664).
// Only v0 exists, flexible from the start (KIP-482).

import { api, f, type RequestOf, type ResponseOf } from '../schema.ts'

export const DescribeTransactions = api({
  key: 65,
  name: 'DescribeTransactions',
  validVersions: '0',
  flexibleVersions: '0+',
  request: {
    transactionalIds: f.array('0+', 'string', { entity: 'transactionalId' }),
  },
  response: {
    throttleTimeMs: f.int32('0+'),
    transactionStates: f.array('0+', {
      errorCode: f.int16('0+'),
      transactionalId: f.string('0+', { entity: 'transactionalId' }),
      transactionState: f.string('0+'),
      transactionTimeoutMs: f.int32('0+'),
      transactionStartTimeMs: f.int64('0+'),
      producerId: f.int64('0+', { entity: 'producerId' }),
      producerEpoch: f.int16('0+'),
      topics: f.array('0+', {
        topic: f.string('0+', { mapKey: true, entity: 'topicName' }),
        partitions: f.array('0+', 'int32'),
      }),
    }),
  },
})

export type DescribeTransactionsRequest = RequestOf<typeof DescribeTransactions>
export type DescribeTransactionsResponse = ResponseOf<typeof DescribeTransactions>
