// producer-perf-test, consumer-perf-test and topics plan: their line layouts (golden) and runs against a broker.
// Only shapes and counts are checked, never speeds.

import assert from 'node:assert/strict'
import { test } from 'node:test'
import { cliFixture, uniqueName } from '../testing.ts'
import { formatDate, summaryRow, SUMMARY_HEADER } from './consumer-perf-test.ts'
import { summaryLine, windowLine } from './producer-perf-test.ts'
import { plan } from './topics-plan.ts'

const cli = cliFixture()

test('golden: producer-perf-test window and summary lines', () => {
  assert.equal(
    windowLine({ count: 5000, bytes: 5000 * 100, ms: 5000, latencySum: 5000 * 2.5, maxLatency: 12 }),
    '5000 records sent, 1000.0 records/sec (0.10 MB/sec), 2.5 ms avg latency, 12.0 ms max latency.\n',
  )
  const latencies = Array.from({ length: 1000 }, (_, i) => i + 1)
  assert.equal(
    summaryLine({ count: 1000, bytes: 1000 * 1024, ms: 2000, latencySum: 500_500, maxLatency: 1000, latencies }),
    '1000 records sent, 500.000000 records/sec (0.49 MB/sec), 500.50 ms avg latency, 1000.00 ms max latency, ' +
      '501 ms 50th, 951 ms 95th, 991 ms 99th, 1000 ms 99.9th.\n',
  )
})

test('golden: consumer-perf-test header and row', () => {
  const start = new Date(2024, 0, 31, 9, 5, 7, 42).getTime()
  assert.equal(formatDate(start), '2024-01-31 09:05:07:042')
  assert.equal(
    SUMMARY_HEADER,
    'start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec\n',
  )
  assert.equal(
    summaryRow({ startMs: start, endMs: start + 2000, bytes: 2 * 1024 * 1024, messages: 1000, rebalanceMs: 1000 }),
    '2024-01-31 09:05:07:042, 2024-01-31 09:05:09:042, 2.0000, 1.0000, 1000, 500.0000, 1000, 1000, 2.0000, 1000.0000\n',
  )
})

test('the book’s partition rule: ceil(produce rate / per-consumer throughput)', () => {
  assert.deepEqual(plan(1000, 100), { produceRate: 1000, consumerThroughput: 100, partitions: 10, consumers: 10 })
  assert.equal(plan(1001, 100).partitions, 11)
  assert.equal(plan(10, 100).partitions, 1)
})

test('producer-perf-test then consumer-perf-test against a broker', async () => {
  const topic = uniqueName('perf')
  await cli.samsa(['topics', '--create', '--topic', topic, '--partitions', '2'])
  const produced = await cli.samsa(
    [
      'producer-perf-test',
      '--topic',
      topic,
      '--num-records',
      '2000',
      '--record-size',
      '100',
      '--throughput',
      '-1',
      '--producer-props',
      `bootstrap.servers=${cli.bootstrap}`,
      'acks=1',
      'linger.ms=5',
    ],
    { noBootstrap: true },
  )
  assert.equal(produced.code, 0, produced.err)
  assert.match(
    produced.out,
    /^2000 records sent, [\d.]+ records\/sec \([\d.]+ MB\/sec\), [\d.]+ ms avg latency, [\d.]+ ms max latency, \d+ ms 50th, \d+ ms 95th, \d+ ms 99th, \d+ ms 99\.9th\.\n$/m,
  )
  const consumed = await cli.samsa(['consumer-perf-test', '--topic', topic, '--messages', '2000', '--timeout', '5000'])
  assert.equal(consumed.code, 0, consumed.err)
  const [header, row] = consumed.out.split('\n')
  assert.equal(header + '\n', SUMMARY_HEADER)
  const cells = row?.split(', ') ?? []
  assert.equal(cells.length, 10)
  assert.equal(cells[2], ((2000 * 100) / (1024 * 1024)).toFixed(4))
  assert.equal(cells[4], '2000')

  const detailed = await cli.samsa([
    'consumer-perf-test',
    '--topic',
    topic,
    '--messages',
    '2000',
    '--show-detailed-stats',
    '--reporting-interval',
    '1',
    '--group',
    uniqueName('perf-group'),
  ])
  assert.equal(detailed.code, 0, detailed.err)
  const [detailedHeader, ...lines] = detailed.out.split('\n').filter(Boolean)
  assert.match(detailedHeader ?? '', /^time, threadId, data\.consumed\.in\.MB/)
  for (const line of lines) assert.equal(line.split(', ').length, 10)

  const throttled = await cli.samsa([
    'producer-perf-test',
    '--topic',
    topic,
    '--num-records',
    '20',
    '--record-size',
    '10',
    '--throughput',
    '1000',
    '--reporting-interval',
    '5',
  ])
  assert.equal(throttled.code, 0, throttled.err)
  assert.match(throttled.out, /^20 records sent/m)
  const missing = await cli.samsa(['producer-perf-test', '--topic', topic, '--num-records', '1', '--throughput', '-1'])
  assert.match(missing.err, /exactly one of --record-size or --payload-file/)
})

