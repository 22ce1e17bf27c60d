// The transactional producer on the wire, against a scripted broker: InitProducerId goes to the coordinator found
// with FindCoordinator key type 1 and is retried on CONCURRENT_TRANSACTIONS, and on COORDINATOR_LOAD_IN_PROGRESS and
// NOT_COORDINATOR once the coordinator was looked up again; the partitions of one send go in one
// AddPartitionsToTxn (v3, the client shape) before any of their batches; batches are transactional and carry the
// producer id; sendOffsetsToTransaction sends AddOffsetsToTxn, then TxnOffsetCommit with the member id and
// generation; commit is EndTxn(committed=true).

import assert from 'node:assert/strict'
import type { Server } from 'node:net'
import { after, test } from 'node:test'
import {
  AddOffsetsToTxn,
  AddPartitionsToTxn,
  ApiVersions,
  decodeRequestBody,
  decodeRequestHeader,
  EndTxn,
  ErrorCode,
  FindCoordinator,
  InitProducerId,
  Metadata,
  Produce,
  RecordBatchView,
  TxnOffsetCommit,
  type ApiSchema,
} from '@samsa/protocol'
import { startFakeBroker, type SeenRequest } from '../testing.ts'
import { createProducer } from './producer.ts'

const APIS: ApiSchema[] = [
  ApiVersions,
  Metadata,
  Produce,
  FindCoordinator,
  InitProducerId,
  AddPartitionsToTxn,
  AddOffsetsToTxn,
  EndTxn,
  TxnOffsetCommit,
]
const servers: Server[] = []
after(() => {
  for (const s of servers) s.close()
})

function body<Rq>(api: ApiSchema<Rq, unknown>, request: SeenRequest): Rq {
  const header = decodeRequestHeader(request.frame, (k) => APIS.find((a) => a.key === k))
  return decodeRequestBody(api, request.version, request.frame, header.bodyOffset)
}

/** A one-broker cluster with topic `t` (3 partitions); InitProducerId answers the scripted errors first. */
async function transactionalBroker(initErrors: number[]) {
  const log: string[] = []
  let port = 0
  const onRequest = (request: SeenRequest) => {
    const api = APIS.find((a) => a.key === request.apiKey)!
    if (api !== ApiVersions && api !== Metadata) log.push(api.name)
    switch (api) {
      case ApiVersions:
        return request.reply(
          ApiVersions,
          request.version,
          ApiVersions.response.make({
            apiKeys: APIS.map((a) => ({
              apiKey: a.key,
              minVersion: 0,
              maxVersion: Math.min(a.validVersions.max, a === ApiVersions ? 3 : a === Produce ? 9 : 4),
            })),
          }),
        )
      case Metadata:
        return request.reply(
          Metadata,
          request.version,
          Metadata.response.make({
            brokers: [{ nodeId: 1, host: '127.0.0.1', port }],
            controllerId: 1,
            topics: [
              {
                name: 't',
                partitions: [0, 1, 2].map((p) => ({
                  partitionIndex: p,
                  leaderId: 1,
                  replicaNodes: [1],
                  isrNodes: [1],
                })),
              },
            ],
          }),
        )
      case FindCoordinator: {
        const req = body(FindCoordinator, request)
        log.push(`  keyType ${req.keyType} ${req.coordinatorKeys.join(',')}`)
        return request.reply(
          FindCoordinator,
          request.version,
          FindCoordinator.response.make({
            coordinators: req.coordinatorKeys.map((key) => ({ key, nodeId: 1, host: '127.0.0.1', port })),
          }),
        )
      }
      case InitProducerId: {
        const errorCode = initErrors.shift() ?? ErrorCode.NONE
        const req = body(InitProducerId, request)
        log.push(`  ${req.transactionalId} timeout ${req.transactionTimeoutMs} -> ${errorCode}`)
        const ok = errorCode === ErrorCode.NONE
        return request.reply(
          InitProducerId,
          request.version,
          InitProducerId.response.make({ errorCode, producerId: ok ? 77n : -1n, producerEpoch: ok ? 2 : -1 }),
        )
      }
      case AddPartitionsToTxn: {
        const req = body(AddPartitionsToTxn, request)
        const topics = req.v3AndBelowTopics
        log.push(
          `  v${request.version} ${req.v3AndBelowProducerId}/${req.v3AndBelowProducerEpoch} ${JSON.stringify(topics)}`,
        )
        return request.reply(
          AddPartitionsToTxn,
          request.version,
          AddPartitionsToTxn.response.make({
            resultsByTopicV3AndBelow: topics.map((t) => ({
              name: t.name,
              resultsByPartition: t.partitions.map((p) => ({ partitionIndex: p, partitionErrorCode: 0 })),
            })),
          }),
        )
      }
      case Produce: {
        const req = body(Produce, request)
        for (const t of req.topicData) {
          for (const p of t.partitionData) {
            const view = new RecordBatchView(p.records!)
            log.push(`  ${t.name}-${p.index} transactional=${view.isTransactional} pid=${view.producerId}`)
          }
        }
        return request.reply(
          Produce,
          request.version,
          Produce.response.make({
            responses: req.topicData.map((t) => ({
              name: t.name,
              partitionResponses: t.partitionData.map((p) => ({ index: p.index, errorCode: 0, baseOffset: 0n })),
            })),
          }),
        )
      }
      case AddOffsetsToTxn: {
        log.push(`  ${body(AddOffsetsToTxn, request).groupId}`)
        return request.reply(AddOffsetsToTxn, request.version, AddOffsetsToTxn.response.make())
      }
      case TxnOffsetCommit: {
        const req = body(TxnOffsetCommit, request)
        log.push(`  v${request.version} ${req.groupId} ${req.memberId} gen ${req.generationId} ${req.groupInstanceId}`)
        return request.reply(
          TxnOffsetCommit,
          request.version,
          TxnOffsetCommit.response.make({
            topics: req.topics.map((t) => ({
              name: t.name,
              partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: 0 })),
            })),
          }),
        )
      }
      case EndTxn: {
        log.push(`  committed=${body(EndTxn, request).committed}`)
        return request.reply(EndTxn, request.version, EndTxn.response.make())
      }
    }
  }
  const fake = await startFakeBroker(onRequest)
  port = fake.port
  servers.push(fake.server)
  return { bootstrapServers: `127.0.0.1:${port}`, log }
}

