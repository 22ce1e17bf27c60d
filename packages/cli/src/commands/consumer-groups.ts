// `samsa consumer-groups`: kafka-consumer-groups.sh. --list, --describe (offsets and lag, --members [--verbose],
// --state [--verbose]), --delete; --reset-offsets and --delete-offsets are in consumer-groups-reset.ts. Tables use
// ConsumerGroupCommand's printf layouts: 15-character minimum columns grown to the longest cell, "-" for a missing
// value, and a blank line before each table (Kafka's format strings start with "\n").

import type { Admin, GroupDescription, PartitionLag } from '@samsa/client'
import { UsageError, type Command, type ParsedArgs } from '../args.ts'
import { adminFrom } from '../config.ts'
import { columnWidth, errorMessage, json, MISSING, row, widthOf } from '../format.ts'
import type { CliIo } from '../io.ts'
import { deleteOffsets, resetOffsets } from './consumer-groups-reset.ts'

export const consumerGroupsCommand: Command = {
  name: 'consumer-groups',
  summary: 'List, describe, delete consumer groups and reset their offsets (kafka-consumer-groups.sh).',
  usage: '--bootstrap-server <host:port> (--list | --describe | --delete | --reset-offsets | --delete-offsets) ...',
  flags: {
    list: { type: 'boolean', description: 'list all consumer groups' },
    describe: { type: 'boolean', description: 'describe groups: offsets and lag, or --members, or --state' },
    delete: { type: 'boolean', description: 'delete groups (they must have no members)' },
    'reset-offsets': { type: 'boolean', description: 'reset the committed offsets of an inactive group' },
    'delete-offsets': { type: 'boolean', description: 'delete the committed offsets of --topic' },
    group: { type: 'string', multiple: true, arg: 'group', description: 'the consumer group' },
    'all-groups': { type: 'boolean', description: 'every group (with --describe, --delete, --reset-offsets)' },
    members: { type: 'boolean', description: 'with --describe: the members' },
    offsets: { type: 'boolean', description: 'with --describe: offsets and lag (the default)' },
    state: {
      type: 'string',
      arg: 'states',
      description: 'with --describe: the group state; with --list: show states, or only these (Stable,Empty)',
    },
    type: { type: 'string', arg: 'types', description: 'with --list: show types, or only these (classic,consumer)' },
    verbose: { type: 'boolean', description: 'more columns for --members and --state' },
    topic: {
      type: 'string',
      multiple: true,
      arg: 'topic[:p,p]',
      description: 'with --reset-offsets / --delete-offsets: a topic, or some of its partitions',
    },
    'all-topics': { type: 'boolean', description: 'with --reset-offsets: every topic the group has offsets for' },
    'to-earliest': { type: 'boolean', description: 'reset to the earliest offset' },
    'to-latest': { type: 'boolean', description: 'reset to the latest offset' },
    'to-current': { type: 'boolean', description: 'reset to the current offset' },
    'to-offset': { type: 'string', arg: 'offset', description: 'reset to this offset' },
    'to-datetime': {
      type: 'string',
      arg: 'YYYY-MM-DDTHH:mm:SS.sss',
      description: 'reset to the first offset at or after',
    },
    'by-duration': { type: 'string', arg: 'PnDTnHnMnS', description: 'reset to the offset this long ago' },
    'shift-by': { type: 'string', arg: 'n', description: 'move the current offset by n (may be negative)' },
    'from-file': { type: 'string', arg: 'csv', description: 'reset to the offsets in this CSV (what --export writes)' },
    export: { type: 'boolean', description: 'with --reset-offsets: print the plan as CSV for --from-file' },
    'dry-run': { type: 'boolean', description: 'only show the result (the default)' },
    execute: { type: 'boolean', description: 'commit the reset' },
    timeout: { type: 'string', arg: 'ms', description: 'how long to wait for answers (default 5000)' },
  },
  optionalValues: { state: '', type: '' },
  run: runConsumerGroups,
}

const ACTIONS = ['list', 'describe', 'delete', 'reset-offsets', 'delete-offsets'] as const

async function runConsumerGroups(args: ParsedArgs, io: CliIo): Promise<number> {
  const action = args.exactlyOne(ACTIONS) as (typeof ACTIONS)[number]
  args.onlyWith('members', ['describe'])
  args.onlyWith('offsets', ['describe'])
  args.onlyWith('verbose', ['describe'])
  args.onlyWith('all-topics', ['reset-offsets'])
  args.onlyWith('export', ['reset-offsets'])
  args.onlyWith('from-file', ['reset-offsets'])
  args.onlyWith('type', ['list'])
  if (action !== 'list' && !args.has('group') && !args.has('all-groups')) {
    throw new UsageError(`--group or --all-groups is required with --${action}`)
  }
  const admin = adminFrom(args, io)
  try {
    switch (action) {
      case 'list':
        return await listGroups(admin, args, io)
      case 'describe':
        return await describeGroups(admin, args, io)
      case 'delete':
        return await deleteGroups(admin, args, io)
      case 'reset-offsets':
        return await resetOffsets(admin, args, io, await groupIds(admin, args))
      case 'delete-offsets':
        return await deleteOffsets(admin, args, io)
    }
  } finally {
    await admin.close()
  }
}

