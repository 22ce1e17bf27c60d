// `samsa topics plan`: the book's partition-count rule (4.1.1). A group can read at most one consumer per
// partition, so to keep up, produce rate < per-consumer throughput × partitions: partitions = ceil(produce rate ÷
// per-consumer throughput), with as many consumers. The per-consumer throughput is given, or measured by reading a
// sample topic with one consumer (what consumer-perf-test does). With --topic, the plan is compared with the topic's
// current count; a keyed topic gets the book's warning that adding partitions later moves keys.

import { UsageError, type Command, type ParsedArgs } from '../args.ts'
import { adminFrom, clientProperties, consumerFrom } from '../config.ts'
import { json } from '../format.ts'
import type { CliIo } from '../io.ts'

export const topicsPlanCommand: Command = {
  name: 'topics plan',
  summary:
    'How many partitions a produce rate needs (the book’s rule, 4.1.1). Partitions = ceil(produce rate ÷ ' +
    'per-consumer throughput); the throughput may be measured on a sample topic.',
  usage: '--produce-rate <records/s> (--consumer-throughput <records/s> | --measure-topic <t>) [--topic <t>] [--keyed]',
  flags: {
    'produce-rate': { type: 'string', arg: 'records/s', description: 'the target produce rate (required)' },
    'consumer-throughput': { type: 'string', arg: 'records/s', description: 'what one consumer processes per second' },
    'measure-topic': {
      type: 'string',
      arg: 'topic',
      description: 'measure one consumer’s throughput by reading this topic from the start',
    },
    'measure-messages': { type: 'string', arg: 'n', description: 'records to read when measuring (default 10000)' },
    topic: { type: 'string', arg: 'topic', description: 'compare with this topic’s partition count' },
    keyed: { type: 'boolean', description: 'records have keys: warn that adding partitions moves keys' },
  },
  run: runPlan,
}

export interface Plan {
  produceRate: number
  consumerThroughput: number
  partitions: number
  consumers: number
}

export function plan(produceRate: number, consumerThroughput: number): Plan {
  const partitions = Math.max(1, Math.ceil(produceRate / consumerThroughput))
  return { produceRate, consumerThroughput, partitions, consumers: partitions }
}

function positive(args: ParsedArgs, name: string): number | undefined {
  const raw = args.string(name)
  if (raw === undefined) return undefined
  const n = Number(raw)
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--${name} must be a positive number, got '${raw}'`)
  return n
}

async function runPlan(args: ParsedArgs, io: CliIo): Promise<number> {
  const produceRate = positive(args, 'produce-rate')
  if (produceRate === undefined) throw new UsageError('--produce-rate is required')
  let throughput = positive(args, 'consumer-throughput')
  const sample = args.string('measure-topic')
  if ((throughput === undefined) === (sample === undefined)) {
    throw new UsageError('exactly one of --consumer-throughput or --measure-topic is required')
  }
  let measured: { records: number; ms: number } | null = null
  if (sample !== undefined) {
    measured = await measure(args, io, sample, args.int('measure-messages', 1) ?? 10_000)
    if (measured.records === 0) throw new Error(`topic '${sample}' gave no records to measure`)
    throughput = measured.records / (measured.ms / 1000)
  }
  const result = plan(produceRate, throughput as number)
  let current: number | null = null
  const topic = args.string('topic')
  if (topic !== undefined) {
    const admin = adminFrom(args, io)
    try {
      const [d] = await admin.describeTopics({ topics: [topic] })
      current = d?.partitions.length ?? null
    } finally {
      await admin.close()
    }
  }
  if (args.json) {
    io.stdout.write(json({ ...result, measured, topic: topic ?? null, currentPartitions: current }))
    return 0
  }
  const rate = (n: number) => `${Number.isInteger(n) ? n : n.toFixed(1)} records/s`
  let out =
    `Target produce rate:       ${rate(produceRate)}\n` +
    `Per-consumer throughput:   ${rate(result.consumerThroughput)}` +
    (measured === null ? '\n' : ` (measured: ${measured.records} records of ${sample} in ${measured.ms} ms)\n`) +
    `Partitions needed:         ${result.partitions} = ceil(${rate(produceRate).split(' ')[0]} / ${rate(result.consumerThroughput).split(' ')[0]}), ` +
    `with ${result.consumers} consumers in the group\n`
  if (topic !== undefined && current !== null) {
    out +=
      current >= result.partitions
        ? `Topic ${topic} has ${current} partitions: enough.\n`
        : `Topic ${topic} has ${current} partitions: raise it with ` +
          `samsa topics --alter --topic ${topic} --partitions ${result.partitions}\n`
  }
  if (args.flag('keyed')) {
    out +=
      'Keyed records: adding partitions later changes which partition a key goes to, and with it per-key order. ' +
      'Create the topic with room to grow.\n'
  }
  io.stdout.write(out)
  return 0
}

/** One consumer (no group) reading the sample topic from the start: records and elapsed ms from the first record. */
async function measure(
  args: ParsedArgs,
  io: CliIo,
  topic: string,
  wanted: number,
): Promise<{ records: number; ms: number }> {
  const props = clientProperties('consumer', args, io, { overrides: { 'auto.offset.reset': 'earliest' } })
  const admin = adminFrom(args, io)
  let partitions: number[]
  try {
    const [d] = await admin.describeTopics({ topics: [topic] })
    partitions = d?.partitions.map((p) => p.partition) ?? []
  } finally {
    await admin.close()
  }
  const consumer = consumerFrom(props)
  let records = 0
  let first = 0
  let lastAt = 0
  let idle: NodeJS.Timeout | undefined
  const restartIdle = () => {
    clearTimeout(idle)
    idle = setTimeout(() => void consumer.close().catch(() => {}), 2000)
  }
  try {
    consumer.assign(partitions.map((partition) => ({ topic, partition, offset: 0n })))
    restartIdle()
    for await (const _ of consumer) {
      lastAt = performance.now()
      if (records === 0) first = lastAt
      records++
      restartIdle()
      if (records >= wanted) break
    }
  } finally {
    clearTimeout(idle)
    await consumer.close()
  }
  // Up to the last record: the idle wait that ended a short topic is not reading time.
  return { records, ms: Math.max(1, Math.round(lastAt - first)) }
}
