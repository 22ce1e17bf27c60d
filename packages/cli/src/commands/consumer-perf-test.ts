// `samsa consumer-perf-test`: kafka-consumer-perf-test.sh (ConsumerPerformance). Joins a group (perf-consumer-NNNNN
// unless --group), reads --messages records (or until --timeout ms pass without one) and prints Kafka's CSV:
// start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms,
// fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec. --show-detailed-stats prints a line per --reporting-interval while
// it runs instead of the one summary; otherwise a progress line goes to stderr every interval.

import { UsageError, type Command, type ParsedArgs } from '../args.ts'
import { clientProperties, consumerFrom } from '../config.ts'
import { json } from '../format.ts'
import type { CliIo } from '../io.ts'

export const consumerPerfTestCommand: Command = {
  name: 'consumer-perf-test',
  summary: 'Measure consume throughput (kafka-consumer-perf-test.sh).',
  usage: '--bootstrap-server <host:port> --topic <t> --messages <n> [--group <g>] [--show-detailed-stats] ...',
  flags: {
    topic: { type: 'string', arg: 'topic', description: 'the topic to consume (required)' },
    messages: { type: 'string', arg: 'n', description: 'how many records to read (required)' },
    group: { type: 'string', arg: 'group', description: 'the consumer group (default perf-consumer-<random>)' },
    'from-latest': { type: 'boolean', description: 'start at the end instead of the beginning' },
    timeout: { type: 'string', arg: 'ms', description: 'give up after this long without a record (10000)' },
    'show-detailed-stats': { type: 'boolean', description: 'print a line per reporting interval' },
    'reporting-interval': { type: 'string', arg: 'ms', description: 'for --show-detailed-stats (5000)' },
    'hide-header': { type: 'boolean', description: 'leave out the CSV header' },
    'date-format': { type: 'string', arg: 'pattern', description: 'yyyy-MM-dd HH:mm:ss:SSS (the default) and parts' },
    'fetch-size': { type: 'string', arg: 'bytes', description: 'max.partition.fetch.bytes' },
    'consumer.config': { type: 'string', arg: 'file', description: 'consumer configs from a .properties file' },
  },
  run: runConsumerPerf,
}

/** Java SimpleDateFormat's yyyy, MM, dd, HH, mm, ss and SSS, in local time. */
export function formatDate(ms: number, pattern = 'yyyy-MM-dd HH:mm:ss:SSS'): string {
  const d = new Date(ms)
  const two = (n: number) => String(n).padStart(2, '0')
  const parts: Record<string, string> = {
    yyyy: String(d.getFullYear()),
    MM: two(d.getMonth() + 1),
    dd: two(d.getDate()),
    HH: two(d.getHours()),
    mm: two(d.getMinutes()),
    ss: two(d.getSeconds()),
    SSS: String(d.getMilliseconds()).padStart(3, '0'),
  }
  return pattern.replace(/yyyy|MM|dd|HH|mm|ss|SSS/g, (token) => parts[token] as string)
}

export const SUMMARY_HEADER =
  'start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec\n'
export const DETAILED_HEADER =
  'time, threadId, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec\n'

export interface PerfTotals {
  startMs: number
  endMs: number
  bytes: number
  messages: number
  rebalanceMs: number
}

/** Kafka's summary row: MB and rates to 4 decimals; fetch figures exclude the time spent joining the group. */
export function summaryRow(t: PerfTotals, pattern?: string): string {
  const mb = t.bytes / (1024 * 1024)
  const seconds = (t.endMs - t.startMs) / 1000
  const fetchMs = t.endMs - t.startMs - t.rebalanceMs
  return (
    `${formatDate(t.startMs, pattern)}, ${formatDate(t.endMs, pattern)}, ${mb.toFixed(4)}, ${(mb / seconds).toFixed(4)}, ` +
    `${t.messages}, ${(t.messages / seconds).toFixed(4)}, ${t.rebalanceMs}, ${fetchMs}, ` +
    `${(mb / (fetchMs / 1000)).toFixed(4)}, ${(t.messages / (fetchMs / 1000)).toFixed(4)}\n`
  )
}

