// A partition's leadership moves between two scripted brokers: the old leader answers NOT_LEADER_OR_FOLLOWER, the
// producer refreshes its metadata and resends to the new leader. The same for the consumer's fetches.

import assert from 'node:assert/strict'
import type { Server } from 'node:net'
import { after, test } from 'node:test'
import {
  ApiVersions,
  buildRecordBatch,
  ErrorCode,
  Fetch,
  ListOffsets,
  Metadata,
  Produce,
  type ApiSchema,
} from '@samsa/protocol'
import { createConsumer } from '../consumer/consumer.ts'
import { startFakeBroker, type SeenRequest } from '../testing.ts'
import { createProducer } from './producer.ts'

const APIS: ApiSchema[] = [ApiVersions, Metadata, Produce, Fetch, ListOffsets]
const servers: Server[] = []
after(() => {
  for (const s of servers) s.close()
})

/** Two brokers (node ids 1 and 2) sharing one view of who leads partition t-0. */
async function twoBrokers() {
  const cluster = {
    leader: 1,
    /** The leader hands over to node 2 when it receives this request (answering NOT_LEADER_OR_FOLLOWER). */
    handOverOn: null as string | null,
    ports: new Map<number, number>(),
    requests: [] as [number, string][],
  }
  const serve = (nodeId: number) => (request: SeenRequest) => {
    const api = APIS.find((a) => a.key === request.apiKey)
    cluster.requests.push([nodeId, api?.name ?? String(request.apiKey)])
    if (cluster.leader === nodeId && cluster.handOverOn === api?.name) {
      cluster.handOverOn = null
      cluster.leader = 2
    }
    const isLeader = cluster.leader === nodeId
    switch (request.apiKey) {
      case ApiVersions.key:
        request.reply(
          ApiVersions,
          request.version,
          ApiVersions.response.make({
            apiKeys: APIS.map((a) => ({ apiKey: a.key, minVersion: 0, maxVersion: a === ApiVersions ? 3 : 9 })),
          }),
        )
        return
      case Metadata.key:
        request.reply(
          Metadata,
          request.version,
          Metadata.response.make({
            brokers: [...cluster.ports].map(([id, port]) => ({ nodeId: id, host: '127.0.0.1', port })),
            controllerId: 1,
            topics: [
              {
                name: 't',
                partitions: [{ partitionIndex: 0, leaderId: cluster.leader, replicaNodes: [1, 2], isrNodes: [1, 2] }],
              },
            ],
          }),
        )
        return
      case Produce.key: {
        const errorCode = isLeader ? ErrorCode.NONE : ErrorCode.NOT_LEADER_OR_FOLLOWER
        request.reply(
          Produce,
          request.version,
          Produce.response.make({
            responses: [{ name: 't', partitionResponses: [{ index: 0, errorCode, baseOffset: isLeader ? 7n : -1n }] }],
          }),
        )
        return
      }
      case Fetch.key: {
        const errorCode = isLeader ? ErrorCode.NONE : ErrorCode.NOT_LEADER_OR_FOLLOWER
        const records = isLeader
          ? buildRecordBatch({ baseOffset: 0n, records: [{ value: Buffer.from(`from ${nodeId}`) }] })
          : null
        request.reply(
          Fetch,
          request.version,
          Fetch.response.make({
            responses: [{ topic: 't', partitions: [{ partitionIndex: 0, errorCode, highWatermark: 1n, records }] }],
          }),
        )
        return
      }
    }
  }
  for (const nodeId of [1, 2]) {
    const fake = await startFakeBroker(serve(nodeId))
    servers.push(fake.server)
    cluster.ports.set(nodeId, fake.port)
  }
  return { cluster, bootstrapServers: `127.0.0.1:${cluster.ports.get(1)}` }
}

test('the producer follows a leader change signalled by NOT_LEADER_OR_FOLLOWER', { timeout: 10_000 }, async () => {
  const { cluster, bootstrapServers } = await twoBrokers()
  // The scripted brokers do not answer InitProducerId, so this producer is not idempotent (the default is).
  const producer = createProducer({ bootstrapServers, lingerMs: 0, retryBackoffMs: 1, enableIdempotence: false })
  try {
    await producer.send({ topic: 't', messages: [{ value: 'to node 1' }] })
    cluster.handOverOn = 'Produce'
    const [metadata] = await producer.send({ topic: 't', messages: [{ value: 'to node 2' }] })
    assert.equal(metadata?.offset, 7n)
    const produces = cluster.requests.filter(([, api]) => api === 'Produce').map(([node]) => node)
    assert.deepEqual(produces, [1, 1, 2], 'first to the old leader, then refused there, then to the new one')
  } finally {
    await producer.close()
  }
})

test('the consumer follows a leader change signalled by NOT_LEADER_OR_FOLLOWER', { timeout: 10_000 }, async () => {
  const { cluster, bootstrapServers } = await twoBrokers()
  const consumer = createConsumer({ bootstrapServers, retryBackoffMs: 1, fetchMaxWaitMs: 10 })
  try {
    cluster.handOverOn = 'Fetch'
    consumer.assign([{ topic: 't', partition: 0, offset: 0n }])
    for await (const message of consumer) {
      assert.equal(message.value?.toString(), 'from 2')
      break
    }
    const fetches = cluster.requests.filter(([, api]) => api === 'Fetch').map(([node]) => node)
    assert.deepEqual(fetches.slice(0, 2), [1, 2], 'refused by the old leader, then served by the new one')
  } finally {
    await consumer.close()
  }
})
