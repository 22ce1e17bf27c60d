// `samsa console-consumer`: kafka-console-consumer.sh. Prints each record's value (and, with --property
// print.key=true etc., timestamp, partition, offset, headers and key, in Kafka DefaultMessageFormatter's order and
// separators) until --max-messages, --timeout-ms without a record, or Ctrl-C; then "Processed a total of N
// messages" on stderr. With --group it joins that group and commits what it printed; without one it reads every
// partition by assignment (Kafka's tool would make a throwaway console-consumer-NNNNN group; assignment gives the
// same output without the join delay or a leftover group).

import type { ConsumerMessage, PartitionAssignment } from '@samsa/client'
import { keyValues, UsageError, type Command, type ParsedArgs } from '../args.ts'
import { adminFromProps, clientProperties, consumerFrom } from '../config.ts'
import { json } from '../format.ts'
import type { CliIo } from '../io.ts'
import { topicFilter } from './topics.ts'

export const consoleConsumerCommand: Command = {
  name: 'console-consumer',
  summary: 'Consume records and print them to stdout (kafka-console-consumer.sh).',
  usage: '--bootstrap-server <host:port> (--topic <topic> | --include <regex>) [--from-beginning] ...',
  flags: {
    topic: { type: 'string', arg: 'topic', description: 'the topic to consume' },
    include: { type: 'string', arg: 'regex', description: 'consume every topic matching this regular expression' },
    group: { type: 'string', arg: 'group', description: 'the consumer group to join (its offsets are committed)' },
    partition: { type: 'string', arg: 'partition', description: 'consume only this partition' },
    offset: {
      type: 'string',
      arg: 'offset',
      description: "with --partition: 'earliest', 'latest' (default) or an offset",
    },
    'from-beginning': { type: 'boolean', description: 'start at the earliest offset when there is no committed one' },
    'max-messages': { type: 'string', arg: 'n', description: 'stop after n records' },
    'timeout-ms': { type: 'string', arg: 'ms', description: 'stop when no record arrives for this long' },
    'isolation-level': {
      type: 'string',
      arg: 'level',
      description: 'read_uncommitted (default) or read_committed',
    },
    property: {
      type: 'string',
      multiple: true,
      arg: 'prop=value',
      description:
        'formatter settings: print.key, print.value, print.timestamp, print.partition, print.offset, print.headers, ' +
        'key.separator, line.separator, headers.separator, null.literal',
    },
    'formatter-property': { type: 'string', multiple: true, arg: 'prop=value', description: 'same as --property' },
    'consumer-property': { type: 'string', multiple: true, arg: 'prop=value', description: 'a consumer config' },
    'consumer.config': { type: 'string', arg: 'file', description: 'consumer configs from a .properties file' },
  },
  run: runConsoleConsumer,
}

export interface FormatterSettings {
  printKey: boolean
  printValue: boolean
  printTimestamp: boolean
  printPartition: boolean
  printOffset: boolean
  printHeaders: boolean
  keySeparator: string
  lineSeparator: string
  headersSeparator: string
  nullLiteral: string
}

export function formatterSettings(props: Record<string, string>): FormatterSettings {
  const on = (name: string, fallback = false) =>
    props[name] === undefined ? fallback : props[name].trim().toLowerCase() === 'true'
  return {
    printKey: on('print.key'),
    printValue: on('print.value', true),
    printTimestamp: on('print.timestamp'),
    printPartition: on('print.partition'),
    printOffset: on('print.offset'),
    printHeaders: on('print.headers'),
    keySeparator: props['key.separator'] ?? '\t',
    lineSeparator: props['line.separator'] ?? '\n',
    headersSeparator: props['headers.separator'] ?? ',',
    nullLiteral: props['null.literal'] ?? 'null',
  }
}

/**
 * One record as Kafka's DefaultMessageFormatter prints it: [timestamp] [Partition:p] [Offset:o] [headers] [key]
 * [value], each followed by key.separator when something else follows, the last by line.separator. The fetch
 * response does not say whether a timestamp is CreateTime or LogAppendTime, so it is shown as CreateTime.
 */
export function formatRecord(m: ConsumerMessage, s: FormatterSettings): string {
  const fields: string[] = []
  if (s.printTimestamp) fields.push(m.timestamp < 0 ? 'NO_TIMESTAMP' : `CreateTime:${m.timestamp}`)
  if (s.printPartition) fields.push(`Partition:${m.partition}`)
  if (s.printOffset) fields.push(`Offset:${m.offset}`)
  if (s.printHeaders) {
    fields.push(
      m.headers.length === 0
        ? 'NO_HEADERS'
        : m.headers
            .map((h) => `${h.key}:${h.value === null ? s.nullLiteral : h.value.toString('utf8')}`)
            .join(s.headersSeparator),
    )
  }
  if (s.printKey) fields.push(m.key === null ? s.nullLiteral : m.key.toString('utf8'))
  if (s.printValue) fields.push(m.value === null ? s.nullLiteral : m.value.toString('utf8'))
  return fields.length === 0 ? '' : fields.join(s.keySeparator) + s.lineSeparator
}

