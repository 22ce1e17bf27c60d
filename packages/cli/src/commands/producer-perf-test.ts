// `samsa producer-perf-test`: kafka-producer-perf-test.sh (ProducerPerformance). Sends --num-records records of
// --record-size random uppercase letters (or lines of --payload-file) at --throughput records/s (-1: as fast as
// possible), prints Kafka's window line every --reporting-interval ms while it runs and Kafka's summary line at the
// end: records/sec, MB/sec, average and maximum latency, and the 50th/95th/99th/99.9th latency percentiles.
// With --transactional-id or --transaction-duration-ms the records go in transactions, each committed once it has
// been open that long (3000 ms by default), as Kafka's tool does.

import { readFileSync } from 'node:fs'
import { UsageError, keyValues, type Command, type ParsedArgs } from '../args.ts'
import { clientProperties, producerFrom } from '../config.ts'
import { errorMessage, json } from '../format.ts'
import type { CliIo } from '../io.ts'

export const producerPerfTestCommand: Command = {
  name: 'producer-perf-test',
  summary: 'Measure produce throughput and latency (kafka-producer-perf-test.sh).',
  usage:
    '--topic <t> --num-records <n> (--record-size <bytes> | --payload-file <file>) --throughput <rec/s|-1> ' +
    '(--producer-props k=v ... | --producer.config <file> | --bootstrap-server <host:port>)',
  flags: {
    topic: { type: 'string', arg: 'topic', description: 'the topic to produce to (required)' },
    'num-records': { type: 'string', arg: 'n', description: 'how many records to send (required)' },
    'record-size': { type: 'string', arg: 'bytes', description: 'the size of each record' },
    'payload-file': { type: 'string', arg: 'file', description: 'records are random lines of this file' },
    'payload-delimiter': { type: 'string', arg: 'text', description: 'splits --payload-file (default \\n)' },
    throughput: {
      type: 'string',
      arg: 'rec/s',
      description: 'throttle to this many records/s; -1 for none (required)',
    },
    'producer-props': { type: 'string', multiple: true, arg: 'k=v ...', description: 'producer configs' },
    'producer.config': { type: 'string', arg: 'file', description: 'producer configs from a .properties file' },
    'reporting-interval': { type: 'string', arg: 'ms', description: 'how often to print a window line (5000)' },
    'transactional-id': {
      type: 'string',
      arg: 'id',
      description:
        'produce in transactions with this transactional.id (default performance-producer-default-transactional-id)',
    },
    'transaction-duration-ms': {
      type: 'string',
      arg: 'ms',
      description: 'commit each transaction after this long; > 0 turns transactions on (3000 with --transactional-id)',
    },
  },
  greedy: ['producer-props'],
  run: runProducerPerf,
}

/** Java's String.format("%.Nf"): fixed decimals (JavaScript rounds the same way for these magnitudes). */
export const fixed = (n: number, digits: number): string => (Number.isFinite(n) ? n.toFixed(digits) : 'NaN')

export function windowLine(w: { count: number; bytes: number; ms: number; latencySum: number; maxLatency: number }) {
  const seconds = w.ms / 1000
  return (
    `${w.count} records sent, ${fixed(w.count / seconds, 1)} records/sec (${fixed(w.bytes / seconds / (1024 * 1024), 2)} MB/sec), ` +
    `${fixed(w.count === 0 ? 0 : w.latencySum / w.count, 1)} ms avg latency, ${fixed(w.maxLatency, 1)} ms max latency.\n`
  )
}

/** Kafka's final line; percentiles are whole milliseconds, taken at index (int)(p × samples) of the sorted latencies. */
export function summaryLine(s: {
  count: number
  bytes: number
  ms: number
  latencySum: number
  maxLatency: number
  latencies: readonly number[]
}): string {
  const seconds = s.ms / 1000
  const sorted = [...s.latencies].sort((a, b) => a - b)
  const at = (p: number) => Math.trunc(sorted[Math.min(sorted.length - 1, Math.trunc(p * sorted.length))] ?? 0)
  return (
    `${s.count} records sent, ${fixed(s.count / seconds, 6)} records/sec (${fixed(s.bytes / seconds / (1024 * 1024), 2)} MB/sec), ` +
    `${fixed(s.count === 0 ? 0 : s.latencySum / s.count, 2)} ms avg latency, ${fixed(s.maxLatency, 2)} ms max latency, ` +
    `${at(0.5)} ms 50th, ${at(0.95)} ms 95th, ${at(0.99)} ms 99th, ${at(0.999)} ms 99.9th.\n`
  )
}

