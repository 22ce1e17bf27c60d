// Fetch amplifies: a request of a few hundred bytes may ask for fetch.max.bytes (55 MB) of records, and Samsa, unlike
// Kafka's sendfile, holds a response's records in memory until the client takes them. Clients that send Fetches
// and read none of the answers must not make the broker hold what they asked for: one connection pipelining 100
// Fetches, and 40 connections with one each, against a broker process whose memory is watched. Before the bound
// (one Fetch per connection at a time; samsa.fetch.memory.max.bytes), the first alone took the broker to 3.2 GB.

import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { connect, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { Connection } from '@samsa/net'
import { Fetch, buildRecordBatch, encodeRequestFrame } from '@samsa/protocol'
import { startBrokerProcess } from '../broker-process.ts'
import { createTopics, fetchAllBatches, produceBatch } from '../wire.ts'

const PARTITIONS = 32
const BUDGET_MIB = 64
const TOPIC = 'fetch-flood'

/** `count` Fetches of every partition from offset 0, 1 MiB each, as one buffer. */
function fetchRequests(count: number): Buffer {
  const frames: Buffer[] = []
  for (let correlationId = 0; correlationId < count; correlationId++) {
    const body = Fetch.request.make({
      maxWaitMs: 0,
      minBytes: 0,
      maxBytes: 52428800,
      topics: [
        {
          topic: TOPIC,
          partitions: Array.from({ length: PARTITIONS }, (_, partition) => ({
            partition,
            fetchOffset: 0n,
            partitionMaxBytes: 1048576,
          })),
        },
      ],
    })
    frames.push(...encodeRequestFrame(Fetch, 11, { correlationId, clientId: 'fetch-flood' }, body))
  }
  return Buffer.concat(frames)
}

test(
  'clients that send Fetches and never read the answers do not make the broker hold them',
  { timeout: 120_000 },
  async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'samsa-fetch-flood-'))
    const broker = await startBrokerProcess({
      dataDir,
      stdio: 'ignore',
      overrides: { 'samsa.fetch.memory.max.bytes': BUDGET_MIB << 20 },
    })
    const sockets: Socket[] = []
    try {
      const conn = await Connection.connect({ host: broker.host, port: broker.port })
      await createTopics(conn, [{ name: TOPIC, partitions: PARTITIONS }])
      // ~1 MB per partition: each Fetch can be answered with ~32 MB.
      const value = Buffer.alloc(1000, 7)
      for (let p = 0; p < PARTITIONS; p++) {
        for (let b = 0; b < 10; b++) {
          const records = Array.from({ length: 100 }, () => ({ key: null, value }))
          await produceBatch(conn, TOPIC, p, buildRecordBatch({ records }))
        }
      }
      const before = broker.rssMiB()

      const open = async (fetches: number): Promise<void> => {
        const socket = connect(broker.port, broker.host)
        sockets.push(socket)
        await new Promise((resolve) => socket.once('connect', resolve))
        socket.pause()
        socket.write(fetchRequests(fetches))
      }
      await open(100)
      for (let i = 0; i < 40; i++) await open(1)
      await new Promise((resolve) => setTimeout(resolve, 2000))
      const during = broker.rssMiB()
      // Without the bound: 100 + 40 responses of ~32 MB, over 4 GB.
      assert.ok(
        during < before + BUDGET_MIB + 200,
        `RSS went from ${before.toFixed(0)} to ${during.toFixed(0)} MiB with a ${BUDGET_MIB} MiB fetch budget`,
      )

      // The broker still serves a normal client in full.
      const batches = await fetchAllBatches(conn, TOPIC, PARTITIONS - 1)
      assert.equal(batches.length, 10)
      conn.destroy()
    } finally {
      for (const socket of sockets) socket.destroy()
      await broker.stop()
      rmSync(dataDir, { recursive: true, force: true })
    }
  },
)