test('producer-perf-test in transactions: every record committed, readable with read_committed', async () => {
  const topic = uniqueName('perf-txn')
  await cli.samsa(['topics', '--create', '--topic', topic, '--partitions', '2'])
  const produced = await cli.samsa([
    'producer-perf-test',
    '--topic',
    topic,
    '--num-records',
    '3000',
    '--record-size',
    '50',
    '--throughput',
    '-1',
    '--transactional-id',
    uniqueName('perf-txn-id'),
    '--transaction-duration-ms',
    '20',
  ])
  assert.equal(produced.code, 0, produced.err)
  assert.match(produced.out, /^3000 records sent/m)
  const consumed = await cli.samsa([
    'console-consumer',
    '--topic',
    topic,
    '--from-beginning',
    '--isolation-level',
    'read_committed',
    '--max-messages',
    '3000',
    '--timeout-ms',
    '10000',
  ])
  assert.equal(consumed.code, 0, consumed.err)
  assert.equal(consumed.out.split('\n').filter(Boolean).length, 3000)
  // Every commit wrote a marker per partition, and markers take offsets: the log ends beyond the 3,000 records.
  const offsets = await cli.samsa(['get-offsets', '--topic', topic])
  const ends = offsets.out
    .split('\n')
    .filter(Boolean)
    .map((line) => Number(line.split(':').at(-1)))
  assert.ok(ends.reduce((a, b) => a + b, 0) > 3000, offsets.out)
})

test('topics plan: given or measured throughput, compared with a topic', async () => {
  const given = await cli.samsa(['topics', 'plan', '--produce-rate', '1000', '--consumer-throughput', '100'], {
    noBootstrap: true,
  })
  assert.equal(given.code, 0, given.err)
  assert.match(given.out, /Partitions needed: +10 = ceil\(1000 \/ 100\), with 10 consumers in the group/)

  const topic = uniqueName('plan')
  await cli.samsa(['topics', '--create', '--topic', topic, '--partitions', '3'])
  await cli.samsa(['console-producer', '--topic', topic], { stdin: 'a\nb\nc\nd\n' })
  const measured = await cli.samsa([
    'topics',
    'plan',
    '--produce-rate',
    '1000000000',
    '--measure-topic',
    topic,
    '--topic',
    topic,
    '--keyed',
    '--output',
    'json',
  ])
  assert.equal(measured.code, 0, measured.err)
  const result = JSON.parse(measured.out) as {
    measured: { records: number }
    partitions: number
    currentPartitions: number
  }
  assert.equal(result.measured.records, 4)
  assert.equal(result.currentPartitions, 3)
  assert.ok(result.partitions >= 1)
  const help = await cli.samsa(['topics', 'plan', '--help'], { noBootstrap: true })
  assert.match(help.out, /^Usage: samsa topics plan/)
})