async function runConsumerPerf(args: ParsedArgs, io: CliIo): Promise<number> {
  const topic = args.requireString('topic')
  const wanted = args.int('messages', 1)
  if (wanted === undefined) throw new UsageError('--messages is required')
  const timeoutMs = args.int('timeout', 1) ?? 10_000
  const intervalMs = args.int('reporting-interval', 1) ?? 5000
  const pattern = args.string('date-format')
  const fetchSize = args.int('fetch-size', 1)
  const detailed = args.flag('show-detailed-stats')
  const props = clientProperties('consumer', args, io, {
    fileFlags: ['command-config', 'consumer.config'],
    overrides: {
      'group.id': args.string('group') ?? `perf-consumer-${Math.floor(Math.random() * 100_000)}`,
      'client.id': 'perf-consumer-client',
      'auto.offset.reset': args.flag('from-latest') ? 'latest' : 'earliest',
      'enable.auto.commit': 'true',
      ...(fetchSize === undefined ? {} : { 'max.partition.fetch.bytes': String(fetchSize) }),
    },
  })
  const consumer = consumerFrom(props)
  const start = Date.now()
  let rebalanceMs = 0
  let joined = false
  let messages = 0
  let bytes = 0
  let last = { at: start, messages: 0, bytes: 0 }
  let idle: NodeJS.Timeout | undefined
  let timedOut = false
  const stop = () => void consumer.close().catch(() => {})
  const restartIdle = () => {
    clearTimeout(idle)
    idle = setTimeout(() => {
      timedOut = true
      stop()
    }, timeoutMs)
  }
  if (!args.flag('hide-header') && !args.json) io.stdout.write(detailed ? DETAILED_HEADER : SUMMARY_HEADER)
  const report = detailed
    ? setInterval(() => {
        const now = Date.now()
        const mb = (bytes - last.bytes) / (1024 * 1024)
        const seconds = (now - last.at) / 1000
        io.stdout.write(
          `${formatDate(now, pattern)}, 0, ${(bytes / (1024 * 1024)).toFixed(4)}, ${(mb / seconds).toFixed(4)}, ` +
            `${messages}, ${((messages - last.messages) / seconds).toFixed(4)}, ${rebalanceMs}, ${now - start - rebalanceMs}, ` +
            `${(mb / seconds).toFixed(4)}, ${((messages - last.messages) / seconds).toFixed(4)}\n`,
        )
        last = { at: now, messages, bytes }
      }, intervalMs)
    : // Without detailed stats Kafka prints nothing until the end; a progress line on stderr keeps stdout the same.
      setInterval(() => {
        const seconds = (Date.now() - start) / 1000
        io.stderr.write(
          `${messages} records consumed, ${(bytes / (1024 * 1024)).toFixed(4)} MB, ${(messages / seconds).toFixed(1)} records/sec\n`,
        )
      }, intervalMs)
  io.signal.addEventListener('abort', stop, { once: true })
  try {
    if (io.signal.aborted) return 0
    consumer.subscribe([topic], {
      onPartitionsAssigned: () => {
        // Kafka counts the time until the first assignment as rebalance time, apart from fetching.
        if (!joined) rebalanceMs = Date.now() - start
        joined = true
      },
    })
    restartIdle()
    for await (const message of consumer) {
      messages++
      bytes += (message.value?.length ?? 0) + (message.key?.length ?? 0)
      restartIdle()
      if (messages >= wanted) break
    }
  } finally {
    clearTimeout(idle)
    clearInterval(report)
    io.signal.removeEventListener('abort', stop)
    await consumer.close()
  }
  const end = Date.now()
  if (timedOut) {
    io.stderr.write(
      `WARNING: Exiting before consuming the expected number of messages: timeout (${timeoutMs} ms) exceeded. ` +
        'You can use the --timeout option to increase the timeout.\n',
    )
  }
  const totals = { startMs: start, endMs: end, bytes, messages, rebalanceMs }
  if (args.json) io.stdout.write(json(totals))
  else if (!detailed) io.stdout.write(summaryRow(totals, pattern))
  return 0
}