/** At most this many latencies are kept; beyond it every k-th is sampled, as Kafka's Stats does (500,000). */
const MAX_SAMPLES = 500_000
/** Records in flight before the loop waits for acknowledgements. */
const MAX_IN_FLIGHT = 20_000

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function runProducerPerf(args: ParsedArgs, io: CliIo): Promise<number> {
  const topic = args.requireString('topic')
  const numRecords = args.int('num-records', 1)
  if (numRecords === undefined) throw new UsageError('--num-records is required')
  const throughput = args.int('throughput', -1)
  if (throughput === undefined || throughput === 0) throw new UsageError('--throughput is required (-1 for no limit)')
  const recordSize = args.int('record-size', 1)
  const payloadFile = args.string('payload-file')
  if ((recordSize === undefined) === (payloadFile === undefined)) {
    throw new UsageError('exactly one of --record-size or --payload-file is required')
  }
  const intervalMs = args.int('reporting-interval', 1) ?? 5000
  const payloads = payloadFile === undefined ? [randomPayload(recordSize as number)] : readPayloads(payloadFile, args)
  const transactionDurationMs =
    args.int('transaction-duration-ms', 0) ?? (args.string('transactional-id') === undefined ? 0 : 3000)
  const transactional = transactionDurationMs > 0
  const props = clientProperties('producer', args, io, {
    fileFlags: ['command-config', 'producer.config'],
    overrides: {
      'client.id': 'perf-producer-client',
      ...(transactional
        ? { 'transactional.id': args.string('transactional-id') ?? 'performance-producer-default-transactional-id' }
        : {}),
      ...keyValues(args.list('producer-props'), 'producer-props'),
    },
  })
  const producer = producerFrom(props)
  let transactionStart = 0
  if (transactional) await producer.initTransactions()
  const total = { count: 0, bytes: 0, latencySum: 0, maxLatency: 0, latencies: [] as number[] }
  const sampleEvery = Math.max(1, Math.trunc(numRecords / Math.min(numRecords, MAX_SAMPLES)))
  let window = { count: 0, bytes: 0, latencySum: 0, maxLatency: 0, start: Date.now() }
  let inFlight = 0
  let drained: (() => void) | null = null
  let failure: unknown = null
  const start = Date.now()
  const report = setInterval(() => {
    const now = Date.now()
    io.stdout.write(windowLine({ ...window, ms: now - window.start }))
    window = { count: 0, bytes: 0, latencySum: 0, maxLatency: 0, start: now }
  }, intervalMs)
  try {
    for (let i = 0; i < numRecords && failure === null && !io.signal.aborted; i++) {
      const payload = payloads[payloads.length === 1 ? 0 : Math.floor(Math.random() * payloads.length)] as Buffer
      if (transactional && transactionStart === 0) {
        producer.beginTransaction()
        transactionStart = Date.now()
      }
      const sentAt = performance.now()
      inFlight++
      producer
        .send({ topic, messages: [{ value: payload }] })
        .then(
          () => {
            const latency = performance.now() - sentAt
            total.count++
            total.bytes += payload.length
            total.latencySum += latency
            total.maxLatency = Math.max(total.maxLatency, latency)
            if (i % sampleEvery === 0) total.latencies.push(latency)
            window.count++
            window.bytes += payload.length
            window.latencySum += latency
            window.maxLatency = Math.max(window.maxLatency, latency)
          },
          (error: unknown) => void (failure ??= error),
        )
        .finally(() => {
          inFlight--
          if (inFlight < MAX_IN_FLIGHT / 2 && drained !== null) drained()
        })
      if (inFlight >= MAX_IN_FLIGHT) await new Promise<void>((r) => (drained = r)).finally(() => (drained = null))
      if (transactional && Date.now() - transactionStart >= transactionDurationMs) {
        await producer.commitTransaction()
        transactionStart = 0
      }
      if (throughput > 0) {
        // Kafka's ThroughputThrottler: sleep whenever the records sent so far are ahead of the target rate.
        const ahead = ((i + 1) / throughput) * 1000 - (Date.now() - start)
        if (ahead >= 1) await sleep(ahead)
      }
    }
    if (transactional && transactionStart !== 0 && failure === null) await producer.commitTransaction()
    await producer.flush()
  } finally {
    clearInterval(report)
    await producer.close()
  }
  if (failure !== null) throw new Error(`a send failed: ${errorMessage(failure)}`)
  const ms = Date.now() - start
  if (args.json) {
    io.stdout.write(
      json({ records: total.count, ms, bytes: total.bytes, avgLatencyMs: total.latencySum / total.count }),
    )
  } else io.stdout.write(summaryLine({ ...total, ms }))
  return 0
}

function randomPayload(size: number): Buffer {
  const payload = Buffer.alloc(size)
  for (let i = 0; i < size; i++) payload[i] = 65 + Math.floor(Math.random() * 26)
  return payload
}

function readPayloads(path: string, args: ParsedArgs): Buffer[] {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (e) {
    throw new UsageError(`--payload-file: cannot read '${path}': ${(e as NodeJS.ErrnoException).code ?? String(e)}`)
  }
  const delimiter = (args.string('payload-delimiter') ?? '\n').replaceAll('\\n', '\n').replaceAll('\\t', '\t')
  const payloads = text
    .split(delimiter)
    .filter((p) => p !== '')
    .map((p) => Buffer.from(p))
  if (payloads.length === 0) throw new UsageError(`--payload-file '${path}' holds no payloads`)
  return payloads
}
