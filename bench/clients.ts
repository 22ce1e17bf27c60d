// npm run bench:clients — produce then consume 1,000,000 × 100-byte keyless records against one compiled
// `samsa broker`, with @samsa/client, kafkajs 2.2.4, @confluentinc/kafka-javascript 1.10 (node-rdkafka-style
// Producer/KafkaConsumer) and @platformatic/kafka 2.x (this file again, as a child process on Node 22 with
// --platformatic-child), each on a fresh topic, for 1 and 8 partitions. Produce: acks=1, no compression, a common ~1 MB batch (batch.size
// 1,000,000 + linger 5 ms where the client batches by itself; send() calls of 8,000 records, 8 in flight, where a
// call is the batch). Consume: from offset 0 until every record is read. Each phase is timed with performance.now()
// and bounded by BENCH_PHASE_TIMEOUT_MS (120 s). Writes bench/results/clients.md and bench/results/clients.svg.
// The clients are imported where they are used, so the Node 22 child loads only @platformatic/kafka. The npm script
// runs without --conditions=source, so @samsa/client is its compiled dist/ (as published), like the other clients.

import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Connection } from '@samsa/net'
import { createTopics, startBrokerProcess } from '@samsa/testkit'

const RECORDS = Number(process.env.BENCH_RECORDS ?? 1_000_000)
const RECORD_BYTES = 100
const PARTITION_COUNTS = (process.env.BENCH_PARTITIONS ?? '1,8').split(',').map(Number)
const PHASE_TIMEOUT_MS = Number(process.env.BENCH_PHASE_TIMEOUT_MS ?? 120_000)
const CHUNK = 8000 // records per send() call: ~0.9 MB of records, under the broker's 1 MB message.max.bytes
const WINDOW = 8 // send() calls in flight
const BATCH_BYTES = Number(process.env.BENCH_BATCH_BYTES ?? 1_000_000)
const LINGER_MS = 5
const CLIENTS = (process.env.BENCH_CLIENTS ?? 'samsa,kafkajs,confluent,platformatic').split(',')

const here = dirname(fileURLToPath(import.meta.url))
const repoRoot = join(here, '..')
const value = Buffer.alloc(RECORD_BYTES, 120)

interface Phases {
  produceMs?: number
  consumeMs?: number
  error?: string
}

class PhaseTimeout extends Error {}

function bounded<T>(what: string, p: Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new PhaseTimeout(`${what} exceeded ${PHASE_TIMEOUT_MS} ms`)),
      PHASE_TIMEOUT_MS,
    )
    p.then(resolve, reject).finally(() => clearTimeout(timer))
  })
}

/** Calls `send(n)` for chunks of CHUNK records, WINDOW at a time. */
async function windowed(send: (n: number) => Promise<unknown>): Promise<void> {
  const inFlight = new Set<Promise<unknown>>()
  for (let sent = 0; sent < RECORDS; sent += CHUNK) {
    const p = send(Math.min(CHUNK, RECORDS - sent))
    inFlight.add(p)
    void p.finally(() => inFlight.delete(p)).catch(() => undefined)
    if (inFlight.size >= WINDOW) await Promise.race(inFlight)
  }
  await Promise.all(inFlight)
}

async function timed(what: string, fn: () => Promise<void>): Promise<number> {
  const start = performance.now()
  await bounded(what, fn())
  return performance.now() - start
}

async function samsa(bootstrap: string, topic: string, partitions: number): Promise<Phases> {
  const { createConsumer, createProducer } = await import('@samsa/client')
  const producer = createProducer({
    bootstrapServers: bootstrap,
    acks: 1,
    lingerMs: LINGER_MS,
    batchSize: BATCH_BYTES,
    compression: 'none',
  })
  const messages = Array.from({ length: CHUNK }, () => ({ value }))
  let produceMs: number
  try {
    produceMs = await timed('produce', () =>
      windowed((n) => producer.send({ topic, messages: n === CHUNK ? messages : messages.slice(0, n) })),
    )
  } finally {
    await producer.close()
  }
  const consumer = createConsumer({ bootstrapServers: bootstrap, autoOffsetReset: 'earliest' })
  let consumed = 0
  let running: Promise<void> | undefined
  try {
    const consumeMs = await timed('consume', async () => {
      consumer.assign(Array.from({ length: partitions }, (_, partition) => ({ topic, partition, offset: 0n })))
      await new Promise<void>((resolve, reject) => {
        running = consumer.run({
          eachBatch: (batch) => {
            consumed += batch.messages.length
            if (consumed >= RECORDS) resolve()
          },
        })
        running.catch(reject)
      })
    })
    return { produceMs, consumeMs }
  } finally {
    await consumer.close()
    await running?.catch(() => undefined)
  }
}

