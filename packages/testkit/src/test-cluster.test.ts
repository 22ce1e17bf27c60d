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

test('the broker advertises the proxy, so clients never bypass it after bootstrap', { timeout: 15_000 }, async () => {
  const conn = await Connection.connect({ host: cluster.faults.host, port: cluster.faults.port })
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
  const before = await Connection.connect({ host: cluster.faults.host, port: cluster.faults.port })
  await createTopics(before, [{ name: topic, partitions: 1 }])
  await produceBatch(before, topic, 0, buildRecordBatch({ records: [{ key: null, value: Buffer.from('kept') }] }))
  const oldBroker = cluster.broker
  await cluster.restart()
  await before.closed
  assert.notEqual(cluster.broker, oldBroker)
  const afterRestart = await Connection.connect({ host: cluster.faults.host, port: cluster.faults.port })
  try {
    const batches = await fetchAllBatches(afterRestart, topic, 0)
    assert.deepEqual(
      batches.map((b) => b.recordsCount),
      [1],
    )
  } finally {
    afterRestart.destroy()
  }
})

test(
  'a restart whose port was taken meanwhile binds a new one, and the proxy follows it',
  { timeout: 30_000 },
  async () => {
    const topic = `test-cluster-taken-${process.pid}`
    const setup = await Connection.connect({ host: cluster.faults.host, port: cluster.faults.port })
    await createTopics(setup, [{ name: topic, partitions: 1 }])
    await produceBatch(setup, topic, 0, buildRecordBatch({ records: [{ key: null, value: Buffer.from('kept') }] }))
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
    const through = await Connection.connect({ host: cluster.faults.host, port: cluster.faults.port })
    try {
      const batches = await fetchAllBatches(through, topic, 0)
      assert.deepEqual(
        batches.map((b) => b.recordsCount),
        [1],
      )
    } finally {
      through.destroy()
    }
  },
)