/** Kafka lists consumer groups only: classic groups of the consumer protocol (or none yet) and KIP-848 groups. */
async function consumerGroups(admin: Admin, filter: { states?: string[]; types?: string[] } = {}) {
  const groups = await admin.listGroups(filter)
  return groups
    .filter((g) => g.protocolType === 'consumer' || g.protocolType === '' || g.type === 'consumer')
    .sort((a, b) => (a.groupId < b.groupId ? -1 : a.groupId > b.groupId ? 1 : 0))
}

async function groupIds(admin: Admin, args: ParsedArgs): Promise<string[]> {
  return args.flag('all-groups') ? (await consumerGroups(admin)).map((g) => g.groupId) : args.list('group')
}

const CLASSIC_STATES = ['PreparingRebalance', 'CompletingRebalance', 'Stable', 'Dead', 'Empty']
const CONSUMER_STATES = ['Assigning', 'Reconciling']

function parseList(text: string | undefined, valid: readonly string[], what: string): string[] | undefined {
  if (text === undefined || text === '') return undefined
  return text.split(',').map((raw) => {
    const match = valid.find((v) => v.toLowerCase() === raw.trim().toLowerCase())
    if (match === undefined) {
      throw new UsageError(`Invalid ${what} list '${text}'. Valid ${what}s are: ${valid.join(', ')}`)
    }
    return match
  })
}

/** `--list --state/--type`: Kafka's "%-Ns %-20s" table, N = longest group id (at least 15) + 10. */
export function formatGroupListing(
  groups: readonly { groupId: string; state: string | null; type: string | null }[],
  showType: boolean,
  showState: boolean,
): string {
  const width = columnWidth(15, groups, (g) => g.groupId) + 10
  const widths = [width, ...(showType ? [20] : []), ...(showState ? [20] : [])]
  const line = (cells: string[]) => row(cells, widths) + '\n'
  let out = line(['GROUP', ...(showType ? ['TYPE'] : []), ...(showState ? ['STATE'] : [])])
  for (const g of groups) {
    out += line([
      g.groupId,
      ...(showType ? [(g.type ?? 'Unknown').toLowerCase()] : []),
      ...(showState ? [g.state ?? 'Unknown'] : []),
    ])
  }
  return out
}

async function listGroups(admin: Admin, args: ParsedArgs, io: CliIo): Promise<number> {
  const states = parseList(args.string('state'), [...CLASSIC_STATES, ...CONSUMER_STATES], 'state')
  const types = parseList(args.string('type'), ['classic', 'consumer'], 'type')
  const groups = await consumerGroups(admin, {
    ...(states === undefined ? {} : { states }),
    ...(types === undefined ? {} : { types }),
  })
  if (args.json) io.stdout.write(json(groups.map((g) => ({ group: g.groupId, state: g.state, type: g.type }))))
  else if (args.has('state') || args.has('type')) {
    io.stdout.write(formatGroupListing(groups, args.has('type'), args.has('state')))
  } else io.stdout.write(groups.map((g) => g.groupId + '\n').join(''))
  return 0
}

export interface OffsetRow {
  group: string
  topic: string
  partition: number
  currentOffset: bigint | null
  logEndOffset: bigint | null
  lag: bigint | null
  consumerId: string
  host: string
  clientId: string
}

/** The default --describe table (GROUP TOPIC PARTITION CURRENT-OFFSET LOG-END-OFFSET LAG CONSUMER-ID HOST CLIENT-ID). */
export function formatOffsets(rows: readonly OffsetRow[]): string {
  const widths = [
    columnWidth(15, rows, (r) => r.group),
    columnWidth(15, rows, (r) => r.topic),
    10,
    15,
    15,
    15,
    columnWidth(15, rows, (r) => r.consumerId),
    columnWidth(15, rows, (r) => r.host),
    0,
  ]
  const show = (v: bigint | null) => (v === null ? MISSING : v.toString())
  let out = '\n' + row(HEADER, widths)
  for (const r of rows) {
    out +=
      '\n' +
      row(
        [
          r.group,
          r.topic,
          String(r.partition),
          show(r.currentOffset),
          show(r.logEndOffset),
          show(r.lag),
          r.consumerId,
          r.host,
          r.clientId,
        ],
        widths,
      )
  }
  return out + '\n'
}

