// Option parsing for the producer, consumer and admin client. Options are camelCase; Kafka's Java property names
// (`bootstrap.servers`, `linger.ms`) are accepted too, through the one table below, so existing property files
// carry over (ARCHITECTURE.md §9.9). Values given under a Java name may be strings, as they are in property files.
// Every problem is reported at construction with the key exactly as the caller spelled it.

import { adminDefaults, commonDefaults, consumerDefaults, producerDefaults } from './defaults.ts'
import type { ConnectionOptions as TlsOptions } from 'node:tls'
import { SamsaError, SamsaErrorCode } from './errors.ts'
import type { SaslOptions } from './security/sasl.ts'
import type { SecurityOptionValues, SecurityProtocol } from './security/security-options.ts'

export interface BrokerAddress {
  host: string
  port: number
}

export type Acks = 0 | 1 | -1 | 'all'
export type CompressionName = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd'
export type IsolationLevelName = 'read_uncommitted' | 'read_committed'
export type AutoOffsetReset = 'earliest' | 'latest' | 'none'

/** Kafka's Java property names (`linger.ms`), accepted next to the camelCase options. */
export type JavaProperties = { [name: `${string}.${string}`]: unknown }

export interface CommonOptions {
  /** PLAINTEXT unless ssl or sasl says otherwise (Java: security.protocol). */
  securityProtocol?: SecurityProtocol
  /** TLS: true for the system's CAs, or Node's TLS options (ca, cert, key, passphrase, servername, ...). */
  ssl?: boolean | TlsOptions
  /** SASL: PLAIN, SCRAM-SHA-256/512 with username and password, OAUTHBEARER with a token provider, or your own. */
  sasl?: SaslOptions
  /** `host:port` strings, as an array or comma-separated. */
  bootstrapServers: string | readonly string[]
  clientId?: string
  requestTimeoutMs?: number
  connectTimeoutMs?: number
  retryBackoffMs?: number
  retryBackoffMaxMs?: number
  retries?: number
  metadataMaxAgeMs?: number
  maxInFlightRequestsPerConnection?: number
  maxResponseBytes?: number
}

type OptionType =
  | { kind: 'int'; min: number; max?: number }
  | { kind: 'string' }
  | { kind: 'servers' }
  | { kind: 'boolean' }
  | { kind: 'function' }
  | { kind: 'object'; orBoolean?: boolean }
  | { kind: 'acks' }
  | { kind: 'enum'; values: readonly string[] }
  | { kind: 'enumList'; values: readonly string[]; aliases?: Readonly<Record<string, string>> }

interface OptionSpec {
  /** The camelCase option name. */
  name: string
  /** Kafka's Java client property, when one exists. */
  javaName?: string
  type: OptionType
}

const int = (min: number, max?: number): OptionType =>
  max === undefined ? { kind: 'int', min } : { kind: 'int', min, max }
const INT32_MAX = 2_147_483_647

