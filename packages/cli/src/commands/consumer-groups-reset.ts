// `samsa consumer-groups --reset-offsets` and `--delete-offsets`: Kafka's scopes (--topic t, --topic t:0,2,
// --all-topics), targets (--to-earliest, --to-latest, --to-current, --to-offset, --to-datetime, --by-duration,
// --shift-by) and its dry-run default: without --execute nothing is committed and the plan is printed as
// GROUP TOPIC PARTITION NEW-OFFSET.

import type { Admin, ResetTarget, TopicPartition } from '@samsa/client'
import { UsageError, type ParsedArgs } from '../args.ts'
import { errorMessage, json, row, widthOf } from '../format.ts'
import type { CliIo } from '../io.ts'

const TARGETS = [
  'to-earliest',
  'to-latest',
  'to-current',
  'to-offset',
  'to-datetime',
  'by-duration',
  'shift-by',
] as const

/** `t` or `t:0,1,2` (Kafka's topic scope syntax). */
export function parseTopicScope(values: readonly string[]): { topics: string[]; partitions: TopicPartition[] } {
  const topics: string[] = []
  const partitions: TopicPartition[] = []
  for (const value of values) {
    const colon = value.indexOf(':')
    if (colon < 0) {
      topics.push(value)
      continue
    }
    const topic = value.slice(0, colon)
    for (const p of value.slice(colon + 1).split(',')) {
      const partition = Number(p.trim())
      if (p.trim() === '' || !Number.isInteger(partition) || partition < 0) {
        throw new UsageError(`--topic: '${p}' in '${value}' is not a partition number`)
      }
      partitions.push({ topic, partition })
    }
  }
  return { topics, partitions }
}

/** Java's Duration.parse forms that Kafka's --by-duration takes: PnDTnHnMn.nS, optionally negative. */
export function parseDuration(text: string): number {
  const m = /^([-+]?)P(?:([-+]?\d+)D)?(?:T(?:([-+]?\d+)H)?(?:([-+]?\d+)M)?(?:([-+]?\d+(?:\.\d+)?)S)?)?$/i.exec(text)
  if (m === null || text.toUpperCase().endsWith('T') || /^[-+]?P$/i.test(text)) {
    throw new UsageError(`--by-duration must be an ISO-8601 duration such as PT15M or P1DT2H, got '${text}'`)
  }
  const [, sign, d, h, min, s] = m
  const ms = (Number(d ?? 0) * 86400 + Number(h ?? 0) * 3600 + Number(min ?? 0) * 60 + Number(s ?? 0)) * 1000
  return sign === '-' ? -ms : ms
}

/** Kafka's --to-datetime: 'YYYY-MM-DDTHH:mm:SS.sss', local time unless a zone (Z, ±HH:mm, ±HHmm) follows. */
export function parseDatetime(text: string): number {
  const match = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?)(Z|[+-]\d{2}:?\d{2})?$/.exec(text)
  if (match === null) {
    throw new UsageError(
      `--to-datetime must look like 2024-01-31T23:59:59.000 (optionally with Z or +09:00), got '${text}'`,
    )
  }
  const zone = match[2] === undefined ? '' : match[2].replace(/^([+-]\d{2})(\d{2})$/, '$1:$2')
  const ms = Date.parse(match[1] + zone)
  if (Number.isNaN(ms)) throw new UsageError(`--to-datetime: '${text}' is not a valid date and time`)
  return ms
}

function resetTarget(args: ParsedArgs, now: number): ResetTarget {
  const given = args.exactlyOne(TARGETS, false) as (typeof TARGETS)[number] | undefined
  switch (given) {
    case undefined:
      throw new UsageError(`--reset-offsets needs one of ${TARGETS.map((t) => `--${t}`).join(', ')}`)
    case 'to-earliest':
      return 'earliest'
    case 'to-latest':
      return 'latest'
    case 'to-current':
      return { shiftBy: 0 }
    case 'to-offset':
      return { offset: args.bigint('to-offset') as bigint }
    case 'shift-by':
      return { shiftBy: args.bigint('shift-by') as bigint }
    case 'to-datetime':
      return { datetime: parseDatetime(args.string('to-datetime') as string) }
    case 'by-duration':
      return { datetime: now - parseDuration(args.string('by-duration') as string) }
  }
}

