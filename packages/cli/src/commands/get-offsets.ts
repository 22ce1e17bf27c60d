// `samsa get-offsets`: kafka-get-offsets.sh (GetOffsetShell). Prints "topic:partition:offset" per partition,
// sorted, for --time latest (-1, the default), earliest (-2), max-timestamp (-3) or a timestamp in ms (the first
// offset at or after it; empty when there is none, as Kafka prints it).

import type { ListOffsetsQuery, OffsetSpecName } from '@samsa/client'
import { UsageError, type Command, type ParsedArgs } from '../args.ts'
import { adminFrom } from '../config.ts'
import { json } from '../format.ts'
import type { CliIo } from '../io.ts'
import { topicFilter } from './topics.ts'

export const getOffsetsCommand: Command = {
  name: 'get-offsets',
  summary: 'Print partition offsets: latest, earliest, max-timestamp or by time (kafka-get-offsets.sh).',
  usage: '--bootstrap-server <host:port> [--topic <regex>] [--partitions 0,1] [--time -1|-2|-3|<ms>] ...',
  flags: {
    topic: { type: 'string', arg: 'regex', description: 'topics to look at (a regular expression; all by default)' },
    partitions: { type: 'string', arg: '0,1,...', description: 'only these partitions' },
    'topic-partitions': {
      type: 'string',
      arg: 't1:0-2,t2',
      description: 'topic:partition lists (ranges with -); not with --topic or --partitions',
    },
    time: {
      type: 'string',
      arg: 'time',
      description: '-1 or latest (default), -2 or earliest, -3 or max-timestamp, or a timestamp in ms',
    },
    'exclude-internal-topics': { type: 'boolean', description: 'leave internal topics out' },
    'broker-list': { type: 'string', arg: 'host:port', description: 'deprecated name of --bootstrap-server' },
  },
  run: runGetOffsets,
}

export function parseTime(text: string | undefined): OffsetSpecName {
  switch (text) {
    case undefined:
    case '-1':
    case 'latest':
      return 'latest'
    case '-2':
    case 'earliest':
      return 'earliest'
    case '-3':
    case 'max-timestamp':
      return 'maxTimestamp'
  }
  if (!/^\d+$/.test(text)) {
    throw new UsageError(`--time must be -1/latest, -2/earliest, -3/max-timestamp or a timestamp, got '${text}'`)
  }
  return { timestamp: Number(text) }
}

/** Kafka's --topic-partitions: "t:0-2,t:4,u" (a topic alone means all its partitions); topics may be regexes. */
export function parseTopicPartitions(text: string): { topic: RegExp; partitions: ((p: number) => boolean) | null }[] {
  return text.split(',').map((entry) => {
    const [topic, range] = entry.split(':') as [string, string | undefined]
    if (range === undefined || range === '') return { topic: topicFilter(topic), partitions: null }
    const m = /^(\d*)-?(\d*)$/.exec(range)
    if (m === null || range === '-') throw new UsageError(`--topic-partitions: '${range}' is not a partition or range`)
    const low = m[1] === '' ? 0 : Number(m[1])
    const high = range.includes('-') ? (m[2] === '' ? Infinity : Number(m[2]) - 1) : low
    // Kafka's ranges are "start-end" with end exclusive, and "start-" open-ended.
    return { topic: topicFilter(topic), partitions: (p: number) => p >= low && p <= high }
  })
}

async function runGetOffsets(args: ParsedArgs, io: CliIo): Promise<number> {
  if (args.has('topic-partitions') && (args.has('topic') || args.has('partitions'))) {
    throw new UsageError('--topic-partitions cannot be used with --topic or --partitions')
  }
  const spec = parseTime(args.string('time'))
  const wantedPartitions = args.has('partitions')
    ? new Set(
        (args.string('partitions') as string).split(',').map((p) => {
          if (!/^\d+$/.test(p.trim())) throw new UsageError(`--partitions must list partition numbers, got '${p}'`)
          return Number(p)
        }),
      )
    : null
  const selectors = args.has('topic-partitions')
    ? parseTopicPartitions(args.string('topic-partitions') as string)
    : [
        {
          topic: topicFilter(args.string('topic') ?? '.*'),
          partitions: wantedPartitions === null ? null : (p: number) => wantedPartitions.has(p),
        },
      ]
  const admin = adminFrom(args, io)
  try {
    const topics = (await admin.listTopics({ includeInternal: !args.flag('exclude-internal-topics') })).filter((t) =>
      selectors.some((s) => s.topic.test(t)),
    )
    const described = topics.length === 0 ? [] : await admin.describeTopics({ topics })
    const queries: ListOffsetsQuery[] = described.flatMap((d) =>
      d.partitions
        .filter((p) => selectors.some((s) => s.topic.test(d.topic) && (s.partitions?.(p.partition) ?? true)))
        .map((p) => ({ topic: d.topic, partition: p.partition, spec })),
    )
    const answers = queries.length === 0 ? [] : await admin.listOffsets({ partitions: queries })
    answers.sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition))
    if (args.json) {
      io.stdout.write(
        json(answers.map((a) => ({ topic: a.topic, partition: a.partition, offset: a.offset < 0n ? null : a.offset }))),
      )
    } else {
      io.stdout.write(answers.map((a) => `${a.topic}:${a.partition}:${a.offset < 0n ? '' : a.offset}\n`).join(''))
    }
    return 0
  } finally {
    await admin.close()
  }
}
