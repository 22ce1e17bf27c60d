// Helpers for the broker's own tests: start a broker on an ephemeral port in a fresh temp dir, and speak raw
// protocol to it through @samsa/protocol codecs over a real socket. Not part of the package's public API.

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Connection } from '@samsa/net'
import { CreateTopics, Fetch, Produce, type FetchResponse, type ProduceResponse } from '@samsa/protocol'
import { startBroker, type BrokerOptions, type RunningBroker } from './broker.ts'
import { consoleLogger, silentLogger } from './logger.ts'

export interface TestBroker {
  broker: RunningBroker
  dir: string
  connect(): Promise<Connection>
  /** Closes the broker (and, when `remove`, deletes its data). */
  stop(remove?: boolean): Promise<void>
}

export async function startTestBroker(options: BrokerOptions & { dir?: string } = {}): Promise<TestBroker> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'samsa-broker-'))
  const broker = await startBroker({
    logger: process.env.SAMSA_TEST_LOG ? consoleLogger('debug') : silentLogger,
    port: 0,
    host: '127.0.0.1',
    ...options,
    config: { 'log.dirs': dir, ...options.config },
  })
  const connections: Connection[] = []
  return {
    broker,
    dir,
    async connect() {
      const c = await Connection.connect({ host: broker.host, port: broker.boundPort, clientId: 'samsa-test' })
      connections.push(c)
      return c
    },
    async stop(remove = true) {
      for (const c of connections) c.destroy()
      await broker.close()
      if (remove) rmSync(dir, { recursive: true, force: true })
    },
  }
}

export async function createTopic(
  conn: Connection,
  name: string,
  numPartitions = 1,
  configs: Record<string, string> = {},
): Promise<string> {
  const res = await conn.request(
    CreateTopics,
    7,
    CreateTopics.request.make({
      topics: [
        {
          name,
          numPartitions,
          replicationFactor: -1,
          configs: Object.entries(configs).map(([n, value]) => ({ name: n, value })),
        },
      ],
    }),
  )
  const topic = res.topics[0]
  if (topic?.errorCode !== 0) throw new Error(`CreateTopics ${name}: error ${topic?.errorCode} ${topic?.errorMessage}`)
  return topic.topicId
}

export async function produce(
  conn: Connection,
  topic: string,
  partition: number,
  records: Buffer,
  options: { acks?: number; version?: number } = {},
): Promise<ProduceResponse['responses'][number]['partitionResponses'][number]> {
  const res = await conn.request(
    Produce,
    options.version ?? 9,
    Produce.request.make({
      acks: options.acks ?? -1,
      timeoutMs: 30000,
      topicData: [{ name: topic, partitionData: [{ index: partition, records }] }],
    }),
    { expectResponse: options.acks !== 0 },
  )
  if (options.acks === 0) return Produce.response.make().responses[0]?.partitionResponses[0] as never
  const p = res.responses[0]?.partitionResponses[0]
  if (p === undefined) throw new Error('empty produce response')
  return p
}

export async function fetchOnce(
  conn: Connection,
  topic: string,
  partition: number,
  fetchOffset: bigint,
  options: { maxWaitMs?: number; minBytes?: number; version?: number; topicId?: string; isolationLevel?: number } = {},
): Promise<FetchResponse['responses'][number]['partitions'][number]> {
  const version = options.version ?? 12
  const res = await conn.request(
    Fetch,
    version,
    Fetch.request.make({
      maxWaitMs: options.maxWaitMs ?? 0,
      minBytes: options.minBytes ?? 1,
      maxBytes: 1 << 20,
      isolationLevel: options.isolationLevel ?? 0,
      sessionEpoch: -1,
      topics: [
        {
          topic,
          topicId: options.topicId ?? 'AAAAAAAAAAAAAAAAAAAAAA',
          partitions: [{ partition, fetchOffset, partitionMaxBytes: 1 << 20 }],
        },
      ],
    }),
  )
  const p = res.responses[0]?.partitions[0]
  if (p === undefined) throw new Error(`empty fetch response (error ${res.errorCode})`)
  return p
}