test(
  'a transaction on the wire, with InitProducerId retried and the coordinator looked up again',
  { timeout: 10_000 },
  async () => {
    const broker = await transactionalBroker([
      ErrorCode.CONCURRENT_TRANSACTIONS,
      ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
      ErrorCode.NOT_COORDINATOR,
    ])
    const producer = createProducer({
      bootstrapServers: broker.bootstrapServers,
      'transactional.id': 'tx-1',
      'transaction.timeout.ms': '30000',
      retryBackoffMs: 1,
      lingerMs: 0,
    })
    try {
      await producer.initTransactions()
      producer.beginTransaction()
      await producer.send({ topic: 't', messages: [0, 1, 2].map((partition) => ({ value: 'x', partition })) })
      await producer.sendOffsetsToTransaction([{ topic: 'in', partition: 0, offset: 9n }], {
        groupId: 'g',
        memberId: 'member-1',
        generationId: 4,
        groupInstanceId: null,
      })
      await producer.commitTransaction()
    } finally {
      await producer.close()
    }
    const produces = broker.log.filter((l) => l.startsWith('  t-')).sort()
    assert.deepEqual(
      produces,
      [0, 1, 2].map((p) => `  t-${p} transactional=true pid=77`),
    )
    assert.deepEqual(
      broker.log.filter((l) => !l.startsWith('  t-')),
      [
        'FindCoordinator',
        '  keyType 1 tx-1',
        'InitProducerId',
        '  tx-1 timeout 30000 -> 51',
        'InitProducerId',
        '  tx-1 timeout 30000 -> 14',
        'FindCoordinator',
        '  keyType 1 tx-1',
        'InitProducerId',
        '  tx-1 timeout 30000 -> 16',
        'FindCoordinator',
        '  keyType 1 tx-1',
        'InitProducerId',
        '  tx-1 timeout 30000 -> 0',
        'AddPartitionsToTxn',
        '  v3 77/2 [{"name":"t","partitions":[0,1,2]}]',
        'Produce', // one request for the three batches
        'AddOffsetsToTxn',
        '  g',
        'FindCoordinator',
        '  keyType 0 g',
        'TxnOffsetCommit',
        '  v4 g member-1 gen 4 null',
        'EndTxn',
        '  committed=true',
      ],
    )
  },
)
