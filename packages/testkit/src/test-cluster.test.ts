// The test cluster: clients learn the proxy's address, not the broker's, and restart() brings the broker back on
// the same port with its data (or on a new one the proxy follows, if the old was taken meanwhile), while connections
// open across it are closed.

import assert from 'node:assert/strict'
import { once } from 'node:events'
import { createServer } from 'node:net'
import { after, test } from 'node:test'
import { Connection } from '@samsa/net'
import { buildRecordBatch, Metadata } from '@samsa/protocol'
import { startTestCluster } from './test-cluster.ts'
import { createTopics, fetchAllBatches, produceBatch } from './wire.ts'

const cluster = await startTestCluster()
after(() => cluster.stop())

const throughProxy = (): Promise<Connection> =>
  Connection.connect({ host: cluster.faults.host, port: cluster.faults.port })

/** Creates `topic` through the proxy and writes one record to it; returns the connection used. */
async function topicWithOneRecord(topic: string): Promise<Connection> {
  const connection = await throughProxy()
  await createTopics(connection, [{ name: topic, partitions: 1 }])
  await produceBatch(connection, topic, 0, buildRecordBatch({ records: [{ key: null, value: Buffer.from('kept') }] }))
  return connection
}

/** The record count of every batch of `topic`'s partition 0, read through the proxy on a new connection. */
async function batchSizes(topic: string): Promise<number[]> {
  const connection = await throughProxy()
  try {
    return (await fetchAllBatches(connection, topic, 0)).map((b) => b.recordsCount)
  } finally {
    connection.destroy()
  }
}

test('the broker advertises the proxy, so clients never bypass it after bootstrap', { timeout: 15_000 }, async () => {
  const conn = await throughProxy()
  try {
    const response = await conn.request(Metadata, 9, Metadata.request.make({ topics: null }))
    assert.deepEqual(
      response.brokers.map((b) => `${b.host}:${b.port}`),
      [cluster.bootstrapServers],
    )
    assert.notEqual(cluster.brokerAddress.port, cluster.faults.port)
  } finally {
    conn.destroy()
  }
})

test('restart() closes the connections through the proxy and keeps the data', { timeout: 30_000 }, async () => {
  const topic = `test-cluster-${process.pid}`
  const before = await topicWithOneRecord(topic)
  const oldBroker = cluster.broker
  await cluster.restart()
  await before.closed
  assert.notEqual(cluster.broker, oldBroker)
  assert.deepEqual(await batchSizes(topic), [1])
})

test(
  'a restart whose port was taken meanwhile binds a new one, and the proxy follows it',
  { timeout: 30_000 },
  async () => {
    const topic = `test-cluster-taken-${process.pid}`
    ;(await topicWithOneRecord(topic)).destroy()
    const oldPort = cluster.brokerAddress.port
    const squatter = createServer()
    after(() => squatter.close())
    await cluster.restart({
      whileStopped: async () => {
        squatter.listen(oldPort, '127.0.0.1')
        await once(squatter, 'listening')
      },
    })
    assert.notEqual(cluster.brokerAddress.port, oldPort)
    assert.deepEqual(await batchSizes(topic), [1])
  },
)