const HEADER = [
  'GROUP',
  'TOPIC',
  'PARTITION',
  'CURRENT-OFFSET',
  'LOG-END-OFFSET',
  'LAG',
  'CONSUMER-ID',
  'HOST',
  'CLIENT-ID',
]

/**
 * Kafka's row order: members with the most partitions first, each member's partitions by topic and partition,
 * then the partitions with committed offsets that nobody owns, with "-" for the member columns.
 */
export function offsetRows(description: GroupDescription, lag: readonly PartitionLag[]): OffsetRow[] {
  const byMember = [...description.members]
    .filter((m) => m.assignment.length > 0)
    .sort((a, b) => b.assignment.length - a.assignment.length)
  const rows: OffsetRow[] = []
  const toRow = (p: PartitionLag, consumerId: string, host: string, clientId: string): OffsetRow => ({
    group: description.groupId,
    topic: p.topic,
    partition: p.partition,
    currentOffset: p.committedOffset < 0n ? null : p.committedOffset,
    logEndOffset: p.logEndOffset < 0n ? null : p.logEndOffset,
    lag: p.lag,
    consumerId,
    host,
    clientId,
  })
  const owned = new Set<PartitionLag>()
  for (const m of byMember) {
    const mine = lag.filter((p) => p.memberId === m.memberId)
    for (const p of mine) owned.add(p)
    rows.push(...mine.map((p) => toRow(p, m.memberId, m.clientHost, m.clientId)))
  }
  rows.push(
    ...lag.filter((p) => !owned.has(p) && p.committedOffset >= 0n).map((p) => toRow(p, MISSING, MISSING, MISSING)),
  )
  return rows
}

export interface MemberRow {
  group: string
  consumerId: string
  groupInstanceId: string
  host: string
  clientId: string
  partitions: number
  currentEpoch: number | null
  assignment: string
  targetEpoch: number | null
  targetAssignment: string
}

/** "topic:0,1;other:2", topics sorted, as Kafka's getAssignmentString. */
export function assignmentString(partitions: readonly { topic: string; partition: number }[]): string {
  if (partitions.length === 0) return MISSING
  const byTopic = new Map<string, number[]>()
  for (const p of partitions) byTopic.set(p.topic, [...(byTopic.get(p.topic) ?? []), p.partition])
  return [...byTopic]
    .map(([topic, list]) => `${topic}:${list.sort((a, b) => a - b).join(',')}`)
    .sort()
    .join(';')
}

/** --describe --members [--verbose]: Kafka's printMembers (GROUP-INSTANCE-ID only when a member has one). */
export function formatMembers(rows: readonly MemberRow[], verbose: boolean): string {
  const withInstance = rows.some((r) => r.groupInstanceId !== '')
  const widths = [
    columnWidth(15, rows, (r) => r.group),
    columnWidth(15, rows, (r) => r.consumerId),
    ...(withInstance ? [columnWidth(17, rows, (r) => r.groupInstanceId)] : []),
    columnWidth(15, rows, (r) => r.host),
    columnWidth(15, rows, (r) => r.clientId),
    15,
  ]
  const verboseWidths = [
    15,
    columnWidth(20, rows, (r) => r.assignment),
    15,
    columnWidth(20, rows, (r) => r.targetAssignment),
  ]
  const line = (base: string[], extra: string[]) =>
    row(base, widths) + ' ' + (verbose ? row(extra, verboseWidths) : '') + '\n'
  let out =
    '\n' +
    line(
      ['GROUP', 'CONSUMER-ID', ...(withInstance ? ['GROUP-INSTANCE-ID'] : []), 'HOST', 'CLIENT-ID', '#PARTITIONS'],
      ['CURRENT-EPOCH', 'CURRENT-ASSIGNMENT', 'TARGET-EPOCH', 'TARGET-ASSIGNMENT'],
    )
  for (const r of rows) {
    out += line(
      [r.group, r.consumerId, ...(withInstance ? [r.groupInstanceId] : []), r.host, r.clientId, String(r.partitions)],
      [r.currentEpoch?.toString() ?? MISSING, r.assignment, r.targetEpoch?.toString() ?? MISSING, r.targetAssignment],
    )
  }
  return out
}

export interface StateRow {
  group: string
  coordinator: string
  assignmentStrategy: string
  state: string
  groupEpoch: number | null
  targetAssignmentEpoch: number | null
  members: number
}