/** GroupOffsetsResetter.printOffsetsToReset: "%-30s %-30s %-10s %-15s" rows after a blank line. */
export function formatResetPlan(
  rows: readonly { group: string; topic: string; partition: number; newOffset: bigint }[],
) {
  const widths = [30, 30, 10, 15]
  let out = rows.length > 0 ? '\n' + row(['GROUP', 'TOPIC', 'PARTITION', 'NEW-OFFSET'], widths) : ''
  for (const r of rows) out += '\n' + row([r.group, r.topic, String(r.partition), r.newOffset.toString()], widths)
  return out + '\n'
}

export async function resetOffsets(
  admin: Admin,
  args: ParsedArgs,
  io: CliIo,
  groups: readonly string[],
): Promise<number> {
  if (args.flag('dry-run') && args.flag('execute')) throw new UsageError('--dry-run and --execute cannot both be given')
  const scope = parseTopicScope(args.list('topic'))
  if (!args.flag('all-topics') && scope.topics.length === 0 && scope.partitions.length === 0) {
    throw new UsageError('--reset-offsets needs a scope: --topic or --all-topics')
  }
  if (args.flag('all-topics') && args.has('topic')) throw new UsageError('--all-topics cannot be used with --topic')
  const target = resetTarget(args, Date.now())
  const dryRun = !args.flag('execute')
  if (!args.flag('execute') && !args.flag('dry-run') && !args.json) {
    io.stderr.write(
      'WARN: No action will be performed as the --execute option is missing. ' +
        'Add --dry-run explicitly when scripting this command.\n',
    )
  }
  const rows: { group: string; topic: string; partition: number; currentOffset: bigint; newOffset: bigint }[] = []
  let code = 0
  for (const groupId of groups) {
    let topics = scope.topics
    if (args.flag('all-topics')) {
      topics = [...new Set((await admin.listConsumerGroupOffsets({ groupId })).map((o) => o.topic))]
    }
    if (topics.length === 0 && scope.partitions.length === 0) continue
    try {
      const plan = await admin.resetOffsets({ groupId, topics, partitions: scope.partitions, to: target, dryRun })
      plan.sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition))
      rows.push(...plan.map((p) => ({ group: groupId, ...p })))
    } catch (e) {
      io.stderr.write(`\nError: Assignments could not be reset for group '${groupId}': ${errorMessage(e)}\n`)
      code = 1
    }
  }
  io.stdout.write(args.json ? json({ executed: !dryRun, offsets: rows }) : formatResetPlan(rows))
  return code
}

/** "%-Ts %-10s %-15s" rows (TOPIC PARTITION STATUS), T the longest topic (at least 15). */
export function formatDeleteOffsets(rows: readonly { topic: string; partition: number; status: string }[]): string {
  const widths = [
    widthOf(
      15,
      rows.map((r) => r.topic),
    ),
    10,
    15,
  ]
  let out = '\n' + row(['TOPIC', 'PARTITION', 'STATUS'], widths)
  for (const r of rows) out += '\n' + row([r.topic, r.partition < 0 ? '-' : String(r.partition), r.status], widths)
  return out + '\n'
}

export async function deleteOffsets(admin: Admin, args: ParsedArgs, io: CliIo): Promise<number> {
  const groups = args.list('group')
  if (groups.length !== 1) throw new UsageError('--delete-offsets takes exactly one --group')
  const groupId = groups[0] as string
  const scope = parseTopicScope(args.list('topic'))
  if (scope.topics.length === 0 && scope.partitions.length === 0) throw new UsageError('--delete-offsets needs --topic')
  const partitions = [...scope.partitions]
  if (scope.topics.length > 0) {
    for (const d of await admin.describeTopics({ topics: scope.topics })) {
      for (const p of d.partitions) partitions.push({ topic: d.topic, partition: p.partition })
    }
  }
  partitions.sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition))
  let status = 'Successful'
  try {
    await admin.deleteOffsets({ groupId, partitions })
  } catch (e) {
    status = `Error: ${errorMessage(e)}`
  }
  const rows = partitions.map((p) => ({ ...p, status }))
  if (args.json) io.stdout.write(json({ group: groupId, partitions: rows }))
  else {
    if (status === 'Successful') io.stdout.write(`Request succeeded for deleting offsets from group ${groupId}.\n`)
    else io.stdout.write(`\nError: Encountered some partition-level error, see the follow-up details.\n`)
    io.stdout.write(formatDeleteOffsets(rows))
  }
  return status === 'Successful' ? 0 : 1
}
