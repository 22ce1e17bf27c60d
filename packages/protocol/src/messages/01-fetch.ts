// Fetch (1): consumers and follower replicas read record batches from partition logs, waiting up to maxWaitMs for
// minBytes to accumulate. v0-3 are pre-KIP-896 versions Kafka 4 dropped (kept for old clients): v1 adds the
// response's throttleTimeMs, v2 allows message format v1, v3 adds the request-wide maxBytes and makes partition
// order meaningful. v4 adds isolationLevel, lastStableOffset and abortedTransactions for transactional reads
// (KIP-98); v5 adds logStartOffset; v7 adds incremental fetch sessions (KIP-227); v9 fences with
// currentLeaderEpoch (KIP-320); v10 allows ZStandard (KIP-110); v11 adds rackId and preferredReadReplica for
// follower fetching (KIP-392); v12 is the first flexible version (KIP-482) and brings lastFetchedEpoch and the
// tagged divergingEpoch/currentLeader/snapshotId used for log reconciliation and KRaft (KIP-595); v13 switches
// to topic ids (KIP-516); v14 may answer OFFSET_MOVED_TO_TIERED_STORAGE (KIP-405); v15 replaces replicaId with
// the tagged replicaState (KIP-903); v16 adds tagged nodeEndpoints (KIP-951); v17 adds the follower's
// replicaDirectoryId (KIP-853); v18 adds a tagged highWatermark to the request (KIP-1166).
// Records stay raw bytes (`f.records`): the message codec never decodes them.

import { api, f, type RequestOf, type ResponseOf } from '../schema.ts'

export const Fetch = api({
  key: 1,
  name: 'Fetch',
  validVersions: '0-18',
  flexibleVersions: '12+',
  request: {
    clusterId: f.string('12+', {
      nullableVersions: '12+',
      default: null,
      tag: 0,
      taggedVersions: '12+',
      ignorable: true,
    }),
    replicaId: f.int32('0-14', { default: -1, entity: 'brokerId' }),
    replicaState: f.struct(
      '15+',
      {
        replicaId: f.int32('15+', { default: -1, entity: 'brokerId' }),
        replicaEpoch: f.int64('15+', { default: -1n }),
      },
      { tag: 1, taggedVersions: '15+' },
    ),
    maxWaitMs: f.int32('0+'),
    minBytes: f.int32('0+'),
    maxBytes: f.int32('3+', { default: 0x7fffffff, ignorable: true }),
    isolationLevel: f.int8('4+', { default: 0, ignorable: true }),
    sessionId: f.int32('7+', { default: 0, ignorable: true }),
    sessionEpoch: f.int32('7+', { default: -1, ignorable: true }),
    topics: f.array('0+', {
      topic: f.string('0-12', { entity: 'topicName', ignorable: true }),
      topicId: f.uuid('13+', { ignorable: true }),
      partitions: f.array('0+', {
        partition: f.int32('0+'),
        currentLeaderEpoch: f.int32('9+', { default: -1, ignorable: true }),
        fetchOffset: f.int64('0+'),
        lastFetchedEpoch: f.int32('12+', { default: -1 }),
        logStartOffset: f.int64('5+', { default: -1n, ignorable: true }),
        partitionMaxBytes: f.int32('0+'),
        replicaDirectoryId: f.uuid('17+', { tag: 0, taggedVersions: '17+', ignorable: true }),
        highWatermark: f.int64('18+', {
          default: 9223372036854775807n,
          tag: 1,
          taggedVersions: '18+',
          ignorable: true,
        }),
      }),
    }),
    forgottenTopicsData: f.array('7+', {
      topic: f.string('7-12', { entity: 'topicName', ignorable: true }),
      topicId: f.uuid('13+', { ignorable: true }),
      partitions: f.array('7+', 'int32'),
    }),
    rackId: f.string('11+', { default: '', ignorable: true }),
  },
  response: {
    throttleTimeMs: f.int32('1+', { ignorable: true }),
    errorCode: f.int16('7+', { ignorable: true }),
    sessionId: f.int32('7+', { default: 0 }),
    responses: f.array('0+', {
      topic: f.string('0-12', { ignorable: true, entity: 'topicName' }),
      topicId: f.uuid('13+', { ignorable: true }),
      partitions: f.array('0+', {
        partitionIndex: f.int32('0+'),
        errorCode: f.int16('0+'),
        highWatermark: f.int64('0+'),
        lastStableOffset: f.int64('4+', { default: -1n, ignorable: true }),
        logStartOffset: f.int64('5+', { default: -1n, ignorable: true }),
        divergingEpoch: f.struct(
          '12+',
          {
            epoch: f.int32('12+', { default: -1 }),
            endOffset: f.int64('12+', { default: -1n }),
          },
          { tag: 0, taggedVersions: '12+' },
        ),
        currentLeader: f.struct(
          '12+',
          {
            leaderId: f.int32('12+', { default: -1, entity: 'brokerId' }),
            leaderEpoch: f.int32('12+', { default: -1 }),
          },
          { tag: 1, taggedVersions: '12+' },
        ),
        // Kafka declares the snapshot id's inner fields as "0+"; they only ever appear inside this v12+ struct.
        snapshotId: f.struct(
          '12+',
          {
            endOffset: f.int64('0+', { default: -1n }),
            epoch: f.int32('0+', { default: -1 }),
          },
          { tag: 2, taggedVersions: '12+' },
        ),
        abortedTransactions: f.array(
          '4+',
          {
            producerId: f.int64('4+', { entity: 'producerId' }),
            firstOffset: f.int64('4+'),
          },
          { nullableVersions: '4+', ignorable: true },
        ),
        preferredReadReplica: f.int32('11+', { default: -1, entity: 'brokerId' }),
        records: f.records('0+', { nullableVersions: '0+' }),
      }),
    }),
    nodeEndpoints: f.array(
      '16+',
      {
        nodeId: f.int32('16+', { mapKey: true, entity: 'brokerId' }),
        host: f.string('16+'),
        port: f.int32('16+'),
        rack: f.string('16+', { nullableVersions: '16+', default: null }),
      },
      { tag: 0, taggedVersions: '16+' },
    ),
  },
})

export type FetchRequest = RequestOf<typeof Fetch>
export type FetchResponse = ResponseOf<typeof Fetch>
