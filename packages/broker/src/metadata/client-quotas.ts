// Client quotas as configuration (KIP-546, Kafka's ClientQuotaControlManager and ClientQuotasImage): the quotas
// set per user, client id, (user, client id) pair or ip, stored in the metadata store, altered and described with
// Kafka's validation and matching rules. Enforcement (throttling by these rates) comes with the security work;
// until then a quota is recorded and described but does not slow anyone down.

import { ErrorCode } from '@samsa/protocol'
import { isIP } from 'node:net'
import type { ClientQuotaEntry, MetadataStore, QuotaEntityPart } from './metadata-store.ts'

/** Kafka's QuotaConfig keys per entity type, with whether the value must be a whole number. */
const CLIENT_KEYS: Readonly<Record<string, 'long' | 'double'>> = {
  producer_byte_rate: 'long',
  consumer_byte_rate: 'long',
  request_percentage: 'double',
  controller_mutation_rate: 'double',
}
const IP_KEYS: Readonly<Record<string, 'long' | 'double'>> = { connection_creation_rate: 'long' }
const ENTITY_TYPES = new Set(['user', 'client-id', 'ip'])

export const QuotaMatchType = { EXACT: 0, DEFAULT: 1, ANY: 2 } as const

export interface QuotaFilterComponent {
  entityType: string
  matchType: number
  match: string | null
}

export interface QuotaAlteration {
  entity: readonly QuotaEntityPart[]
  ops: readonly { key: string; value: number; remove: boolean }[]
}

export interface QuotaResult {
  errorCode: number
  errorMessage: string | null
}

const ok: QuotaResult = { errorCode: ErrorCode.NONE, errorMessage: null }
const invalid = (errorMessage: string): QuotaResult => ({ errorCode: ErrorCode.INVALID_REQUEST, errorMessage })

function sortedEntity(entity: readonly QuotaEntityPart[]): QuotaEntityPart[] {
  return [...entity]
    .map((p) => ({ entityType: p.entityType, entityName: p.entityName }))
    .sort((a, b) => (a.entityType < b.entityType ? -1 : a.entityType > b.entityType ? 1 : 0))
}

/** Kafka's rules for an entity: known types, each once, ip alone, an ip name that parses. */
function entityProblem(entity: readonly QuotaEntityPart[]): string | null {
  if (entity.length === 0) return 'Invalid empty client quota entity'
  const types = new Set<string>()
  for (const part of entity) {
    if (!ENTITY_TYPES.has(part.entityType)) return `Unhandled client quota entity type: ${part.entityType}`
    if (types.has(part.entityType)) return `Duplicate ${part.entityType} entity type in the client quota entity`
    types.add(part.entityType)
    if (part.entityType === 'ip' && part.entityName !== null && isIP(part.entityName) === 0) {
      return `${part.entityName} is not a valid IP address`
    }
  }
  if (types.has('ip') && types.size > 1)
    return 'Invalid quota entity combination: ip cannot be combined with user or client-id'
  return null
}

function keyProblem(entity: readonly QuotaEntityPart[], key: string, value: number, remove: boolean): string | null {
  const keys = entity.some((p) => p.entityType === 'ip') ? IP_KEYS : CLIENT_KEYS
  const type = keys[key]
  if (type === undefined) return `Invalid configuration key ${key}`
  if (remove) return null
  if (!Number.isFinite(value)) return `Invalid value ${value} for configuration key ${key}`
  if (type === 'long' && !Number.isInteger(value)) return `Configuration ${key} must be a Long value`
  return null
}

export class ClientQuotaControl {
  readonly #store: MetadataStore

  constructor(store: MetadataStore) {
    this.#store = store
  }

  /** AlterClientQuotas: one result per entry; valid entries are applied (all at once) unless validateOnly. */
  async alter(alterations: readonly QuotaAlteration[], validateOnly: boolean): Promise<QuotaResult[]> {
    const current = new Map(this.#store.clientQuotas().map((q) => [JSON.stringify(q.entity), q]))
    const changed: ClientQuotaEntry[] = []
    const results = alterations.map((alteration): QuotaResult => {
      const problem = entityProblem(alteration.entity)
      if (problem !== null) return invalid(problem)
      const entity = sortedEntity(alteration.entity)
      const seen = new Set<string>()
      for (const op of alteration.ops) {
        if (seen.has(op.key))
          return invalid(`Duplicate quota key ${op.key} not updating quota for ${JSON.stringify(entity)}`)
        seen.add(op.key)
        const keyIssue = keyProblem(entity, op.key, op.value, op.remove)
        if (keyIssue !== null) return invalid(keyIssue)
      }
      const key = JSON.stringify(entity)
      const values = new Map(current.get(key)?.values ?? [])
      for (const op of alteration.ops) {
        if (op.remove) values.delete(op.key)
        else values.set(op.key, op.value)
      }
      const entry = { entity, values }
      current.set(key, entry)
      changed.push(entry)
      return ok
    })
    if (!validateOnly && changed.length > 0) await this.#store.setClientQuotas(changed)
    return results
  }

  /** DescribeClientQuotas: the entities matching every component (and, when strict, no other types). */
  describe(
    components: readonly QuotaFilterComponent[],
    strict: boolean,
  ): QuotaResult & { entries: ClientQuotaEntry[] } {
    const types = new Set<string>()
    for (const c of components) {
      if (!ENTITY_TYPES.has(c.entityType))
        return { ...invalid(`Custom entity type ${c.entityType} not supported`), entries: [] }
      if (types.has(c.entityType))
        return { ...invalid(`Duplicate ${c.entityType} filter component entity type`), entries: [] }
      if (c.matchType === QuotaMatchType.EXACT && c.match === null) {
        return { ...invalid(`Filter for ${c.entityType} has no match for an exact name`), entries: [] }
      }
      if (
        c.matchType !== QuotaMatchType.EXACT &&
        c.matchType !== QuotaMatchType.DEFAULT &&
        c.matchType !== QuotaMatchType.ANY
      ) {
        return { ...invalid(`Unknown match type ${c.matchType}`), entries: [] }
      }
      types.add(c.entityType)
    }
    const matches = (entry: ClientQuotaEntry): boolean => {
      if (strict && entry.entity.length !== components.length) return false
      return components.every((c) => {
        const part = entry.entity.find((p) => p.entityType === c.entityType)
        if (part === undefined) return false
        if (c.matchType === QuotaMatchType.EXACT) return part.entityName === c.match
        if (c.matchType === QuotaMatchType.DEFAULT) return part.entityName === null
        return true
      })
    }
    return { ...ok, entries: this.#store.clientQuotas().filter(matches) }
  }
}