async function kafkajs(bootstrap: string, topic: string): Promise<Phases> {
  const { CompressionTypes, Kafka, logLevel } = await import('kafkajs')
  const kafka = new Kafka({ clientId: 'bench-kafkajs', brokers: [bootstrap], logLevel: logLevel.NOTHING })
  const producer = kafka.producer({ allowAutoTopicCreation: false })
  await producer.connect()
  const messages = Array.from({ length: CHUNK }, () => ({ value }))
  let produceMs: number
  try {
    produceMs = await timed('produce', () =>
      windowed((n) =>
        producer.send({
          topic,
          acks: 1,
          compression: CompressionTypes.None,
          messages: n === CHUNK ? messages : messages.slice(0, n),
        }),
      ),
    )
  } finally {
    await producer.disconnect()
  }
  // kafkajs consumes only as a group member: the time includes joining the group
  const consumer = kafka.consumer({ groupId: `bench-kafkajs-${topic}` })
  let consumed = 0
  try {
    const consumeMs = await timed('consume', async () => {
      await consumer.connect()
      await consumer.subscribe({ topic, fromBeginning: true })
      await new Promise<void>((resolve, reject) => {
        consumer
          .run({
            autoCommit: false,
            eachBatch: ({ batch }) => {
              consumed += batch.messages.length
              if (consumed >= RECORDS) resolve()
              return Promise.resolve()
            },
          })
          .catch(reject)
      })
    })
    return { produceMs, consumeMs }
  } finally {
    await consumer.disconnect()
  }
}

async function confluent(bootstrap: string, topic: string, partitions: number): Promise<Phases> {
  const ckjs = (await import('@confluentinc/kafka-javascript')).default
  const producer = new ckjs.Producer({
    'bootstrap.servers': bootstrap,
    acks: 1,
    'linger.ms': LINGER_MS,
    'batch.size': BATCH_BYTES,
    'compression.codec': 'none',
    'queue.buffering.max.messages': RECORDS * 2,
    dr_cb: true,
    log_level: 0,
  })
  await new Promise<void>((resolve, reject) =>
    producer.connect({}, (err) => (err ? reject(new Error(err.message)) : resolve())),
  )
  let produceMs: number
  try {
    produceMs = await timed('produce', async () => {
      let delivered = 0
      let failed: Error | undefined
      const done = new Promise<void>((resolve, reject) => {
        producer.on('delivery-report', (err) => {
          if (err) failed ??= new Error(err.message)
          if (++delivered < RECORDS) return
          if (failed) reject(failed)
          else resolve()
        })
      })
      producer.setPollInterval(5)
      for (let i = 0; i < RECORDS; i++) producer.produce(topic, null, value, null)
      await done
    })
  } finally {
    await new Promise<void>((resolve) => producer.disconnect(() => resolve()))
  }
  // assign() needs no group round trips; group.id is only required by the constructor
  const consumer = new ckjs.KafkaConsumer(
    {
      'bootstrap.servers': bootstrap,
      'group.id': `bench-confluent-${topic}`,
      'enable.auto.commit': false,
      log_level: 0,
    },
    {},
  )
  let stop = false
  try {
    const consumeMs = await timed('consume', async () => {
      await new Promise<void>((resolve, reject) =>
        consumer.connect({}, (err) => (err ? reject(new Error(err.message)) : resolve())),
      )
      consumer.assign(Array.from({ length: partitions }, (_, partition) => ({ topic, partition, offset: 0 })))
      let consumed = 0
      while (consumed < RECORDS && !stop) {
        consumed += await new Promise<number>((resolve, reject) =>
          consumer.consume(10_000, (err, messages) =>
            err ? reject(new Error(err.message)) : resolve(messages.length),
          ),
        )
      }
    })
    return { produceMs, consumeMs }
  } finally {
    stop = true
    await new Promise<void>((resolve) => consumer.disconnect(() => resolve()))
  }
}

