// `samsa consumer-groups --reset-offsets` and `--delete-offsets`: Kafka's scopes (--topic t, --topic t:0,2,
// --all-topics), targets (--to-earliest, --to-latest, --to-current, --to-offset, --to-datetime, --by-duration,
// --shift-by, --from-file) and its dry-run default: without --execute nothing is committed and the plan is printed
// as GROUP TOPIC PARTITION NEW-OFFSET, or with --export as the CSV that --from-file reads back.

import { readFileSync } from 'node:fs'
import type { Admin, ResetTarget, TopicPartition } from '@samsa/client'
import { UsageError, type ParsedArgs } from '../args.ts'
import { columnWidth, errorMessage, json, row } from '../format.ts'
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
  const dryRun = !args.flag('execute')
  if (args.has('from-file')) return resetFromFile(admin, args, io, groups, dryRun)
  const scope = parseTopicScope(args.list('topic'))
  if (!args.flag('all-topics') && scope.topics.length === 0 && scope.partitions.length === 0) {
    throw new UsageError('--reset-offsets needs a scope: --topic, --all-topics or --from-file')
  }
  if (args.flag('all-topics') && args.has('topic')) throw new UsageError('--all-topics cannot be used with --topic')
  const target = resetTarget(args, Date.now())
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
  io.stdout.write(printPlan(args, rows, groups.length === 1, dryRun))
  return code
}

type PlanRow = { group: string; topic: string; partition: number; newOffset: bigint }

function printPlan(args: ParsedArgs, rows: readonly PlanRow[], singleGroup: boolean, dryRun: boolean): string {
  if (args.json) return json({ executed: !dryRun, offsets: rows })
  return args.flag('export') ? exportCsv(rows, singleGroup) : formatResetPlan(rows)
}

/** Kafka's --export: "topic,partition,offset" lines for one group, with the group first for several. */
export function exportCsv(rows: readonly PlanRow[], singleGroup: boolean): string {
  return rows.map((r) => `${singleGroup ? '' : `${r.group},`}${r.topic},${r.partition},${r.newOffset}\n`).join('')
}

/** The CSV that --export writes: 3 columns for one group, 4 (group first) for several. */
export function parseOffsetsCsv(text: string, groups: readonly string[]): PlanRow[] {
  return text
    .split(/\r?\n/)
    .filter((line) => line.trim() !== '')
    .map((line, i) => {
      const cells = line.split(',').map((c) => c.trim())
      const withGroup = cells.length === 4
      if (cells.length !== (groups.length === 1 ? 3 : 4) && !(groups.length === 1 && withGroup)) {
        throw new UsageError(
          `--from-file line ${i + 1}: expected ${groups.length === 1 ? 'topic,partition,offset' : 'group,topic,partition,offset'}, got '${line}'`,
        )
      }
      const [group, topic, partition, offset] = withGroup ? cells : [groups[0] as string, ...cells]
      if (!/^\d+$/.test(partition ?? '') || !/^\d+$/.test(offset ?? '')) {
        throw new UsageError(`--from-file line ${i + 1}: partition and offset must be numbers, got '${line}'`)
      }
      return {
        group: group as string,
        topic: topic as string,
        partition: Number(partition),
        newOffset: BigInt(offset as string),
      }
    })
}

async function resetFromFile(
  admin: Admin,
  args: ParsedArgs,
  io: CliIo,
  groups: readonly string[],
  dryRun: boolean,
): Promise<number> {
  const path = args.string('from-file') as string
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (e) {
    throw new UsageError(`--from-file: cannot read '${path}': ${(e as NodeJS.ErrnoException).code ?? String(e)}`)
  }
  const wanted = parseOffsetsCsv(text, groups)
  const rows: PlanRow[] = []
  let code = 0
  for (const groupId of groups) {
    // One reset per distinct offset: the client resets a set of partitions to one target at a time.
    const byOffset = new Map<bigint, TopicPartition[]>()
    for (const w of wanted.filter((r) => r.group === groupId)) {
      byOffset.set(w.newOffset, [...(byOffset.get(w.newOffset) ?? []), { topic: w.topic, partition: w.partition }])
    }
    try {
      for (const [offset, partitions] of byOffset) {
        const plan = await admin.resetOffsets({ groupId, partitions, to: { offset }, dryRun })
        rows.push(
          ...plan.map((p) => ({ group: groupId, topic: p.topic, partition: p.partition, newOffset: p.newOffset })),
        )
      }
    } catch (e) {
      io.stderr.write(`\nError: Assignments could not be reset for group '${groupId}': ${errorMessage(e)}\n`)
      code = 1
    }
  }
  rows.sort((a, b) =>
    a.group !== b.group
      ? a.group < b.group
        ? -1
        : 1
      : a.topic < b.topic
        ? -1
        : a.topic > b.topic
          ? 1
          : a.partition - b.partition,
  )
  io.stdout.write(printPlan(args, rows, groups.length === 1, dryRun))
  return code
}

/** "%-Ts %-10s %-15s" rows (TOPIC PARTITION STATUS), T the longest topic (at least 15). */
export function formatDeleteOffsets(rows: readonly { topic: string; partition: number; status: string }[]): string {
  const widths = [columnWidth(15, rows, (r) => r.topic), 10, 15]
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