async function runConsoleConsumer(args: ParsedArgs, io: CliIo): Promise<number> {
  const topic = args.string('topic')
  const include = args.string('include')
  if ((topic === undefined) === (include === undefined))
    throw new UsageError('exactly one of --topic or --include is required')
  const group = args.string('group')
  const partition = args.int('partition', 0)
  const offsetArg = args.string('offset')
  if (offsetArg !== undefined && partition === undefined) throw new UsageError('--offset needs --partition')
  if (partition !== undefined && (group !== undefined || include !== undefined)) {
    throw new UsageError('--partition cannot be used with --group or --include')
  }
  if (args.flag('from-beginning') && offsetArg !== undefined) {
    throw new UsageError('--from-beginning cannot be used with --offset')
  }
  let offset: bigint | undefined
  let reset = args.flag('from-beginning') ? 'earliest' : 'latest'
  if (offsetArg === 'earliest' || offsetArg === 'latest') reset = offsetArg
  else if (offsetArg !== undefined) {
    if (!/^\d+$/.test(offsetArg))
      throw new UsageError(`--offset must be earliest, latest or an offset, got '${offsetArg}'`)
    offset = BigInt(offsetArg)
  }
  const maxMessages = args.int('max-messages', 1)
  const timeoutMs = args.int('timeout-ms', 0)
  const isolation = args.string('isolation-level')
  if (isolation !== undefined && isolation !== 'read_committed' && isolation !== 'read_uncommitted') {
    throw new UsageError(`--isolation-level must be read_committed or read_uncommitted, got '${isolation}'`)
  }
  const format = formatterSettings(
    keyValues([...args.list('property'), ...args.list('formatter-property')], 'property'),
  )
  const overrides: Record<string, string> = {
    'client.id': 'console-consumer',
    'auto.offset.reset': reset,
    ...(isolation === undefined ? {} : { 'isolation.level': isolation }),
    ...keyValues(args.list('consumer-property'), 'consumer-property'),
  }
  if (group !== undefined) overrides['group.id'] = group
  const props = clientProperties('consumer', args, io, {
    fileFlags: ['command-config', 'consumer.config'],
    overrides,
  })
  const assignment =
    props['group.id'] === undefined ? await assignmentFor(props, topic, include, partition, offset) : null

  const consumer = consumerFrom(props)
  let count = 0
  let timer: NodeJS.Timeout | undefined
  let timedOut = false
  const stop = () => void consumer.close().catch(() => {})
  const restartTimer = () => {
    if (timeoutMs === undefined) return
    clearTimeout(timer)
    timer = setTimeout(() => {
      timedOut = true
      stop()
    }, timeoutMs)
  }
  io.signal.addEventListener('abort', stop, { once: true })
  const rows: unknown[] = []
  try {
    // A Ctrl-C that came while the command was still setting up ends it before it starts reading.
    if (!io.signal.aborted) {
      if (assignment === null) consumer.subscribe(topic === undefined ? topicFilter(include as string) : [topic])
      else consumer.assign(assignment)
    }
    restartTimer()
    if (maxMessages !== 0 && !io.signal.aborted) {
      for await (const message of consumer) {
        count++
        if (args.json) rows.push(jsonRecord(message))
        else io.stdout.write(formatRecord(message, format))
        restartTimer()
        if (maxMessages !== undefined && count >= maxMessages) break
      }
    }
  } finally {
    clearTimeout(timer)
    io.signal.removeEventListener('abort', stop)
    // Leaving commits the group's offsets for what was printed (the iterator marks a record consumed when the
    // next one is asked for, or when the loop stops).
    await consumer.close()
  }
  if (args.json) io.stdout.write(json(rows))
  // Kafka's tool logs the consumer's TimeoutException this way and still exits 0 with the count.
  if (timedOut) io.stderr.write('ERROR Error processing message, terminating consumer process: TimeoutException\n')
  io.stderr.write(`Processed a total of ${count} messages\n`)
  return 0
}

/** Without a group: the one partition asked for, or every partition of the matching topics. */
async function assignmentFor(
  props: Record<string, string>,
  topic: string | undefined,
  include: string | undefined,
  partition: number | undefined,
  offset: bigint | undefined,
): Promise<PartitionAssignment[]> {
  if (topic !== undefined && partition !== undefined) {
    return [{ topic, partition, ...(offset === undefined ? {} : { offset }) }]
  }
  const admin = adminFromProps(props)
  try {
    const topics =
      topic !== undefined ? [topic] : (await admin.listTopics()).filter((t) => topicFilter(include as string).test(t))
    if (topics.length === 0) return []
    const described = await admin.describeTopics({ topics })
    return described.flatMap((d) => d.partitions.map((p) => ({ topic: d.topic, partition: p.partition })))
  } finally {
    await admin.close()
  }
}

function jsonRecord(m: ConsumerMessage) {
  return {
    topic: m.topic,
    partition: m.partition,
    offset: m.offset,
    timestamp: m.timestamp,
    key: m.key?.toString('utf8') ?? null,
    value: m.value?.toString('utf8') ?? null,
    headers: m.headers.map((h) => ({ key: h.key, value: h.value?.toString('utf8') ?? null })),
  }
}
