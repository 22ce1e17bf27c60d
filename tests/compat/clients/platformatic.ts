// @platformatic/kafka 2.x steps for the compat suite (protocol: lib/child-driver.ts). Runs under Node 22
// (scripts/with-node22.sh): 2.x needs Promise.withResolvers and zlib zstd. Admin through Admin.createTopics/
// deleteTopics; consume through Consumer.fetch() (one Fetch per leader, by topic id, no group); offsets through
// Consumer.listOffsets (ListOffsets, earliest -2 and latest -1). send() reports offsets per partition, not per
// record, so this program writes no delivery reports.

import assert from 'node:assert/strict'
import { createWriteStream } from 'node:fs'
import { Admin, Consumer, FetchIsolationLevels, Producer, type CompressionAlgorithmValue } from '@platformatic/kafka'
import { serveSteps, type StepArgs } from '../lib/client-program.ts'
import { consumedLine, readRecordsFile, type ConsumedRecord, type Header } from '../lib/records.ts'

type FetchResponse = Awaited<ReturnType<Consumer['fetch']>>

function base(args: StepArgs): { clientId: string; bootstrapBrokers: string[]; timeout: number; retries: number } {
  return { clientId: 'compat-platformatic', bootstrapBrokers: [args.bootstrap], timeout: 20_000, retries: 2 }
}

const partitionList = (args: StepArgs): number[] => Array.from({ length: args.partitions }, (_, p) => p)
const SEND_SIZE = 500
const CONTROL_BATCH = 0x20

function consumer(args: StepArgs): Consumer {
  // a groupId is required by the constructor; fetch() and listOffsets() never join the group
  return new Consumer({ ...base(args), groupId: 'compat-unjoined', autocommit: false })
}

async function create(args: StepArgs): Promise<string> {
  const admin = new Admin(base(args))
  try {
    const created = await admin.createTopics({ topics: [args.topic], partitions: args.partitions, replicas: 1 })
    assert.equal(
      created.length,
      1,
      `createTopics returned ${JSON.stringify(created, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))}`,
    )
  } finally {
    await admin.close()
  }
  return ''
}

async function remove(args: StepArgs): Promise<string> {
  const admin = new Admin(base(args))
  try {
    await admin.deleteTopics({ topics: [args.topic] })
  } finally {
    await admin.close()
  }
  return ''
}

async function produce(args: StepArgs): Promise<string> {
  const { topic } = args
  const records = await readRecordsFile(args.in)
  const compression = args.codec as CompressionAlgorithmValue
  const producer = new Producer({ ...base(args), compression, acks: -1, autocreateTopics: false })
  try {
    for (let i = 0; i < records.length; i += SEND_SIZE) {
      const messages = records.slice(i, i + SEND_SIZE).map((r) => ({
        topic,
        key: r.key,
        value: r.value,
        headers: new Map(r.headers.map(([n, v]): [Buffer, Buffer] => [Buffer.from(n), v])),
      }))
      await producer.send({ messages })
    }
  } finally {
    await producer.close()
  }
  return ''
}

async function consume(args: StepArgs): Promise<string> {
  const { topic } = args
  const partitions = partitionList(args)
  const client = consumer(args)
  const out = createWriteStream(args.out)
  try {
    const metadata = await client.metadata({ topics: [topic], forceUpdate: true })
    const info = metadata.topics.get(topic)
    assert.ok(info, `metadata has no topic ${topic}`)
    assert.equal(info.partitionsCount, partitions.length, 'partition count in metadata')
    const next = new Map(partitions.map((p) => [p, 0n]))
    const high = new Map<number, bigint>()
    const pending = (p: number): boolean => !high.has(p) || (next.get(p) ?? 0n) < (high.get(p) ?? 0n)
    while (partitions.some(pending)) {
      const byLeader = new Map<number, number[]>()
      for (const p of partitions.filter(pending)) {
        const leader = info.partitions[p]?.leader ?? -1
        byLeader.set(leader, [...(byLeader.get(leader) ?? []), p])
      }
      for (const [node, ps] of byLeader) {
        const response: FetchResponse = await client.fetch({
          node,
          maxWaitTime: 500,
          minBytes: 1,
          maxBytes: 10 << 20,
          isolationLevel: FetchIsolationLevels.READ_COMMITTED,
          topics: [
            {
              topicId: info.id,
              partitions: ps.map((partition) => ({
                partition,
                currentLeaderEpoch: -1,
                fetchOffset: next.get(partition) ?? 0n,
                lastFetchedEpoch: -1,
                partitionMaxBytes: 1 << 20,
              })),
            },
          ],
        })
        for (const t of response.responses) {
          for (const r of t.partitions) {
            assert.equal(r.errorCode, 0, `Fetch ${topic}/${r.partitionIndex}: error code ${r.errorCode}`)
            high.set(r.partitionIndex, r.highWatermark)
            for (const batch of r.records ?? []) {
              if (batch.attributes & CONTROL_BATCH) continue
              for (const record of batch.records) {
                const offset = batch.firstOffset + BigInt(record.offsetDelta)
                if (offset < (next.get(r.partitionIndex) ?? 0n)) continue
                const headers = record.headers.map(([n, v]): Header => [
                  (n ?? Buffer.alloc(0)).toString(),
                  v ?? Buffer.alloc(0),
                ])
                const consumed: ConsumedRecord = {
                  partition: r.partitionIndex,
                  offset: Number(offset),
                  key: record.key ?? Buffer.alloc(0),
                  value: record.value ?? Buffer.alloc(0),
                  headers,
                }
                out.write(consumedLine(consumed))
                next.set(r.partitionIndex, offset + 1n)
              }
            }
          }
        }
      }
    }
  } finally {
    await new Promise((resolve) => out.end(resolve))
    await client.close()
  }
  return ''
}

async function offsets(args: StepArgs): Promise<string> {
  const { topic } = args
  const client = consumer(args)
  try {
    const earliest = await client.listOffsets({ topics: [topic], timestamp: -2n })
    const latest = await client.listOffsets({ topics: [topic], timestamp: -1n })
    const result = partitionList(args).map((partition) => ({
      partition,
      earliest: Number(earliest.get(topic)?.[partition] ?? -1n),
      latest: Number(latest.get(topic)?.[partition] ?? -1n),
    }))
    return JSON.stringify(result)
  } finally {
    await client.close()
  }
}

await serveSteps({ create, delete: remove, produce, consume, offsets })
