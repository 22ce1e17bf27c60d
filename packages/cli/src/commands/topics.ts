// `samsa topics`: kafka-topics.sh. One action of --create, --list, --describe, --alter, --delete; --topic is a
// regular expression (commas mean "or") for every action but --create, as in Kafka's TopicCommand. The describe
// layout is Kafka's, tab-separated: a topic line (TopicId, PartitionCount, ReplicationFactor and the configs that
// differ from their defaults) followed by one line per partition. `samsa topics plan` (the book's partition rule)
// lives in topics-plan.ts and is dispatched from here.

import { isKafkaProtocolError, type Admin, type DescribedConfigs, type TopicDescription } from '@samsa/client'
import { UsageError, keyValues, type Command, type ParsedArgs } from '../args.ts'
import { adminFrom } from '../config.ts'
import { json } from '../format.ts'
import type { CliIo } from '../io.ts'

const TOPIC_ALREADY_EXISTS = 36
const INTERNAL_TOPICS = new Set(['__consumer_offsets', '__transaction_state'])

export const topicsCommand: Command = {
  name: 'topics',
  summary:
    'Create, delete, describe, or change a topic (kafka-topics.sh). `samsa topics plan --help` sizes a topic ' +
    'from produce and consume rates.',
  usage: '--bootstrap-server <host:port> (--list | --describe | --create | --alter | --delete) [--topic <topic>] ...',
  flags: {
    list: { type: 'boolean', description: 'list all available topics' },
    describe: { type: 'boolean', description: 'list details for the given topics' },
    create: { type: 'boolean', description: 'create a new topic' },
    alter: { type: 'boolean', description: 'alter the number of partitions (configs: samsa configs)' },
    delete: { type: 'boolean', description: 'delete a topic' },
    topic: {
      type: 'string',
      arg: 'topic',
      description: 'the topic; a regular expression (commas mean or) except with --create',
    },
    'topic-id': { type: 'string', arg: 'topic-id', description: 'the topic id to describe' },
    partitions: { type: 'string', arg: '# of partitions', description: 'partition count for --create / --alter' },
    'replication-factor': { type: 'string', arg: 'replication factor', description: 'for --create' },
    'replica-assignment': {
      type: 'string',
      arg: 'b1:b2,b3:b4',
      description: 'manual partition-to-broker assignment for --create / --alter',
    },
    config: { type: 'string', multiple: true, arg: 'name=value', description: 'a topic config for --create' },
    'if-exists': { type: 'boolean', description: 'with --alter/--delete/--describe: do nothing if absent' },
    'if-not-exists': { type: 'boolean', description: 'with --create: do not fail if the topic exists' },
    'exclude-internal': { type: 'boolean', description: 'leave internal topics out of --list/--describe' },
    'under-replicated-partitions': { type: 'boolean', description: 'describe only under-replicated partitions' },
    'unavailable-partitions': { type: 'boolean', description: 'describe only partitions without a live leader' },
    'under-min-isr-partitions': { type: 'boolean', description: 'describe only partitions with ISR < min.insync' },
    'at-min-isr-partitions': { type: 'boolean', description: 'describe only partitions with ISR = min.insync' },
    'topics-with-overrides': { type: 'boolean', description: 'describe only topics with overridden configs' },
  },
  run: runTopics,
}

const ACTIONS = ['create', 'list', 'describe', 'alter', 'delete'] as const
const REPORTS = [
  'under-replicated-partitions',
  'unavailable-partitions',
  'under-min-isr-partitions',
  'at-min-isr-partitions',
] as const

async function runTopics(args: ParsedArgs, io: CliIo): Promise<number> {
  const action = args.exactlyOne(ACTIONS) as (typeof ACTIONS)[number]
  checkArgs(args, action)
  const admin = adminFrom(args, io)
  try {
    switch (action) {
      case 'create':
        return await createTopic(admin, args, io)
      case 'list': {
        const names = await matchingTopics(admin, args)
        io.stdout.write(args.json ? json(names) : names.join('\n') + '\n')
        return 0
      }
      case 'describe':
        return await describeTopics(admin, args, io)
      case 'alter':
        return await alterTopics(admin, args, io)
      case 'delete': {
        const names = await existingTopics(admin, args)
        if (names.length > 0) await admin.deleteTopics({ topics: names })
        if (args.json) io.stdout.write(json({ deleted: names }))
        return 0
      }
    }
  } finally {
    await admin.close()
  }
}

