// Produce (0): a producer appends record batches to partition logs and learns the offset each batch landed at.
// v0-2 are the pre-KIP-896 versions (Kafka 4 dropped them; we keep them for old clients): v1 adds the response's
// throttleTimeMs and v2 its logAppendTimeMs. v3 adds transactionalId and the v2 record-batch format (KIP-98).
// v4 may answer KAFKA_STORAGE_ERROR (KIP-112); v5 returns logStartOffset; v6 matches v5; v7 allows ZStandard
// batches (KIP-110); v8 reports per-record errors and an error message (KIP-467); v9 is the first flexible version
// (KIP-482); v10 adds tagged leader hints currentLeader and nodeEndpoints (KIP-951); v11-12 widen the error set
// for transactions (KIP-890); v13 addresses topics by topicId instead of name (KIP-516).
// The records are opaque to the message codec: `f.records` keeps them as raw bytes for the record-batch layer.

import { api, f, type RequestOf, type ResponseOf } from '../schema.ts'

export const Produce = api({
  key: 0,
  name: 'Produce',
  validVersions: '0-13',
  flexibleVersions: '9+',
  request: {
    transactionalId: f.string('3+', { nullableVersions: '3+', default: null, entity: 'transactionalId' }),
    acks: f.int16('0+'),
    timeoutMs: f.int32('0+'),
    topicData: f.array('0+', {
      name: f.string('0-12', { entity: 'topicName', mapKey: true, ignorable: true }),
      topicId: f.uuid('13+', { mapKey: true, ignorable: true }),
      partitionData: f.array('0+', {
        index: f.int32('0+'),
        records: f.records('0+', { nullableVersions: '0+' }),
      }),
    }),
  },
  response: {
    responses: f.array('0+', {
      name: f.string('0-12', { entity: 'topicName', mapKey: true, ignorable: true }),
      topicId: f.uuid('13+', { mapKey: true, ignorable: true }),
      partitionResponses: f.array('0+', {
        index: f.int32('0+'),
        errorCode: f.int16('0+'),
        baseOffset: f.int64('0+'),
        logAppendTimeMs: f.int64('2+', { default: -1n, ignorable: true }),
        logStartOffset: f.int64('5+', { default: -1n, ignorable: true }),
        recordErrors: f.array(
          '8+',
          {
            batchIndex: f.int32('8+'),
            batchIndexErrorMessage: f.string('8+', { nullableVersions: '8+', default: null }),
          },
          { ignorable: true },
        ),
        errorMessage: f.string('8+', { nullableVersions: '8+', default: null, ignorable: true }),
        currentLeader: f.struct(
          '10+',
          {
            leaderId: f.int32('10+', { default: -1, entity: 'brokerId' }),
            leaderEpoch: f.int32('10+', { default: -1 }),
          },
          { tag: 0, taggedVersions: '10+' },
        ),
      }),
    }),
    throttleTimeMs: f.int32('1+', { ignorable: true, default: 0 }),
    nodeEndpoints: f.array(
      '10+',
      {
        nodeId: f.int32('10+', { mapKey: true, entity: 'brokerId' }),
        host: f.string('10+'),
        port: f.int32('10+'),
        rack: f.string('10+', { nullableVersions: '10+', default: null }),
      },
      { tag: 0, taggedVersions: '10+' },
    ),
  },
})

export type ProduceRequest = RequestOf<typeof Produce>
export type ProduceResponse = ResponseOf<typeof Produce>
