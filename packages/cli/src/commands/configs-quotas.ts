// `samsa configs` for users, clients and ips: client quotas (KIP-546), as kafka-configs.sh shows and sets them
// ("Quota configs for user-principal 'alice' are producer_byte_rate=1024.0"). An entity is one name per type
// (users + clients together name a user's quota for one client id); --entity-default or --user-defaults etc.
// mean the type's default entity, and a type without a name matches every entity of it (describe only). SCRAM
// credentials (SCRAM-SHA-256=[...] for users) need Describe/AlterUserScramCredentials, which are not here yet.

import type { Admin, QuotaEntity, QuotaEntityType, QuotaFilterComponent } from '@samsa/client'
import { UsageError, type ParsedArgs } from '../args.ts'
import { json } from '../format.ts'
import type { CliIo } from '../io.ts'

const TYPES: Record<string, QuotaEntityType> = { users: 'user', clients: 'client-id', ips: 'ip' }
const SHORTCUTS: [flag: string, defaults: string, type: QuotaEntityType][] = [
  ['user', 'user-defaults', 'user'],
  ['client', 'client-defaults', 'client-id'],
  ['ip', 'ip-defaults', 'ip'],
]
/** The quota keys Kafka accepts per entity type (QuotaConfig). */
const KEYS: Record<QuotaEntityType, readonly string[]> = {
  user: ['producer_byte_rate', 'consumer_byte_rate', 'request_percentage', 'controller_mutation_rate'],
  'client-id': ['producer_byte_rate', 'consumer_byte_rate', 'request_percentage', 'controller_mutation_rate'],
  ip: ['connection_creation_rate'],
}
const ORDER: readonly QuotaEntityType[] = ['user', 'client-id', 'ip']

/** Each type with its name: a string, null for the default entity, undefined for "any" (describe only). */
export type QuotaSelection = Map<QuotaEntityType, string | null | undefined>

/** True when the command line is about quota entities (users, clients, ips) rather than topics or brokers. */
export function isQuotaCommand(args: ParsedArgs): boolean {
  return (
    args.list('entity-type').some((t) => t in TYPES) || SHORTCUTS.some(([name, def]) => args.has(name) || args.has(def))
  )
}

export function quotaSelection(args: ParsedArgs): QuotaSelection {
  const selection: QuotaSelection = new Map()
  const types = args.list('entity-type')
  const names = args.list('entity-name')
  for (const [i, type] of types.entries()) {
    const quotaType = TYPES[type]
    if (quotaType === undefined)
      throw new UsageError(`--entity-type ${type} cannot be combined with users, clients or ips`)
    // Names pair with types in order; a type past the names is the default entity with --entity-default.
    selection.set(quotaType, i < names.length ? names[i] : args.flag('entity-default') ? null : undefined)
  }
  if (names.length > types.length) throw new UsageError('more --entity-name than --entity-type flags')
  for (const [flag, defaults, type] of SHORTCUTS) {
    if (args.has(flag) && args.flag(defaults)) throw new UsageError(`--${flag} and --${defaults} cannot both be given`)
    if (args.has(flag) || args.flag(defaults)) {
      if (selection.has(type)) throw new UsageError(`--${flag} repeats an --entity-type`)
      selection.set(type, args.flag(defaults) ? null : args.string(flag))
    }
  }
  if (selection.has('ip') && selection.size > 1) throw new UsageError('ips cannot be combined with users or clients')
  return selection
}

function doubleString(n: number): string {
  // Java prints doubles with at least one decimal (1024.0).
  return Number.isInteger(n) ? `${n}.0` : String(n)
}

const LABELS: Record<QuotaEntityType, string> = { user: 'user-principal', 'client-id': 'client-id', ip: 'ip' }

/** "Quota configs for user-principal 'alice', the default client-id are producer_byte_rate=1024.0" */
export function quotaLine(entity: QuotaEntity, values: Record<string, number>): string {
  const who = ORDER.filter((t) => t in entity)
    .map((t) => (entity[t] === null ? `the default ${LABELS[t]}` : `${LABELS[t]} '${entity[t]}'`))
    .join(', ')
  const what = Object.entries(values)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${doubleString(v)}`)
    .join(', ')
  return `Quota configs for ${who} are ${what}\n`
}

export async function describeQuotas(admin: Admin, selection: QuotaSelection, args: ParsedArgs, io: CliIo) {
  const components: QuotaFilterComponent[] = [...selection].map(([entityType, match]) =>
    match === undefined ? { entityType } : { entityType, match },
  )
  const found = await admin.describeClientQuotas({ components, strict: true })
  io.stdout.write(args.json ? json(found) : found.map((q) => quotaLine(q.entity, q.values)).join(''))
  return 0
}

export async function alterQuotas(
  admin: Admin,
  selection: QuotaSelection,
  add: Record<string, string>,
  remove: readonly string[],
  args: ParsedArgs,
  io: CliIo,
): Promise<number> {
  const entity: QuotaEntity = {}
  for (const [type, name] of selection) {
    if (name === undefined) throw new UsageError(`--alter needs a name (or the default) for every entity type`)
    entity[type] = name
  }
  const allowed = new Set([...selection.keys()].flatMap((t) => KEYS[t]))
  const ops = [
    ...Object.entries(add).map(([key, value]) => {
      const n = Number(value)
      if (value.trim() === '' || !Number.isFinite(n))
        throw new UsageError(`quota ${key} must be a number, got '${value}'`)
      return { key, value: n }
    }),
    ...remove.map((key) => ({ key, value: null })),
  ]
  for (const op of ops) {
    if (op.key.startsWith('SCRAM-')) throw new UsageError(`${op.key}: SCRAM credentials are not supported yet`)
    if (!allowed.has(op.key)) {
      throw new UsageError(`${op.key} is not a quota of this entity; valid: ${[...allowed].join(', ')}`)
    }
  }
  await admin.alterClientQuotas({ entries: [{ entity, ops }] })
  const [type, name] = [...selection][0] as [QuotaEntityType, string | null]
  const word = type === 'client-id' ? 'client' : type
  io.stdout.write(
    args.json
      ? json({ updated: entity, set: add, deleted: remove })
      : name === null
        ? `Completed updating default config for ${word}s in the cluster.\n`
        : `Completed updating config for ${word} ${name}.\n`,
  )
  return 0
}