/** The flag combinations Kafka's TopicCommandOptions refuses, with the flag named. */
function checkArgs(args: ParsedArgs, action: string): void {
  if (action !== 'list' && action !== 'describe' && !args.has('topic')) {
    throw new UsageError(`--topic is required with --${action}`)
  }
  args.onlyWith('config', ['create'])
  args.onlyWith('partitions', ['create', 'alter'])
  args.onlyWith('replication-factor', ['create'])
  args.onlyWith('replica-assignment', ['create', 'alter'])
  args.onlyWith('if-exists', ['alter', 'delete', 'describe'])
  args.onlyWith('if-not-exists', ['create'])
  args.onlyWith('exclude-internal', ['list', 'describe'])
  for (const report of [...REPORTS, 'topics-with-overrides']) args.onlyWith(report, ['describe'])
  if (args.has('topics-with-overrides') && REPORTS.some((r) => args.has(r))) {
    throw new UsageError('--topics-with-overrides cannot be combined with the partition reports')
  }
  if (action === 'alter' && !args.has('partitions')) throw new UsageError('--partitions is required with --alter')
  if (
    action === 'create' &&
    args.has('replica-assignment') &&
    (args.has('partitions') || args.has('replication-factor'))
  ) {
    throw new UsageError('--replica-assignment cannot be used with --partitions or --replication-factor')
  }
}

