// ACLs (KIP-140, prefixed patterns KIP-290): DescribeAcls, CreateAcls and DeleteAcls, as Kafka's admin client
// offers them. The API speaks Kafka's enum names in lower case ('topic', 'prefixed', 'describe_configs', 'allow')
// and maps them to the wire's int8 codes, which are Kafka's (ResourceType, PatternType, AclOperation,
// AclPermissionType). Any broker may answer: ACLs live in the cluster metadata, and KRaft brokers forward changes
// to the controller.

import {
  AclOperationCode,
  AclPatternTypeCode,
  AclPermissionTypeCode,
  AclResourceTypeCode,
  CreateAcls,
  DeleteAcls,
  DescribeAcls,
  ErrorCode,
} from '@samsa/protocol'
import type { BrokerConnection } from '../cluster/broker-connection.ts'
import { throwIfAny } from '../cluster/sharding.ts'
import { KafkaProtocolError, SamsaError, SamsaErrorCode } from '../errors.ts'
import { checkList, invalidArgument, requireName } from './arguments.ts'

/** Kafka's enum names in lower case, as this API takes them, with their wire codes. */
function lowerCaseNames<T extends Record<string, number>>(codes: T): { [K in keyof T as Lowercase<K & string>]: T[K] } {
  return Object.fromEntries(Object.entries(codes).map(([name, code]) => [name.toLowerCase(), code])) as {
    [K in keyof T as Lowercase<K & string>]: T[K]
  }
}

const RESOURCE_TYPES = lowerCaseNames(AclResourceTypeCode)
export type AclResourceType = keyof typeof RESOURCE_TYPES

/** match (filters only): literal names equal to it, wildcard '*', and prefixes of it. */
const PATTERN_TYPES = lowerCaseNames(AclPatternTypeCode)
export type AclPatternType = keyof typeof PATTERN_TYPES

const OPERATIONS = lowerCaseNames(AclOperationCode)
export type AclOperation = keyof typeof OPERATIONS

const PERMISSION_TYPES = lowerCaseNames(AclPermissionTypeCode)
export type AclPermissionType = keyof typeof PERMISSION_TYPES

/** One ACL: `principal` (e.g. 'User:alice') from `host` ('*': any) may (allow) or may not (deny) do `operation`. */
export interface AclBinding {
  resourceType: AclResourceType
  resourceName: string
  /** literal (default) or prefixed: the binding covers every resource whose name starts with resourceName. */
  patternType: AclPatternType
  principal: string
  host: string
  operation: AclOperation
  permissionType: AclPermissionType
}

/**
 * What createAcls takes (a described AclBinding too): patternType defaults to literal and host to '*'. Only
 * literal and prefixed patterns, allow and deny, and concrete resource types and operations make a binding.
 */
export type NewAclBinding = Omit<AclBinding, 'patternType' | 'host'> & { patternType?: AclPatternType; host?: string }

/**
 * Matches bindings; an absent (or null) field matches anything, and the enum fields default to 'any'.
 * patternType 'match' finds every binding that applies to resourceName: literal, wildcard and prefixed ones.
 */
export interface AclBindingFilter {
  resourceType?: AclResourceType
  resourceName?: string | null
  patternType?: AclPatternType
  principal?: string | null
  host?: string | null
  operation?: AclOperation
  permissionType?: AclPermissionType
}

export interface DeletedAcls {
  filter: AclBindingFilter
  /** The bindings the filter matched, now deleted. */
  deleted: AclBinding[]
}

/** LITERAL: every pattern a v0 request can carry (prefixed patterns came with v1, KIP-290). */
const LITERAL = PATTERN_TYPES.literal

function code<K extends string>(
  table: Readonly<Record<K, number>>,
  field: string,
  value: unknown,
  allowed: readonly K[],
): number {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return table[value as K]
  throw invalidArgument(`${field} must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`)
}

function nameOf<K extends string>(table: Readonly<Record<K, number>>, wireCode: number): K {
  const found = (Object.keys(table) as K[]).find((k) => table[k] === wireCode)
  return found ?? ('unknown' as K)
}

