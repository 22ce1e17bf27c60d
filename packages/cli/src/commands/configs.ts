// `samsa configs`: kafka-configs.sh. For topics and brokers, --describe prints Kafka's "Dynamic configs for topic
// t are:" block (only the dynamic overrides; --all prints every config) and --alter applies --add-config and
// --delete-config as one incremental change (KIP-339). Users, clients and ips are client quotas
// (configs-quotas.ts).

import type { Admin, ConfigEntry, ConfigResourceType } from '@samsa/client'
import { UsageError, type Command, type ParsedArgs } from '../args.ts'
import { adminFrom } from '../config.ts'
import { json } from '../format.ts'
import type { CliIo } from '../io.ts'
import { alterQuotas, describeQuotas, isQuotaCommand, quotaSelection } from './configs-quotas.ts'

export const configsCommand: Command = {
  name: 'configs',
  summary: 'Describe or change topic, broker and client quota configs (kafka-configs.sh).',
  usage:
    '--bootstrap-server <host:port> (--describe | --alter) (--entity-type topics|brokers [--entity-name <name>] | ' +
    '--topic <t> | --broker <id> | --broker-defaults) [--add-config k=v,...] [--delete-config k,...]',
  flags: {
    describe: { type: 'boolean', description: 'show configs of the entity' },
    alter: { type: 'boolean', description: 'change configs of the entity' },
    'entity-type': {
      type: 'string',
      multiple: true,
      arg: 'topics|brokers|users|clients|ips',
      description: 'the kind of entity (users and clients may be combined)',
    },
    'entity-name': {
      type: 'string',
      multiple: true,
      arg: 'name',
      description: 'the entity, one per --entity-type (all of them when absent)',
    },
    'entity-default': { type: 'boolean', description: 'the default entity: broker defaults, default user, ...' },
    user: { type: 'string', arg: 'principal', description: 'same as --entity-type users --entity-name <principal>' },
    client: { type: 'string', arg: 'client-id', description: 'same as --entity-type clients --entity-name <id>' },
    ip: { type: 'string', arg: 'ip', description: 'same as --entity-type ips --entity-name <ip>' },
    'user-defaults': { type: 'boolean', description: 'the default user quota entity' },
    'client-defaults': { type: 'boolean', description: 'the default client-id quota entity' },
    'ip-defaults': { type: 'boolean', description: 'the default ip quota entity' },
    topic: { type: 'string', arg: 'topic', description: 'same as --entity-type topics --entity-name <topic>' },
    broker: { type: 'string', arg: 'id', description: 'same as --entity-type brokers --entity-name <id>' },
    'broker-defaults': { type: 'boolean', description: 'same as --entity-type brokers --entity-default' },
    'add-config': {
      type: 'string',
      arg: 'k1=v1,k2=[v1,v2]',
      description: 'configs to set; a bracketed value is a list',
    },
    'delete-config': { type: 'string', arg: 'k1,k2', description: 'configs to remove (back to their defaults)' },
    all: { type: 'boolean', description: 'with --describe: every config, not only the dynamic ones' },
  },
  run: runConfigs,
}

interface Entity {
  type: ConfigResourceType
  /** Topic name, broker id, or null for "every one" / "" for broker defaults. */
  name: string | null
}

function entityOf(args: ParsedArgs): Entity {
  const shortcuts = ['topic', 'broker', 'broker-defaults'].filter((f) => args.has(f))
  if (shortcuts.length > 1) throw new UsageError('only one of --topic, --broker, --broker-defaults may be given')
  if (shortcuts.length === 1 && args.has('entity-type')) {
    throw new UsageError(`--${shortcuts[0]} cannot be combined with --entity-type`)
  }
  if (args.has('topic')) return { type: 'topic', name: args.requireString('topic') }
  if (args.has('broker')) return { type: 'broker', name: String(args.int('broker', 0)) }
  if (args.flag('broker-defaults')) return { type: 'broker', name: '' }
  const type = args.string('entity-type')
  if (type === undefined) throw new UsageError('--entity-type (or --topic, --broker, --broker-defaults) is required')
  if (args.list('entity-type').length > 1) throw new UsageError('only users and clients may be combined')
  if (type === 'client-metrics' || type === 'groups') {
    throw new UsageError(`--entity-type ${type} is not supported yet`)
  }
  if (type !== 'topics' && type !== 'brokers') {
    throw new UsageError(`--entity-type must be topics, brokers, users, clients or ips, got '${type}'`)
  }
  const name = args.string('entity-name')
  if (args.flag('entity-default')) {
    if (type !== 'brokers') throw new UsageError('--entity-default is only for --entity-type brokers')
    return { type: 'broker', name: '' }
  }
  if (type === 'brokers' && name !== undefined && !/^\d+$/.test(name)) {
    throw new UsageError(`--entity-name for brokers must be a broker id, got '${name}'`)
  }
  return { type: type === 'topics' ? 'topic' : 'broker', name: name ?? null }
}