/** TLS and SASL (security/security-options.ts turns these into connection settings). */
const string: OptionType = { kind: 'string' }
const SECURITY_OPTIONS: readonly OptionSpec[] = [
  {
    name: 'securityProtocol',
    javaName: 'security.protocol',
    type: { kind: 'enum', values: ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'] },
  },
  // Node's own TLS options (ca, cert, key, ...), or true for the system's CAs; kafkajs users know it as `ssl`.
  { name: 'ssl', type: { kind: 'object', orBoolean: true } },
  { name: 'sasl', type: { kind: 'object' } },
  { name: 'sslTruststoreType', javaName: 'ssl.truststore.type', type: string },
  { name: 'sslTruststoreLocation', javaName: 'ssl.truststore.location', type: string },
  { name: 'sslTruststorePassword', javaName: 'ssl.truststore.password', type: string },
  { name: 'sslTruststoreCertificates', javaName: 'ssl.truststore.certificates', type: string },
  { name: 'sslKeystoreType', javaName: 'ssl.keystore.type', type: string },
  { name: 'sslKeystoreLocation', javaName: 'ssl.keystore.location', type: string },
  { name: 'sslKeystorePassword', javaName: 'ssl.keystore.password', type: string },
  { name: 'sslKeystoreKey', javaName: 'ssl.keystore.key', type: string },
  { name: 'sslKeystoreCertificateChain', javaName: 'ssl.keystore.certificate.chain', type: string },
  { name: 'sslKeyPassword', javaName: 'ssl.key.password', type: string },
  { name: 'sslEndpointIdentificationAlgorithm', javaName: 'ssl.endpoint.identification.algorithm', type: string },
  { name: 'saslMechanism', javaName: 'sasl.mechanism', type: string },
  { name: 'saslJaasConfig', javaName: 'sasl.jaas.config', type: string },
]

export const COMMON_OPTIONS: readonly OptionSpec[] = [
  { name: 'bootstrapServers', javaName: 'bootstrap.servers', type: { kind: 'servers' } },
  { name: 'clientId', javaName: 'client.id', type: { kind: 'string' } },
  { name: 'requestTimeoutMs', javaName: 'request.timeout.ms', type: int(1, INT32_MAX) },
  { name: 'connectTimeoutMs', javaName: 'socket.connection.setup.timeout.ms', type: int(1, INT32_MAX) },
  { name: 'retryBackoffMs', javaName: 'retry.backoff.ms', type: int(0, INT32_MAX) },
  { name: 'retryBackoffMaxMs', javaName: 'retry.backoff.max.ms', type: int(0, INT32_MAX) },
  { name: 'retries', javaName: 'retries', type: int(0, INT32_MAX) },
  { name: 'metadataMaxAgeMs', javaName: 'metadata.max.age.ms', type: int(0, INT32_MAX) },
  {
    name: 'maxInFlightRequestsPerConnection',
    javaName: 'max.in.flight.requests.per.connection',
    type: int(1, INT32_MAX),
  },
  { name: 'maxResponseBytes', type: int(1024, INT32_MAX) },
  ...SECURITY_OPTIONS,
]

export const PRODUCER_OPTIONS: readonly OptionSpec[] = [
  ...COMMON_OPTIONS,
  { name: 'acks', javaName: 'acks', type: { kind: 'acks' } },
  { name: 'lingerMs', javaName: 'linger.ms', type: int(0, INT32_MAX) },
  { name: 'batchSize', javaName: 'batch.size', type: int(0, INT32_MAX) },
  {
    name: 'compression',
    javaName: 'compression.type',
    type: { kind: 'enum', values: ['none', 'gzip', 'snappy', 'lz4', 'zstd'] },
  },
  { name: 'bufferMemory', javaName: 'buffer.memory', type: int(1, Number.MAX_SAFE_INTEGER) },
  { name: 'maxBlockMs', javaName: 'max.block.ms', type: int(0, INT32_MAX) },
  { name: 'deliveryTimeoutMs', javaName: 'delivery.timeout.ms', type: int(1, INT32_MAX) },
  { name: 'maxRequestSize', javaName: 'max.request.size', type: int(1, INT32_MAX) },
  { name: 'enableIdempotence', javaName: 'enable.idempotence', type: { kind: 'boolean' } },
  { name: 'transactionalId', javaName: 'transactional.id', type: { kind: 'string' } },
  { name: 'transactionTimeoutMs', javaName: 'transaction.timeout.ms', type: int(1, INT32_MAX) },
  { name: 'allowAutoTopicCreation', javaName: 'allow.auto.create.topics', type: { kind: 'boolean' } },
  { name: 'partitioner', type: { kind: 'function' } },
]

export const CONSUMER_OPTIONS: readonly OptionSpec[] = [
  ...COMMON_OPTIONS,
  { name: 'fetchMinBytes', javaName: 'fetch.min.bytes', type: int(0, INT32_MAX) },
  { name: 'fetchMaxBytes', javaName: 'fetch.max.bytes', type: int(0, INT32_MAX) },
  { name: 'maxPartitionFetchBytes', javaName: 'max.partition.fetch.bytes', type: int(0, INT32_MAX) },
  { name: 'fetchMaxWaitMs', javaName: 'fetch.max.wait.ms', type: int(0, INT32_MAX) },
  {
    name: 'isolationLevel',
    javaName: 'isolation.level',
    type: { kind: 'enum', values: ['read_uncommitted', 'read_committed'] },
  },
  {
    name: 'autoOffsetReset',
    javaName: 'auto.offset.reset',
    type: { kind: 'enum', values: ['earliest', 'latest', 'none'] },
  },
  { name: 'allowAutoTopicCreation', javaName: 'allow.auto.create.topics', type: { kind: 'boolean' } },
  { name: 'groupId', javaName: 'group.id', type: { kind: 'string' } },
  { name: 'groupInstanceId', javaName: 'group.instance.id', type: { kind: 'string' } },
  { name: 'groupProtocol', javaName: 'group.protocol', type: { kind: 'enum', values: ['classic', 'consumer'] } },
  { name: 'sessionTimeoutMs', javaName: 'session.timeout.ms', type: int(1, INT32_MAX) },
  // Java's consumer uses max.poll.interval.ms as the rebalance timeout it sends in JoinGroup.
  { name: 'rebalanceTimeoutMs', javaName: 'max.poll.interval.ms', type: int(1, INT32_MAX) },
  { name: 'heartbeatIntervalMs', javaName: 'heartbeat.interval.ms', type: int(1, INT32_MAX) },
  {
    name: 'partitionAssignors',
    javaName: 'partition.assignment.strategy',
    type: {
      kind: 'enumList',
      values: ['range', 'roundrobin', 'cooperative-sticky'],
      aliases: {
        'org.apache.kafka.clients.consumer.RangeAssignor': 'range',
        'org.apache.kafka.clients.consumer.RoundRobinAssignor': 'roundrobin',
        'org.apache.kafka.clients.consumer.CooperativeStickyAssignor': 'cooperative-sticky',
      },
    },
  },
  { name: 'serverAssignor', javaName: 'group.remote.assignor', type: { kind: 'string' } },
  { name: 'autoCommit', javaName: 'enable.auto.commit', type: { kind: 'boolean' } },
  { name: 'autoCommitIntervalMs', javaName: 'auto.commit.interval.ms', type: int(0, INT32_MAX) },
  { name: 'defaultApiTimeoutMs', javaName: 'default.api.timeout.ms', type: int(1, INT32_MAX) },
]

export const ADMIN_OPTIONS: readonly OptionSpec[] = [
  ...COMMON_OPTIONS,
  { name: 'defaultApiTimeoutMs', javaName: 'default.api.timeout.ms', type: int(1, INT32_MAX) },
]

/** The one mapping table from Java property names to option names, derived from the specs above. */
export const JAVA_PROPERTY_NAMES: ReadonlyMap<string, string> = new Map(
  [...PRODUCER_OPTIONS, ...CONSUMER_OPTIONS, ...ADMIN_OPTIONS]
    .filter((spec) => spec.javaName !== undefined)
    .map((spec) => [spec.javaName as string, spec.name]),
)

/**
 * The Java property names each client accepts, so a tool reading a shared properties file (the CLI's
 * --command-config) can pass on what a client knows and report the rest instead of failing on it.
 */
export const JAVA_PROPERTIES_BY_CLIENT: Readonly<Record<'producer' | 'consumer' | 'admin', ReadonlySet<string>>> = {
  producer: javaNames(PRODUCER_OPTIONS),
  consumer: javaNames(CONSUMER_OPTIONS),
  admin: javaNames(ADMIN_OPTIONS),
}

function javaNames(specs: readonly OptionSpec[]): ReadonlySet<string> {
  return new Set(specs.flatMap((spec) => (spec.javaName === undefined ? [] : [spec.javaName])))
}

/** The key under which `input` set the option `name` (camelCase or its Java property), or undefined if unset. */
export function givenKey(input: object, name: string): string | undefined {
  for (const [key, value] of Object.entries(input)) {
    if (value !== undefined && (key === name || JAVA_PROPERTY_NAMES.get(key) === name)) return key
  }
  return undefined
}

export function invalidOption(key: string, why: string): SamsaError {
  return new SamsaError(SamsaErrorCode.INVALID_OPTION, `option "${key}" ${why}`)
}

/**
 * Validates `input` against `specs` and returns the options by camelCase name, defaults filled from `defaults`.
 * `what` names the component in messages ("producer").
 */
export function parseOptions(
  what: string,
  input: unknown,
  specs: readonly OptionSpec[],
  defaults: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  if (typeof input !== 'object' || input === null) {
    throw new SamsaError(SamsaErrorCode.INVALID_OPTION, `${what} options must be an object`)
  }
  const byName = new Map(specs.map((s) => [s.name, s]))
  const out: Record<string, unknown> = { ...defaults }
  const givenAs = new Map<string, string>()
  for (const [key, value] of Object.entries(input)) {
    if (value === undefined) continue
    const name = byName.has(key) ? key : JAVA_PROPERTY_NAMES.get(key)
    const spec = name === undefined ? undefined : byName.get(name)
    if (spec === undefined) throw invalidOption(key, `is not a ${what} option`)
    const earlier = givenAs.get(spec.name)
    if (earlier !== undefined) throw invalidOption(key, `repeats "${earlier}"`)
    givenAs.set(spec.name, key)
    out[spec.name] = parseValue(key, value, spec.type, key !== spec.name)
  }
  if (byName.has('bootstrapServers') && out.bootstrapServers === undefined) {
    throw invalidOption('bootstrapServers', 'is required')
  }
  return out
}

function parseValue(key: string, value: unknown, type: OptionType, isJavaName: boolean): unknown {
  switch (type.kind) {
    case 'int': {
      const n = isJavaName && typeof value === 'string' && value.trim() !== '' ? Number(value) : value
      if (typeof n !== 'number' || !Number.isInteger(n))
        throw invalidOption(key, `must be an integer, got ${show(value)}`)
      if (n < type.min || (type.max !== undefined && n > type.max)) {
        throw invalidOption(key, `must be in [${type.min}, ${type.max ?? '∞'}], got ${n}`)
      }
      return n
    }
    case 'string':
      if (typeof value !== 'string') throw invalidOption(key, `must be a string, got ${show(value)}`)
      return value
    case 'boolean':
      if (typeof value === 'boolean') return value
      if (isJavaName && (value === 'true' || value === 'false')) return value === 'true'
      throw invalidOption(key, `must be a boolean, got ${show(value)}`)
    case 'function':
      if (typeof value !== 'function') throw invalidOption(key, `must be a function, got ${show(value)}`)
      return value
    case 'object':
      if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value
      if (type.orBoolean === true && typeof value === 'boolean') return value
      throw invalidOption(key, `must be an object${type.orBoolean === true ? ' or a boolean' : ''}, got ${show(value)}`)
    case 'enum':
      if (typeof value !== 'string' || !type.values.includes(value)) {
        throw invalidOption(key, `must be one of ${type.values.join(', ')}, got ${show(value)}`)
      }
      return value
    case 'enumList': {
      const list = typeof value === 'string' ? value.split(',').map((v) => v.trim()) : value
      if (!Array.isArray(list) || list.length === 0) {
        throw invalidOption(key, `must be a non-empty list of ${type.values.join(', ')}, got ${show(value)}`)
      }
      return list.map((item: unknown) => {
        const name = typeof item === 'string' ? (type.aliases?.[item] ?? item) : item
        if (typeof name !== 'string' || !type.values.includes(name)) {
          throw invalidOption(key, `must list only ${type.values.join(', ')}, got ${show(item)}`)
        }
        return name
      })
    }
    case 'acks':
      if (value === 'all' || value === -1 || value === '-1') return -1
      if (value === 0 || value === '0') return 0
      if (value === 1 || value === '1') return 1
      throw invalidOption(key, `must be 0, 1, -1 or 'all', got ${show(value)}`)
    case 'servers':
      return parseBootstrapServers(key, value)
  }
}

/** `host:port` entries (IPv6 hosts in brackets: `[::1]:9092`). */
export function parseBootstrapServers(key: string, value: unknown): BrokerAddress[] {
  const list = typeof value === 'string' ? value.split(',') : value
  if (!Array.isArray(list)) throw invalidOption(key, `must be a string or an array of strings, got ${show(value)}`)
  const out: BrokerAddress[] = []
  for (const raw of list as unknown[]) {
    if (typeof raw !== 'string') throw invalidOption(key, `must contain strings, got ${show(raw)}`)
    const entry = raw.trim()
    if (entry === '') continue
    const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(entry)
    const port = Number(match?.[3])
    if (match === null || port < 1 || port > 65535) throw invalidOption(key, `has "${entry}", which is not host:port`)
    out.push({ host: (match[1] ?? match[2]) as string, port })
  }
  if (out.length === 0) throw invalidOption(key, 'lists no servers')
  return out
}

function show(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : typeof value === 'function' ? 'a function' : String(value)
}

export interface ResolvedCommonOptions extends SecurityOptionValues {
  bootstrapServers: BrokerAddress[]
  clientId: string
  requestTimeoutMs: number
  connectTimeoutMs: number
  retryBackoffMs: number
  retryBackoffMaxMs: number
  retries: number
  metadataMaxAgeMs: number
  maxInFlightRequestsPerConnection: number
  maxResponseBytes: number
}

export const allDefaults = {
  producer: { ...commonDefaults, ...producerDefaults },
  consumer: { ...commonDefaults, ...consumerDefaults },
  admin: { ...commonDefaults, ...adminDefaults },
} as const
