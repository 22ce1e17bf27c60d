// npm run bench:rebalance — how long a consumer group takes to settle as 10 members join one at a time on a
// 100-partition topic, with the classic protocol (JoinGroup/SyncGroup, librdkafka's default range,roundrobin eager
// assignment) and with KIP-848 (group.protocol=consumer, the broker's uniform assignor), side by side in one run.
// Members are @confluentinc/kafka-javascript KafkaConsumers (librdkafka 2.15.1) in this process; the broker is the
// compiled `samsa broker` in its own process, with Kafka's defaults except group.initial.rebalance.delay.ms=0, so
// the numbers measure the protocols rather than the initial join delay.
// "Settled" = every member owns at least one partition and together they own each partition exactly once, as the
// members themselves report (KafkaConsumer.assignments()). Writes bench/results/rebalance.md.

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import ckjs, { type KafkaConsumer } from '@confluentinc/kafka-javascript'
import { Connection } from '@samsa/net'
import { createTopics, startBrokerProcess } from '@samsa/testkit'
import { writeResults } from './harness.ts'

const MEMBERS = Number(process.env.BENCH_MEMBERS ?? 10)
const PARTITIONS = Number(process.env.BENCH_PARTITIONS ?? 100)
const SETTLE_TIMEOUT_MS = 120_000

type Protocol = 'classic' | 'consumer'

function settled(members: readonly KafkaConsumer[]): boolean {
  const owned = new Set<number>()
  let total = 0
  for (const member of members) {
    const partitions = member.assignments()
    if (partitions.length === 0) return false
    for (const p of partitions) owned.add(p.partition)
    total += partitions.length
  }
  return total === PARTITIONS && owned.size === PARTITIONS
}

/** Heartbeat settings of a run: the clients' and broker's defaults, or 500 ms on both sides. */
interface Heartbeats {
  name: string
  /** Client heartbeat.interval.ms for classic members (KIP-848 members take the broker's interval). */
  classicMs?: number
}

async function connectMember(
  bootstrap: string,
  protocol: Protocol,
  group: string,
  topic: string,
  heartbeats: Heartbeats,
): Promise<KafkaConsumer> {
  const member = new ckjs.KafkaConsumer({
    'bootstrap.servers': bootstrap,
    'group.id': group,
    'group.protocol': protocol,
    ...(protocol === 'classic' && heartbeats.classicMs !== undefined
      ? { 'heartbeat.interval.ms': heartbeats.classicMs }
      : {}),
    'enable.auto.commit': true,
    'auto.offset.reset': 'earliest',
    log_level: 0,
  })
  await new Promise<void>((resolve, reject) =>
    member.connect({}, (err) => (err ? reject(new Error(err.message)) : resolve())),
  )
  member.subscribe([topic])
  member.consume()
  return member
}

async function disconnect(member: KafkaConsumer): Promise<void> {
  await new Promise<void>((resolve) => member.disconnect(() => resolve()))
}

async function run(bootstrap: string, protocol: Protocol, topic: string, heartbeats: Heartbeats): Promise<number[]> {
  const members: KafkaConsumer[] = []
  const times: number[] = []
  try {
    for (let i = 0; i < MEMBERS; i++) {
      const start = performance.now()
      members.push(
        await connectMember(bootstrap, protocol, `rebalance-${protocol}-${heartbeats.name}`, topic, heartbeats),
      )
      while (!settled(members)) {
        if (performance.now() - start > SETTLE_TIMEOUT_MS) throw new Error(`${protocol}: member ${i + 1} never settled`)
        await new Promise((r) => setTimeout(r, 10))
      }
      times.push(performance.now() - start)
      console.log(`${heartbeats.name} ${protocol}: ${i + 1} member(s) settled after ${times.at(-1)?.toFixed(0)} ms`)
    }
  } finally {
    for (const member of members) await disconnect(member)
  }
  return times
}

const SETTINGS: { heartbeats: Heartbeats; overrides: Record<string, string> }[] = [
  { heartbeats: { name: 'defaults' }, overrides: {} },
  {
    heartbeats: { name: '500ms', classicMs: 500 },
    overrides: { 'group.consumer.heartbeat.interval.ms': '500', 'group.consumer.min.heartbeat.interval.ms': '500' },
  },
]
const sections: string[] = []
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0)

for (const { heartbeats, overrides } of SETTINGS) {
  const dataDir = mkdtempSync(join(tmpdir(), 'samsa-rebalance-'))
  const broker = await startBrokerProcess({
    dataDir,
    entry: 'compiled',
    stdio: 'ignore',
    overrides: { 'group.initial.rebalance.delay.ms': '0', ...overrides },
  })
  const results = new Map<Protocol, number[]>()
  try {
    const conn = await Connection.connect({ host: '127.0.0.1', port: Number(broker.bootstrap.split(':')[1]) })
    await createTopics(conn, [
      { name: 'rebalance-classic', partitions: PARTITIONS },
      { name: 'rebalance-consumer', partitions: PARTITIONS },
    ])
    await conn.close()
    for (const protocol of ['classic', 'consumer'] as const) {
      results.set(protocol, await run(broker.bootstrap, protocol, `rebalance-${protocol}`, heartbeats))
    }
  } finally {
    await broker.stop()
    rmSync(dataDir, { recursive: true, force: true })
  }
  const classic = results.get('classic') ?? []
  const consumer = results.get('consumer') ?? []
  sections.push(
    heartbeats.name === 'defaults'
      ? '### Default heartbeats (classic: heartbeat.interval.ms 3000; KIP-848: group.consumer.heartbeat.interval.ms 5000)'
      : '### 500 ms heartbeats (classic heartbeat.interval.ms=500; broker group.consumer.heartbeat.interval.ms=500)',
    '',
    '| members | classic ms | KIP-848 ms |',
    '| ---: | ---: | ---: |',
    ...classic.map((ms, i) => `| ${i + 1} | ${ms.toFixed(0)} | ${consumer[i]?.toFixed(0) ?? '—'} |`),
    `| **total** | **${sum(classic).toFixed(0)}** | **${sum(consumer).toFixed(0)}** |`,
    `| mean per rebalance | ${(sum(classic) / classic.length).toFixed(0)} | ${(sum(consumer) / consumer.length).toFixed(0)} |`,
    '',
  )
}

const lines = [
  `${MEMBERS} members join one at a time a group on a ${PARTITIONS}-partition topic; each row is the time from a member's`,
  'connect() until every member reports a share of the partitions and together they own each exactly once.',
  "Members: @confluentinc/kafka-javascript KafkaConsumer (librdkafka 2.15.1); classic = librdkafka's default",
  "range,roundrobin (eager), KIP-848 = group.protocol=consumer with the broker's uniform assignor.",
  'Broker: compiled `samsa broker`, Kafka defaults except group.initial.rebalance.delay.ms=0. With either protocol',
  'the members already in the group learn of a change on their next heartbeat, so a rebalance takes about one',
  'heartbeat interval; the second table shows what is left when heartbeats are frequent.',
  '',
  ...sections,
]
const body = lines.join('\n')
console.log(body)
writeResults(
  'bench/results/rebalance.md',
  'Consumer group rebalance time: classic vs KIP-848',
  'npm run bench:rebalance',
  body,
)
