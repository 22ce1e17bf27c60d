// Loads the static broker config. Precedence, lowest first: defaults < server.properties (--config) < environment
// (SAMSA_LOG_SEGMENT_BYTES → log.segment.bytes) < CLI `--override key=value` < programmatic settings of
// startBroker(). Dynamic configs (AlterConfigs) sit above all of these and live in the MetadataStore.
//
// Every value is parsed and validated here, once, and a bad value fails with a ConfigError naming the key.
// Unknown keys only produce a warning, as Kafka's AbstractConfig does, so Kafka server.properties files with
// settings Samsa does not know still start.

import { readFileSync } from 'node:fs'
import { hostname } from 'node:os'
import { checkGroupConfigRelations } from './coordinator-configs.ts'
import { brokerConfigDef, brokerConfigDefs, type BrokerConfig } from './broker-config.ts'
import { ConfigError, parseAndValidate, type ConfigValue } from './define.ts'
import { parseEndpoints, parseSecurityProtocolMap, type Endpoint } from './listeners.ts'
import { parseJavaProperties as parseProperties } from '@samsa/protocol'

export type ConfigInput = Readonly<Record<string, string | number | boolean | readonly string[] | null | undefined>>

export interface LoadOptions {
  /** Path of a server.properties file. */
  file?: string
  /** Environment to read SAMSA_* variables from (process.env by the CLI; nothing by default). */
  env?: Readonly<Record<string, string | undefined>>
  /** `--override key=value` pairs, in order. */
  overrides?: readonly (readonly [string, string])[]
  /** Programmatic settings (startBroker's `config`). */
  config?: ConfigInput
  warn?: (message: string) => void
}

/** Where a statically set value came from, for messages and DescribeConfigs. */
export type StaticSource = 'file' | 'env' | 'cli' | 'config'

export interface StaticBrokerConfig {
  readonly values: BrokerConfig
  /** Keys set explicitly (not defaults), with the raw string given. */
  readonly explicit: ReadonlyMap<string, { raw: string; source: StaticSource }>
  readonly nodeId: number
  readonly logDirs: readonly string[]
  readonly listeners: readonly Endpoint[]
  /** Endpoints advertised to clients, one per listener, hosts filled in. */
  readonly advertisedListeners: readonly Endpoint[]
}

const ENV_PREFIX = 'SAMSA_'

/** SAMSA_LOG_SEGMENT_BYTES → log.segment.bytes. */
export function envKeyToConfigName(envKey: string): string {
  return envKey.slice(ENV_PREFIX.length).toLowerCase().replaceAll('_', '.')
}

export function loadBrokerConfig(options: LoadOptions = {}): StaticBrokerConfig {
  const warn = options.warn ?? ((m: string) => console.warn(m))
  const raw = new Map<string, { raw: string; source: StaticSource }>()
  if (options.file !== undefined) {
    let text: string
    try {
      text = readFileSync(options.file, 'utf8')
    } catch (e) {
      throw new ConfigError('--config', `cannot read config file ${options.file}: ${(e as Error).message}`)
    }
    for (const [k, v] of parseProperties(text)) raw.set(k, { raw: v, source: 'file' })
  }
  for (const [envKey, v] of Object.entries(options.env ?? {})) {
    if (!envKey.startsWith(ENV_PREFIX) || v === undefined) continue
    const name = envKeyToConfigName(envKey)
    if (brokerConfigDef(name) === undefined) {
      warn(`Environment variable ${envKey} does not name a known config (${name}); ignored.`)
      continue
    }
    raw.set(name, { raw: v, source: 'env' })
  }
  for (const [k, v] of options.overrides ?? []) raw.set(k, { raw: v, source: 'cli' })
  for (const [k, v] of Object.entries(options.config ?? {})) {
    if (v === undefined) continue
    raw.set(k, { raw: v === null ? '' : Array.isArray(v) ? v.join(',') : String(v), source: 'config' })
  }

  const values: Record<string, ConfigValue> = {}
  for (const def of brokerConfigDefs) values[def.name] = def.default
  const explicit = new Map<string, { raw: string; source: StaticSource }>()
  const unknown: string[] = []
  for (const [name, entry] of raw) {
    const def = brokerConfigDef(name)
    if (def === undefined) {
      unknown.push(name)
      continue
    }
    values[name] = parseAndValidate(def, entry.raw)
    explicit.set(name, entry)
  }
  if (unknown.length > 0) {
    warn(`These configurations were supplied but are not known to Samsa and are ignored: ${unknown.sort().join(', ')}`)
  }

  // node.id and broker.id are synonyms (KRaft renamed broker.id); if both are given they must agree.
  const nodeIdSet = explicit.has('node.id')
  const brokerId = values['broker.id'] as number
  if (nodeIdSet && brokerId >= 0 && brokerId !== values['node.id']) {
    throw new ConfigError('broker.id', `broker.id (${brokerId}) must equal node.id (${String(values['node.id'])})`)
  }
  const nodeId = nodeIdSet ? (values['node.id'] as number) : brokerId >= 0 ? brokerId : (values['node.id'] as number)
  values['node.id'] = nodeId
  values['broker.id'] = nodeId
  // Whichever synonym was set also sets the other, so DescribeConfigs shows the id in effect for both.
  const idSource = explicit.get('node.id') ?? explicit.get('broker.id')
  if (idSource !== undefined) {
    explicit.set('node.id', { raw: String(nodeId), source: idSource.source })
    explicit.set('broker.id', { raw: String(nodeId), source: idSource.source })
  }

  checkGroupConfigRelations(values)

  const logDirs = (values['log.dirs'] as readonly string[] | null) ?? [values['log.dir'] as string]
  if (logDirs.length === 0 || logDirs.some((d) => d === '')) {
    throw new ConfigError('log.dirs', 'Invalid value for configuration log.dirs: it must name at least one directory')
  }

  const protocols = parseSecurityProtocolMap(values['listener.security.protocol.map'] as string)
  const listeners = parseEndpoints('listeners', values['listeners'] as readonly string[], protocols)
  if (listeners.length === 0) throw new ConfigError('listeners', 'Invalid value for configuration listeners: empty')
  for (const l of listeners) {
    if (l.securityProtocol !== 'PLAINTEXT') {
      throw new ConfigError(
        'listeners',
        `Invalid value for configuration listeners: listener ${l.name} uses ${l.securityProtocol}; only PLAINTEXT is implemented`,
      )
    }
  }
  const advertised = values['advertised.listeners'] as readonly string[] | null
  const advertisedListeners =
    advertised === null
      ? listeners.map(advertiseAs)
      : parseEndpoints('advertised.listeners', advertised, protocols).map(advertiseAs)

  return Object.freeze({
    values: Object.freeze(values) as unknown as BrokerConfig,
    explicit,
    nodeId,
    logDirs,
    listeners,
    advertisedListeners,
  })
}

/** An endpoint with no host (or a wildcard) is advertised under the machine's host name, as Kafka does. */
function advertiseAs(e: Endpoint): Endpoint {
  if (e.host !== '' && e.host !== '0.0.0.0' && e.host !== '::') return e
  return { ...e, host: hostname() }
}

/** Splits `key=value` (the value may contain '='). */
export function parseOverride(text: string): [string, string] {
  const i = text.indexOf('=')
  if (i <= 0) throw new ConfigError('--override', `--override expects key=value, got ${JSON.stringify(text)}`)
  return [text.slice(0, i).trim(), text.slice(i + 1)]
}