async function platformatic(bootstrap: string, topic: string): Promise<Phases> {
  const script = join(repoRoot, 'scripts/with-node22.sh')
  // installs the Node 22 binary on first use, outside the measured phases
  await new Promise<void>((resolve, reject) => {
    const child = spawn('bash', [script, 'node', '--version'], { stdio: 'ignore' })
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`with-node22.sh exited ${code}`))))
  })
  const self = fileURLToPath(import.meta.url)
  const args = [
    script,
    'node',
    '--conditions=source',
    '--import',
    'tsx',
    self,
    '--platformatic-child',
    bootstrap,
    topic,
  ]
  const child = spawn('bash', args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] })
  let out = ''
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()))
  const killer = setTimeout(() => child.kill('SIGKILL'), 2 * PHASE_TIMEOUT_MS + 30_000)
  await new Promise<void>((resolve) => child.on('exit', () => resolve()))
  clearTimeout(killer)
  const line = out.trim().split('\n').at(-1) ?? ''
  try {
    return JSON.parse(line) as Phases
  } catch {
    return { error: `child printed no result: ${line.slice(0, 200) || '(nothing)'}` }
  }
}

const LABELS: Record<string, string> = {
  samsa: '@samsa/client',
  kafkajs: 'kafkajs 2.2.4',
  confluent: '@confluentinc/kafka-javascript 1.10.1',
  platformatic: '@platformatic/kafka 2.12.1 (Node 22)',
}

async function runClient(client: string, bootstrap: string, topic: string, partitions: number): Promise<Phases> {
  try {
    if (client === 'samsa') return await samsa(bootstrap, topic, partitions)
    if (client === 'kafkajs') return await kafkajs(bootstrap, topic)
    if (client === 'confluent') return await confluent(bootstrap, topic, partitions)
    if (client === 'platformatic') return await platformatic(bootstrap, topic)
    return { error: `unknown client ${client}` }
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) }
  }
}

/** The Node 22 child: produce, then consume, with @platformatic/kafka; prints one JSON line of Phases. */
async function platformaticChild(bootstrap: string, topic: string): Promise<Phases> {
  const { Consumer, MessagesStreamModes, Producer } = await import('@platformatic/kafka')
  const base = { clientId: 'bench-platformatic', bootstrapBrokers: [bootstrap] }
  const producer = new Producer({ ...base, acks: 1, autocreateTopics: false, compression: 'none' })
  const messages = Array.from({ length: CHUNK }, () => ({ topic, value }))
  let produceMs: number
  try {
    produceMs = await timed('produce', () =>
      windowed((n) => producer.send({ messages: n === CHUNK ? messages : messages.slice(0, n) })),
    )
  } finally {
    await producer.close()
  }
  // its consumer streams only as a group member (mode earliest): the time includes joining the group
  const consumer = new Consumer({ ...base, groupId: `bench-platformatic-${topic}`, autocommit: false })
  let stream: { close(): Promise<void> } | undefined
  try {
    const consumeMs = await timed('consume', async () => {
      const s = await consumer.consume({ topics: [topic], mode: MessagesStreamModes.EARLIEST, autocommit: false })
      stream = s
      let consumed = 0
      await new Promise<void>((resolve, reject) => {
        s.on('data', () => {
          if (++consumed === RECORDS) resolve()
        })
        s.on('error', reject)
      })
    })
    return { produceMs, consumeMs }
  } finally {
    await stream?.close()
    await consumer.close(true)
  }
}