const keys = <K extends string>(table: Readonly<Record<K, number>>, ...except: string[]): K[] =>
  (Object.keys(table) as K[]).filter((k) => k !== 'unknown' && !except.includes(k))

function optionalString(field: string, value: unknown): string | null {
  if (value === undefined || value === null) return null
  if (typeof value === 'string') return value
  throw invalidArgument(`${field} must be a string or null`)
}

/** A filter in wire form (the field names DescribeAcls and DeleteAcls share). */
function filterCodes(filter: AclBindingFilter, at: string) {
  if (typeof filter !== 'object' || filter === null) {
    throw invalidArgument(`${at} must be an ACL binding filter object`)
  }
  return {
    resourceTypeFilter: code(RESOURCE_TYPES, `${at}.resourceType`, filter.resourceType ?? 'any', keys(RESOURCE_TYPES)),
    resourceNameFilter: optionalString(`${at}.resourceName`, filter.resourceName),
    patternTypeFilter: code(PATTERN_TYPES, `${at}.patternType`, filter.patternType ?? 'any', keys(PATTERN_TYPES)),
    principalFilter: optionalString(`${at}.principal`, filter.principal),
    hostFilter: optionalString(`${at}.host`, filter.host),
    operation: code(OPERATIONS, `${at}.operation`, filter.operation ?? 'any', keys(OPERATIONS)),
    permissionType: code(
      PERMISSION_TYPES,
      `${at}.permissionType`,
      filter.permissionType ?? 'any',
      keys(PERMISSION_TYPES),
    ),
  }
}

/** A binding in wire form; 'any', 'match' and 'unknown' describe filters, never a binding (Kafka refuses them). */
function bindingCodes(binding: NewAclBinding, at: string) {
  if (typeof binding !== 'object' || binding === null) {
    throw invalidArgument(`${at} must be an ACL binding object`)
  }
  return {
    resourceType: code(RESOURCE_TYPES, `${at}.resourceType`, binding.resourceType, keys(RESOURCE_TYPES, 'any')),
    resourceName: requireName(`${at}.resourceName`, binding.resourceName),
    resourcePatternType: code(PATTERN_TYPES, `${at}.patternType`, binding.patternType ?? 'literal', [
      'literal',
      'prefixed',
    ]),
    principal: requireName(`${at}.principal`, binding.principal),
    host: requireName(`${at}.host`, binding.host ?? '*'),
    operation: code(OPERATIONS, `${at}.operation`, binding.operation, keys(OPERATIONS, 'any')),
    permissionType: code(PERMISSION_TYPES, `${at}.permissionType`, binding.permissionType, ['deny', 'allow']),
  }
}

function bindingOf(wire: {
  resourceType: number
  resourceName: string
  patternType: number
  principal: string
  host: string
  operation: number
  permissionType: number
}): AclBinding {
  return {
    resourceType: nameOf(RESOURCE_TYPES, wire.resourceType),
    resourceName: wire.resourceName,
    patternType: nameOf(PATTERN_TYPES, wire.patternType),
    principal: wire.principal,
    host: wire.host,
    operation: nameOf(OPERATIONS, wire.operation),
    permissionType: nameOf(PERMISSION_TYPES, wire.permissionType),
  }
}

/**
 * A v0 request has no pattern type: every pattern is LITERAL, because brokers that old (before KIP-290) have
 * literal ACLs only. So a filter for ANY pattern goes out as LITERAL, and a prefixed binding or a MATCH filter is
 * refused rather than sent as something else.
 */
function patternForVersion(patternType: number, version: number, connection: BrokerConnection, apiName: string) {
  if (version > 0) return patternType
  if (patternType === LITERAL || patternType === PATTERN_TYPES.any) return LITERAL
  throw new SamsaError(
    SamsaErrorCode.UNSUPPORTED_VERSION,
    `broker ${connection.nodeId} speaks ${apiName} v0 only, which has literal resource patterns only (KIP-290)`,
  )
}

function describeBinding(b: { resourceType: number; resourceName: string; principal: string; host: string }) {
  return `${nameOf(RESOURCE_TYPES, b.resourceType)} ${b.resourceName} for ${b.principal}@${b.host}`
}