/** Kafka's IncludeList: commas mean alternatives, quotes around the whole are dropped, the regex must match whole. */
export function topicFilter(expression: string): RegExp {
  const source = expression
    .replaceAll(',', '|')
    .replaceAll(' ', '')
    .replace(/^["']+/, '')
    .replace(/["']+$/, '')
  try {
    return new RegExp(`^(?:${source})$`)
  } catch (e) {
    throw new UsageError(`--topic is not a valid regular expression: ${(e as Error).message}`)
  }
}

async function matchingTopics(admin: Admin, args: ParsedArgs): Promise<string[]> {
  const excludeInternal = args.flag('exclude-internal')
  const all = await admin.listTopics({ includeInternal: !excludeInternal })
  const topic = args.string('topic')
  if (topic === undefined) return all
  const filter = topicFilter(topic)
  return all.filter((name) => filter.test(name) && !(excludeInternal && INTERNAL_TOPICS.has(name)))
}

/** The matching topics; none with --topic given is an error unless --if-exists. */
async function existingTopics(admin: Admin, args: ParsedArgs): Promise<string[]> {
  const names = await matchingTopics(admin, args)
  const topic = args.string('topic')
  if (topic !== undefined && topic !== '' && names.length === 0 && !args.flag('if-exists')) {
    throw new Error(`Topic '${topic}' does not exist as expected`)
  }
  return names
}

export function parseReplicaAssignment(text: string): number[][] {
  const out = text.split(',').map((partition, i) => {
    const brokers = partition.split(':').map((b) => {
      const id = Number(b.trim())
      if (b.trim() === '' || !Number.isInteger(id))
        throw new UsageError(`--replica-assignment: '${b}' is not a broker id`)
      return id
    })
    if (new Set(brokers).size !== brokers.length) {
      throw new UsageError(`--replica-assignment: partition ${i} lists a broker twice: ${partition}`)
    }
    return brokers
  })
  if (out.some((brokers) => brokers.length !== out[0]?.length)) {
    throw new UsageError('--replica-assignment: every partition needs the same number of replicas')
  }
  return out
}

async function createTopic(admin: Admin, args: ParsedArgs, io: CliIo): Promise<number> {
  const topic = args.requireString('topic')
  const partitions = args.int('partitions')
  const replicationFactor = args.int('replication-factor')
  if (replicationFactor !== undefined && (replicationFactor < 1 || replicationFactor > 32767)) {
    throw new UsageError('The replication factor must be between 1 and 32767 inclusive')
  }
  if (partitions !== undefined && partitions < 1) throw new UsageError('The partitions must be greater than 0')
  const configs = keyValues(args.list('config'), 'config')
  const assignment = args.string('replica-assignment')
  if ((topic.includes('.') || topic.includes('_')) && !args.json) {
    // Kafka prints this for any name with either character (metric names turn '.' into '_').
    io.stdout.write(
      "WARNING: Due to limitations in metric names, topics with a period ('.') or underscore ('_') could collide. " +
        'To avoid issues it is best to use either, but not both.\n',
    )
  }
  try {
    const [created] = await admin.createTopics({
      topics: [
        {
          topic,
          ...(partitions === undefined ? {} : { numPartitions: partitions }),
          ...(replicationFactor === undefined ? {} : { replicationFactor }),
          ...(assignment === undefined ? {} : { assignments: parseReplicaAssignment(assignment) }),
          configs,
        },
      ],
    })
    io.stdout.write(args.json ? json(created) : `Created topic ${topic}.\n`)
  } catch (e) {
    if (!(args.flag('if-not-exists') && isKafkaProtocolError(e) && e.errorCode === TOPIC_ALREADY_EXISTS)) throw e
    if (args.json) io.stdout.write(json({ topic, existed: true }))
  }
  return 0
}

async function alterTopics(admin: Admin, args: ParsedArgs, io: CliIo): Promise<number> {
  const names = await existingTopics(admin, args)
  const count = args.int('partitions', 1) as number
  const assignment = args.string('replica-assignment')
  if (names.length === 0) return 0
  const described = assignment === undefined ? [] : await admin.describeTopics({ topics: names })
  await admin.createPartitions({
    topicPartitions: names.map((topic) => {
      if (assignment === undefined) return { topic, count }
      // As Kafka does, the assignment lists every partition; only those past the current count are new.
      const current = described.find((d) => d.topic === topic)?.partitions.length ?? 0
      return { topic, count, assignments: parseReplicaAssignment(assignment).slice(current) }
    }),
  })
  if (args.json) io.stdout.write(json({ altered: names, partitions: count }))
  return 0
}

export interface PartitionRow {
  partition: number
  leader: number
  replicas: number[]
  isr: number[]
}

export interface TopicRow {
  topic: string
  topicId: string
  partitionCount: number
  replicationFactor: number
  /** Configs that differ from their defaults, in the broker's order. */
  configs: Record<string, string>
  partitions: PartitionRow[]
}

const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA'

/** Kafka's topic line: the TopicId only when there is one, configs as k=v joined by commas. */
export function formatTopicLine(t: TopicRow): string {
  const configs = Object.entries(t.configs)
    .map(([k, v]) => `${k}=${v}`)
    .join(',')
  const id = t.topicId === '' || t.topicId === ZERO_UUID ? '' : `\tTopicId: ${t.topicId}`
  return `Topic: ${t.topic}${id}\tPartitionCount: ${t.partitionCount}\tReplicationFactor: ${t.replicationFactor}\tConfigs: ${configs}\n`
}

/**
 * Kafka's partition line. Elr and LastKnownElr (KIP-966) are N/A: the client describes topics through
 * Metadata, which carries no eligible leader replicas, and Kafka's tool prints N/A in that case too.
 */
export function formatPartitionLine(topic: string, p: PartitionRow): string {
  const leader = p.leader < 0 ? 'none' : String(p.leader)
  return `\tTopic: ${topic}\tPartition: ${p.partition}\tLeader: ${leader}\tReplicas: ${p.replicas.join(',')}\tIsr: ${p.isr.join(',')}\tElr: N/A\tLastKnownElr: N/A\n`
}

async function describeTopics(admin: Admin, args: ParsedArgs, io: CliIo): Promise<number> {
  let names = await existingTopics(admin, args)
  const topicId = args.string('topic-id')
  let descriptions: TopicDescription[] = names.length === 0 ? [] : await admin.describeTopics({ topics: names })
  if (topicId !== undefined) {
    descriptions = descriptions.filter((d) => d.topicId === topicId)
    if (descriptions.length === 0 && !args.flag('if-exists')) {
      throw new Error(`TopicId '${topicId}' does not exist as expected`)
    }
    names = descriptions.map((d) => d.topic)
  }
  descriptions.sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : 0))
  const configs: DescribedConfigs[] =
    names.length === 0 ? [] : await admin.describeConfigs({ resources: names.map((name) => ({ type: 'topic', name })) })
  const live = new Set((await admin.describeCluster()).brokers.map((b) => b.nodeId))
  const reports = REPORTS.filter((r) => args.has(r))
  const overridesOnly = args.flag('topics-with-overrides')
  const rows: TopicRow[] = []
  let text = ''
  for (const d of descriptions) {
    const entries = configs.find((c) => c.name === d.topic)?.configs ?? []
    const overrides = Object.fromEntries(entries.filter((e) => !e.isDefault).map((e) => [e.name, e.value ?? 'null']))
    const minIsr = Number(entries.find((e) => e.name === 'min.insync.replicas')?.value ?? '1')
    const partitions = [...d.partitions].sort((a, b) => a.partition - b.partition)
    const row: TopicRow = {
      topic: d.topic,
      topicId: d.topicId,
      partitionCount: partitions.length,
      replicationFactor: partitions[0]?.replicas.length ?? 0,
      configs: overrides,
      partitions: partitions.map((p) => ({
        partition: p.partition,
        leader: p.leader,
        replicas: p.replicas,
        isr: p.isr,
      })),
    }
    const shown = row.partitions.filter(
      (p) => reports.length === 0 || reports.some((r) => partitionMatches(r, p, minIsr, live)),
    )
    if (overridesOnly) {
      // Kafka prints only the topic lines of topics with an override, and no partitions.
      if (Object.keys(overrides).length === 0) continue
      rows.push({ ...row, partitions: [] })
      text += formatTopicLine(row)
      continue
    }
    if (reports.length > 0) {
      // The reports print matching partition lines only, without the topic line.
      if (shown.length > 0) rows.push({ ...row, partitions: shown })
      for (const p of shown) text += formatPartitionLine(d.topic, p)
      continue
    }
    rows.push(row)
    text += formatTopicLine(row)
    for (const p of shown) text += formatPartitionLine(d.topic, p)
  }
  io.stdout.write(args.json ? json(rows) : text)
  return 0
}

function partitionMatches(report: (typeof REPORTS)[number], p: PartitionRow, minIsr: number, live: Set<number>) {
  const hasLeader = p.leader >= 0
  switch (report) {
    case 'under-replicated-partitions':
      return p.replicas.length - p.isr.length > 0
    case 'unavailable-partitions':
      return !hasLeader || !live.has(p.leader)
    case 'under-min-isr-partitions':
      return !hasLeader || p.isr.length < minIsr
    case 'at-min-isr-partitions':
      return p.isr.length === minIsr
  }
}