if (process.argv[2] === '--platformatic-child') {
  const [bootstrap = '', topic = ''] = process.argv.slice(3)
  let phases: Phases
  try {
    phases = await platformaticChild(bootstrap, topic)
  } catch (error) {
    phases = { error: error instanceof Error ? error.message : String(error) }
  }
  console.log(JSON.stringify(phases))
  process.exit(0)
}

const results = new Map<number, Map<string, Phases>>()
const dataDir = mkdtempSync(join(tmpdir(), 'samsa-clients-'))
const broker = await startBrokerProcess({
  dataDir,
  entry: 'compiled',
  stdio: 'ignore',
  overrides: { 'group.initial.rebalance.delay.ms': '0' },
})
try {
  for (const partitions of PARTITION_COUNTS) {
    const byClient = new Map<string, Phases>()
    results.set(partitions, byClient)
    for (const client of CLIENTS) {
      const topic = `bench-${client}-${partitions}p`
      const conn = await Connection.connect({ host: '127.0.0.1', port: Number(broker.bootstrap.split(':')[1]) })
      await createTopics(conn, [{ name: topic, partitions }])
      await conn.close()
      const phases = await runClient(client, broker.bootstrap, topic, partitions)
      byClient.set(client, phases)
      console.log(`${partitions}p ${client}: ${JSON.stringify(phases)}`)
    }
  }
} finally {
  await broker.stop()
  rmSync(dataDir, { recursive: true, force: true })
}

const rate = (ms: number | undefined): number | undefined => (ms === undefined ? undefined : RECORDS / (ms / 1000))
const fmt = (n: number | undefined): string => (n === undefined ? '—' : Math.round(n).toLocaleString('en-US'))
const ratio = (a: number | undefined, b: number | undefined): string =>
  a === undefined || b === undefined ? '—' : `${(a / b).toFixed(2)}×`

const md: string[] = [
  `# Client throughput: produce and consume ${RECORDS.toLocaleString('en-US')} × ${RECORD_BYTES}-byte records`,
  '',
  `Command: \`npm run bench:clients\` (${new Date().toISOString().slice(0, 10)}). Node ${process.version} for`,
  'every client but @platformatic/kafka, which runs as a child process on Node 22 (`scripts/with-node22.sh`);',
  `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}. One compiled \`samsa broker\` on localhost`,
  '(group.initial.rebalance.delay.ms=0), a fresh topic per client and partition count. @samsa/client runs from its',
  'compiled dist/ (the npm script builds first and does not pass --conditions=source).',
  '',
  `- Produce: ${RECORDS.toLocaleString('en-US')} keyless ${RECORD_BYTES}-byte values, acks=1, no compression. Clients`,
  `  that batch by themselves (@samsa/client, librdkafka) get batch.size ${BATCH_BYTES.toLocaleString('en-US')} and`,
  `  linger.ms ${LINGER_MS}; every client is fed in send() calls of ${CHUNK.toLocaleString('en-US')} records`,
  `  (~0.9 MB, a call is the batch for kafkajs and @platformatic/kafka), ${WINDOW} calls in flight (librdkafka:`,
  '  produce() per record, done when every delivery report is in). Timed from the first send to the last ack.',
  '- Consume: from offset 0 until every record is read. @samsa/client and librdkafka use assign() (no group);',
  '  kafkajs and @platformatic/kafka can only consume as group members, so their time includes joining the group.',
  '  Timed from creating the consumer to the last record.',
  `- Each phase is bounded by ${PHASE_TIMEOUT_MS / 1000} s.`,
  '',
]
const svgRows: { label: string; produce?: number; consume?: number }[] = []
for (const [partitions, byClient] of results) {
  const kjs = byClient.get('kafkajs')
  const others = [...byClient].filter(([c]) => c !== 'samsa')
  const bestOther = (key: 'produceMs' | 'consumeMs'): number | undefined => {
    const rates = others.map(([, p]) => rate(p[key])).filter((r): r is number => r !== undefined)
    return rates.length ? Math.max(...rates) : undefined
  }
  md.push(
    `## ${partitions} partition${partitions === 1 ? '' : 's'}`,
    '',
    '| client | produce msg/s | consume msg/s | produce vs kafkajs | consume vs kafkajs | note |',
    '| --- | ---: | ---: | ---: | ---: | --- |',
  )
  for (const [client, p] of byClient) {
    md.push(
      `| ${LABELS[client] ?? client} | ${fmt(rate(p.produceMs))} | ${fmt(rate(p.consumeMs))} | ` +
        `${ratio(rate(p.produceMs), rate(kjs?.produceMs))} | ${ratio(rate(p.consumeMs), rate(kjs?.consumeMs))} | ` +
        `${p.error ? `not measured: ${p.error.replaceAll('|', '/')}` : ''} |`,
    )
    svgRows.push({ label: `${LABELS[client]?.split(' ')[0] ?? client} ${partitions}p`, ...toRates(p) })
  }
  const s = byClient.get('samsa')
  const sp = rate(s?.produceMs)
  const sc = rate(s?.consumeMs)
  const bp = bestOther('produceMs')
  const bc = bestOther('consumeMs')
  const kp = rate(kjs?.produceMs)
  const kc = rate(kjs?.consumeMs)
  const met = (a: number | undefined, b: number | undefined, f: number): string =>
    a === undefined || b === undefined ? 'not measured' : a >= f * b ? 'met' : 'not met'
  md.push(
    '',
    `Targets (issue 6): @samsa/client ≥ 2× kafkajs — produce ${ratio(sp, kp)} (${met(sp, kp, 2)}), consume`,
    `${ratio(sc, kc)} (${met(sc, kc, 2)}); ≥ the best other client — produce ${ratio(sp, bp)} (${met(sp, bp, 1)}),`,
    `consume ${ratio(sc, bc)} (${met(sc, bc, 1)}).`,
    '',
  )
}
md.push('![bar chart of the table](clients.svg)', '')