export async function describeAclsOn(connection: BrokerConnection, filter: AclBindingFilter): Promise<AclBinding[]> {
  const wire = filterCodes(filter, 'filter')
  const { response, version } = await connection.request(DescribeAcls, (v) => {
    const patternTypeFilter = patternForVersion(wire.patternTypeFilter, v, connection, DescribeAcls.name)
    return DescribeAcls.request.make({ ...wire, patternTypeFilter })
  })
  if (response.errorCode !== ErrorCode.NONE) {
    throw new KafkaProtocolError({
      errorCode: response.errorCode,
      apiKey: DescribeAcls.key,
      apiVersion: version,
      brokerMessage: response.errorMessage,
    })
  }
  return response.resources.flatMap((r) =>
    r.acls.map((a) =>
      bindingOf({ resourceType: r.resourceType, resourceName: r.resourceName, patternType: r.patternType, ...a }),
    ),
  )
}

/** Creates every binding; each one Kafka refuses becomes a KafkaProtocolError naming it (several: AggregateError). */
export async function createAclsOn(connection: BrokerConnection, acls: readonly NewAclBinding[]): Promise<void> {
  checkList('acls', acls)
  const creations = acls.map((b, i) => bindingCodes(b, `acls[${i}]`))
  const { response, version } = await connection.request(CreateAcls, (v) => {
    return CreateAcls.request.make({
      creations: creations.map((c) => ({
        ...c,
        resourcePatternType: patternForVersion(c.resourcePatternType, v, connection, CreateAcls.name),
      })),
    })
  })
  // Results come in request order, one per creation (CreateAclsResponse has no other key).
  const failures = creations.flatMap((c, i) => {
    const result = response.results[i]
    const errorCode = result?.errorCode ?? ErrorCode.UNKNOWN_SERVER_ERROR
    if (errorCode === ErrorCode.NONE) return []
    const detail = result?.errorMessage ?? null
    return [
      new KafkaProtocolError({
        errorCode,
        apiKey: CreateAcls.key,
        apiVersion: version,
        brokerMessage: `acls[${i}] (${describeBinding(c)})${detail === null ? '' : `: ${detail}`}`,
      }),
    ]
  })
  throwIfAny(failures, 'ACL bindings')
}

/** Deletes what each filter matches; resolves per filter with the bindings deleted, or throws every failure. */
export async function deleteAclsOn(
  connection: BrokerConnection,
  filters: readonly AclBindingFilter[],
): Promise<DeletedAcls[]> {
  checkList('filters', filters)
  const wire = filters.map((f, i) => filterCodes(f, `filters[${i}]`))
  const { response, version } = await connection.request(DeleteAcls, (v) => {
    return DeleteAcls.request.make({
      filters: wire.map((f) => ({
        ...f,
        patternTypeFilter: patternForVersion(f.patternTypeFilter, v, connection, DeleteAcls.name),
      })),
    })
  })
  const failures: KafkaProtocolError[] = []
  const fail = (errorCode: number, where: string, detail: string | null) =>
    failures.push(
      new KafkaProtocolError({
        errorCode,
        apiKey: DeleteAcls.key,
        apiVersion: version,
        brokerMessage: `${where}${detail === null ? '' : `: ${detail}`}`,
      }),
    )
  // Filter results come in request order, one per filter.
  const results = filters.map((filter, i): DeletedAcls => {
    const result = response.filterResults[i]
    if (result === undefined || result.errorCode !== ErrorCode.NONE) {
      fail(result?.errorCode ?? ErrorCode.UNKNOWN_SERVER_ERROR, `filters[${i}]`, result?.errorMessage ?? null)
      return { filter, deleted: [] }
    }
    const deleted: AclBinding[] = []
    for (const m of result.matchingAcls) {
      if (m.errorCode === ErrorCode.NONE) deleted.push(bindingOf(m))
      else fail(m.errorCode, `filters[${i}] matching ${describeBinding(m)}`, m.errorMessage)
    }
    return { filter, deleted }
  })
  throwIfAny(failures, 'ACL deletions')
  return results
}