/** Kafka's --add-config syntax: commas separate entries except inside [...], which holds a list value. */
export function parseAddConfig(text: string): Record<string, string> {
  const out: Record<string, string> = {}
  const entries: string[] = []
  let depth = 0
  let current = ''
  for (const c of text) {
    if (c === '[') depth++
    if (c === ']') depth--
    if (c === ',' && depth === 0) {
      entries.push(current)
      current = ''
    } else current += c
  }
  if (current !== '') entries.push(current)
  for (const entry of entries) {
    const eq = entry.indexOf('=')
    if (eq <= 0) throw new UsageError(`--add-config entries must be key=value, got '${entry}'`)
    const value = entry.slice(eq + 1).trim()
    out[entry.slice(0, eq).trim()] = value.startsWith('[') && value.endsWith(']') ? value.slice(1, -1) : value
  }
  return out
}

/** The header line Kafka prints above each entity's configs. */
export function describeHeader(entity: { type: ConfigResourceType; name: string }, all: boolean): string {
  if (entity.type === 'topic') return `${all ? 'All' : 'Dynamic'} configs for topic ${entity.name} are:\n`
  if (entity.name === '') return 'Default configs for brokers in the cluster are:\n'
  return `${all ? 'All' : 'Dynamic'} configs for broker ${entity.name} are:\n`
}

/** "  name=value sensitive=false synonyms={SOURCE:name=value}"; sensitive values print as null, as in Kafka. */
export function describeLine(e: ConfigEntry): string {
  const value = e.isSensitive ? 'null' : (e.value ?? 'null')
  return `  ${e.name}=${value} sensitive=${e.isSensitive} synonyms={${e.source}:${e.name}=${value}}\n`
}

/** Without --all, Kafka shows only the configs set dynamically at the entity's own level. */
function shown(entity: { type: ConfigResourceType; name: string }, e: ConfigEntry, all: boolean): boolean {
  if (all) return true
  if (entity.type === 'topic') return e.source === 'DYNAMIC_TOPIC_CONFIG'
  return entity.name === '' ? e.source === 'DYNAMIC_DEFAULT_BROKER_CONFIG' : e.source === 'DYNAMIC_BROKER_CONFIG'
}

async function runConfigs(args: ParsedArgs, io: CliIo): Promise<number> {
  const action = args.exactlyOne(['describe', 'alter'])
  args.onlyWith('add-config', ['alter'])
  args.onlyWith('delete-config', ['alter'])
  args.onlyWith('all', ['describe'])
  if (isQuotaCommand(args)) {
    const selection = quotaSelection(args)
    const admin = adminFrom(args, io)
    try {
      if (action === 'describe') return await describeQuotas(admin, selection, args, io)
      const { add, remove } = changes(args)
      return await alterQuotas(admin, selection, add, remove, args, io)
    } finally {
      await admin.close()
    }
  }
  const entity = entityOf(args)
  const admin = adminFrom(args, io)
  try {
    if (action === 'describe') return await describe(admin, entity, args, io)
    return await alter(admin, entity, args, io)
  } finally {
    await admin.close()
  }
}

async function describe(admin: Admin, entity: Entity, args: ParsedArgs, io: CliIo): Promise<number> {
  const all = args.flag('all')
  let names: string[]
  if (entity.name !== null) names = [entity.name]
  else if (entity.type === 'topic') names = await admin.listTopics({ includeInternal: true })
  else names = (await admin.describeCluster()).brokers.map((b) => String(b.nodeId))
  const described = await admin.describeConfigs({ resources: names.map((name) => ({ type: entity.type, name })) })
  const result: { entity: string; name: string; configs: ConfigEntry[] }[] = []
  let text = ''
  for (const d of described) {
    const configs = d.configs.filter((e) => shown(d, e, all)).sort((a, b) => (a.name < b.name ? -1 : 1))
    result.push({ entity: entity.type, name: d.name, configs })
    text += describeHeader(d, all) + configs.map(describeLine).join('')
  }
  io.stdout.write(args.json ? json(result) : text)
  return 0
}

/** --add-config and --delete-config, at least one, no key in both. */
function changes(args: ParsedArgs): { add: Record<string, string>; remove: string[] } {
  const add = args.has('add-config') ? parseAddConfig(args.string('add-config') as string) : {}
  const remove = (args.string('delete-config') ?? '')
    .split(',')
    .map((k) => k.trim())
    .filter(Boolean)
  if (Object.keys(add).length === 0 && remove.length === 0) {
    throw new UsageError('--alter needs --add-config or --delete-config')
  }
  const both = remove.filter((k) => k in add)
  if (both.length > 0) throw new UsageError(`configs both added and deleted: ${both.join(', ')}`)
  return { add, remove }
}

async function alter(admin: Admin, entity: Entity, args: ParsedArgs, io: CliIo): Promise<number> {
  if (entity.name === null) throw new UsageError('--alter needs --entity-name (or --entity-default for brokers)')
  const { add, remove } = changes(args)
  await admin.incrementalAlterConfigs({
    resources: [
      {
        type: entity.type,
        name: entity.name,
        configs: [
          ...Object.entries(add).map(([name, value]) => ({ name, value, operation: 'set' as const })),
          ...remove.map((name) => ({ name, operation: 'delete' as const })),
        ],
      },
    ],
  })
  const what =
    entity.type === 'topic'
      ? `config for topic ${entity.name}`
      : entity.name === ''
        ? 'default config for brokers in the cluster'
        : `config for broker ${entity.name}`
  io.stdout.write(args.json ? json({ updated: entity, set: add, deleted: remove }) : `Completed updating ${what}.\n`)
  return 0
}