function toRates(p: Phases): { produce?: number; consume?: number } {
  const out: { produce?: number; consume?: number } = {}
  const pr = rate(p.produceMs)
  const cr = rate(p.consumeMs)
  if (pr !== undefined) out.produce = pr
  if (cr !== undefined) out.consume = cr
  return out
}

function svg(rows: typeof svgRows): string {
  const max = Math.max(1, ...rows.flatMap((r) => [r.produce ?? 0, r.consume ?? 0]))
  const left = 190
  const width = 760
  const barW = width - left - 110
  const rowH = 36
  const height = 50 + rows.length * rowH + 20
  const esc = (s: string): string => s.replaceAll('&', '&amp;').replaceAll('<', '&lt;')
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="10" y="20" font-size="14" font-weight="bold">msg/s, ${RECORDS.toLocaleString('en-US')} × ${RECORD_BYTES} B records (higher is better)</text>`,
    `<rect x="${left}" y="30" width="12" height="10" fill="#4c78a8"/><text x="${left + 16}" y="39">produce</text>`,
    `<rect x="${left + 90}" y="30" width="12" height="10" fill="#f58518"/><text x="${left + 106}" y="39">consume</text>`,
  ]
  rows.forEach((r, i) => {
    const y = 50 + i * rowH
    parts.push(`<text x="${left - 8}" y="${y + 18}" text-anchor="end">${esc(r.label)}</text>`)
    for (const [k, v, color, dy] of [
      ['p', r.produce, '#4c78a8', 2],
      ['c', r.consume, '#f58518', 17],
    ] as const) {
      void k
      const w = v === undefined ? 0 : Math.max(1, (v / max) * barW)
      parts.push(`<rect x="${left}" y="${y + dy}" width="${w.toFixed(1)}" height="13" fill="${color}"/>`)
      parts.push(`<text x="${(left + w + 4).toFixed(1)}" y="${y + dy + 11}">${v === undefined ? 'n/a' : fmt(v)}</text>`)
    }
  })
  parts.push('</svg>', '')
  return parts.join('\n')
}

const mdPath = join(here, 'results/clients.md')
mkdirSync(dirname(mdPath), { recursive: true })
writeFileSync(mdPath, md.join('\n'))
writeFileSync(join(here, 'results/clients.svg'), svg(svgRows))
console.log(md.join('\n'))
process.exit(0)