/** --describe --state [--verbose]: Kafka's printStates; the coordinator column reads "host:port  (id)". */
export function formatState(r: StateRow, verbose: boolean): string {
  const first = [widthOf(15, [r.group]), widthOf(25, [r.coordinator]), 20, 20]
  if (verbose) {
    const widths = [...first, 15, 25, 0]
    return (
      '\n' +
      row(
        [
          'GROUP',
          'COORDINATOR (ID)',
          'ASSIGNMENT-STRATEGY',
          'STATE',
          'GROUP-EPOCH',
          'TARGET-ASSIGNMENT-EPOCH',
          '#MEMBERS',
        ],
        widths,
      ) +
      '\n' +
      row(
        [
          r.group,
          r.coordinator,
          r.assignmentStrategy,
          r.state,
          r.groupEpoch?.toString() ?? MISSING,
          r.targetAssignmentEpoch?.toString() ?? MISSING,
          String(r.members),
        ],
        widths,
      ) +
      '\n'
    )
  }
  const widths = [...first, 0]
  return (
    '\n' +
    row(['GROUP', 'COORDINATOR (ID)', 'ASSIGNMENT-STRATEGY', 'STATE', '#MEMBERS'], widths) +
    '\n' +
    row([r.group, r.coordinator, r.assignmentStrategy, r.state, String(r.members)], widths) +
    '\n'
  )
}

async function describeGroups(admin: Admin, args: ParsedArgs, io: CliIo): Promise<number> {
  const verbose = args.flag('verbose')
  const view = args.flag('members') ? 'members' : args.has('state') && !args.flag('offsets') ? 'state' : 'offsets'
  let code = 0
  const results: unknown[] = []
  for (const groupId of (await groupIds(admin, args)).sort()) {
    const [description] = await admin.describeGroups({ groups: [groupId] })
    if (description === undefined || description.state === 'Dead') {
      io.stderr.write(`\nError: Consumer group '${groupId}' does not exist.\n`)
      code = 1
      continue
    }
    if (description.state === 'Empty') io.stderr.write(`\nConsumer group '${groupId}' has no active members.\n`)
    else if (description.state !== 'Stable') io.stderr.write(`\nWarning: Consumer group '${groupId}' is rebalancing.\n`)
    if (view === 'offsets') {
      const rows = offsetRows(description, await admin.describeGroupLag({ groupId }))
      if (args.json) results.push(...rows)
      else if (rows.length > 0) io.stdout.write(formatOffsets(rows))
    } else if (view === 'members') {
      const rows = description.members.map((m): MemberRow => ({
        group: groupId,
        consumerId: m.memberId,
        groupInstanceId: m.groupInstanceId ?? '',
        host: m.clientHost,
        clientId: m.clientId,
        partitions: m.assignment.length,
        currentEpoch: m.memberEpoch ?? null,
        assignment: assignmentString(m.assignment),
        targetEpoch: m.targetAssignment === undefined ? null : (description.assignmentEpoch ?? null),
        targetAssignment: assignmentString(m.targetAssignment ?? []),
      }))
      if (args.json) results.push(...rows)
      else if (rows.length > 0) io.stdout.write(formatMembers(rows, verbose))
    } else {
      const c = await admin.findGroupCoordinator({ groupId })
      const state: StateRow = {
        group: groupId,
        coordinator: `${c.host}:${c.port}  (${c.nodeId})`,
        assignmentStrategy: description.assignor === '' ? MISSING : description.assignor,
        state: description.state,
        groupEpoch: description.groupEpoch ?? null,
        targetAssignmentEpoch: description.assignmentEpoch ?? null,
        members: description.members.length,
      }
      if (args.json) results.push(state)
      else io.stdout.write(formatState(state, verbose))
    }
  }
  if (args.json) io.stdout.write(json(results))
  return code
}

async function deleteGroups(admin: Admin, args: ParsedArgs, io: CliIo): Promise<number> {
  const groups = await groupIds(admin, args)
  const failures: string[] = []
  for (const group of groups) {
    try {
      await admin.deleteGroups({ groups: [group] })
    } catch (e) {
      failures.push(`* Group '${group}' could not be deleted due to: ${errorMessage(e)}`)
    }
  }
  const deleted = groups.filter((g) => !failures.some((f) => f.includes(`'${g}'`)))
  if (args.json) io.stdout.write(json({ deleted, failed: failures }))
  else {
    if (deleted.length > 0) {
      io.stdout.write(
        `Deletion of requested consumer groups (${deleted.map((g) => `'${g}'`).join(', ')}) was successful.\n`,
      )
    }
    if (failures.length > 0) io.stderr.write(`Deletion of some consumer groups failed:\n${failures.join('\n')}\n`)
  }
  return failures.length > 0 ? 1 : 0
}
