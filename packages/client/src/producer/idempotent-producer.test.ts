// The idempotent producer on the wire, against a scripted broker that can answer any error code: every batch
// carries the producer id and epoch, sequences count records per partition, a retry resends the same sequence,
// DUPLICATE_SEQUENCE_NUMBER counts as written, and OUT_OF_ORDER_SEQUENCE_NUMBER fails the batch and gets a new id.

import assert from 'node:assert/strict'
import type { Server } from 'node:net'
import { after, test } from 'node:test'
import {
  ApiVersions,
  decodeRequestBody,
  decodeRequestHeader,
  ErrorCode,
  InitProducerId,
  Metadata,
  Produce,
  RecordBatchView,
  type ProduceRequest,
} from '@samsa/protocol'
import { isKafkaProtocolError } from '../errors.ts'
import { startFakeBroker, type SeenRequest } from '../testing.ts'
import { createProducer } from './producer.ts'

const APIS = [ApiVersions, Metadata, Produce, InitProducerId]
const servers: Server[] = []
after(() => {
  for (const s of servers) s.close()
})

interface WrittenBatch {
  producerId: bigint
  producerEpoch: number
  baseSequence: number
  records: number
}

/** A one-partition broker; `answerProduce` picks each Produce answer's error code (NONE by default). */
async function idempotentBroker(
  answerProduce: (batch: WrittenBatch, attempt: number) => number = () => ErrorCode.NONE,
) {
  const written: WrittenBatch[] = []
  let nextProducerId = 42n
  let port = 0
  const onRequest = (request: SeenRequest) => {
    switch (request.apiKey) {
      case ApiVersions.key:
        request.reply(
          ApiVersions,
          request.version,
          ApiVersions.response.make({
            apiKeys: APIS.map((api) => ({
              apiKey: api.key,
              minVersion: 0,
              maxVersion: Math.min(api.validVersions.max, api === ApiVersions ? 3 : api === Produce ? 9 : 4),
            })),
          }),
        )
        return
      case Metadata.key:
        request.reply(
          Metadata,
          request.version,
          Metadata.response.make({
            brokers: [{ nodeId: 1, host: '127.0.0.1', port }],
            controllerId: 1,
            topics: [{ name: 't', partitions: [{ partitionIndex: 0, leaderId: 1, replicaNodes: [1], isrNodes: [1] }] }],
          }),
        )
        return
      case InitProducerId.key:
        request.reply(
          InitProducerId,
          request.version,
          InitProducerId.response.make({ producerId: nextProducerId++, producerEpoch: 3 }),
        )
        return
      case Produce.key: {
        const header = decodeRequestHeader(request.frame, (k) => APIS.find((a) => a.key === k))
        const body: ProduceRequest = decodeRequestBody(Produce, request.version, request.frame, header.bodyOffset)
        const view = new RecordBatchView(body.topicData[0]!.partitionData[0]!.records!)
        const batch = {
          producerId: view.producerId,
          producerEpoch: view.producerEpoch,
          baseSequence: view.baseSequence,
          records: view.recordsCount,
        }
        const attempt = written.filter(
          (w) => w.producerId === batch.producerId && w.baseSequence === batch.baseSequence,
        ).length
        written.push(batch)
        const errorCode = answerProduce(batch, attempt)
        const baseOffset = BigInt(written.length - 1)
        request.reply(
          Produce,
          request.version,
          Produce.response.make({
            responses: [{ name: 't', partitionResponses: [{ index: 0, errorCode, baseOffset }] }],
          }),
        )
        return
      }
    }
  }
  const fake = await startFakeBroker(onRequest)
  port = fake.port
  servers.push(fake.server)
  return { bootstrapServers: `127.0.0.1:${port}`, written }
}

test('batches carry the producer id, epoch and per-partition sequences', { timeout: 10_000 }, async () => {
  const broker = await idempotentBroker()
  const producer = createProducer({ bootstrapServers: broker.bootstrapServers, enableIdempotence: true, lingerMs: 0 })
  try {
    await producer.send({ topic: 't', messages: [{ value: 'a' }, { value: 'b' }] })
    await producer.send({ topic: 't', messages: [{ value: 'c' }] })
    await producer.send({ topic: 't', messages: [{ value: 'd' }, { value: 'e' }, { value: 'f' }] })
    assert.deepEqual(broker.written, [
      { producerId: 42n, producerEpoch: 3, baseSequence: 0, records: 2 },
      { producerId: 42n, producerEpoch: 3, baseSequence: 2, records: 1 },
      { producerId: 42n, producerEpoch: 3, baseSequence: 3, records: 3 },
    ])
  } finally {
    await producer.close()
  }
})

test('a retry resends the same sequence; a duplicate counts as written', { timeout: 10_000 }, async () => {
  // The first attempt "times out" on the broker side (retriable), the second finds it already written.
  const broker = await idempotentBroker((_, attempt) =>
    attempt === 0 ? ErrorCode.REQUEST_TIMED_OUT : ErrorCode.DUPLICATE_SEQUENCE_NUMBER,
  )
  const producer = createProducer({
    bootstrapServers: broker.bootstrapServers,
    enableIdempotence: true,
    lingerMs: 0,
    retryBackoffMs: 1,
  })
  try {
    const [metadata] = await producer.send({ topic: 't', messages: [{ value: 'once' }] })
    assert.equal(metadata?.partition, 0)
    assert.deepEqual(
      broker.written.map((w) => w.baseSequence),
      [0, 0],
    )
  } finally {
    await producer.close()
  }
})

test(
  'OUT_OF_ORDER_SEQUENCE_NUMBER fails the batch; the next starts at 0 under a new producer id',
  { timeout: 10_000 },
  async () => {
    const broker = await idempotentBroker((batch) =>
      batch.producerId === 42n && batch.baseSequence === 1 ? ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER : ErrorCode.NONE,
    )
    const producer = createProducer({ bootstrapServers: broker.bootstrapServers, enableIdempotence: true, lingerMs: 0 })
    try {
      await producer.send({ topic: 't', messages: [{ value: 'a' }] })
      await assert.rejects(
        producer.send({ topic: 't', messages: [{ value: 'b' }] }),
        (e) => isKafkaProtocolError(e) && e.errorName === 'OUT_OF_ORDER_SEQUENCE_NUMBER',
      )
      await producer.send({ topic: 't', messages: [{ value: 'c' }] })
      assert.deepEqual(
        broker.written.map((w) => [w.producerId, w.baseSequence]),
        [
          [42n, 0],
          [42n, 1],
          [43n, 0],
        ],
      )
    } finally {
      await producer.close()
    }
  },
)
