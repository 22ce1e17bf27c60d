// Effective config values and where they come from. A broker config resolves, highest precedence first, from a
// dynamic per-broker override, a dynamic cluster-wide default, the static config (file/env/CLI), then its
// default. A topic config resolves from the topic's own override, then its broker synonyms (each resolved as
// above), then its own default. DescribeConfigs shows exactly this chain as `synonyms` (KIP-226).

import type { LogConfig } from '@samsa/storage'
import { brokerConfigDef, brokerConfigDefs } from './broker-config.ts'
import {
  ConfigError,
  ConfigType,
  formatValue,
  parseAndValidate,
  parseValue,
  type ConfigDef,
  type ConfigValue,
} from './define.ts'
import type { StaticBrokerConfig } from './load.ts'
import { topicConfigDef, topicConfigDefs, type TopicConfigDef } from './topic-config.ts'

/** DescribeConfigs' configSource numbers. */
export const ConfigSource = {
  UNKNOWN: 0,
  DYNAMIC_TOPIC_CONFIG: 1,
  DYNAMIC_BROKER_CONFIG: 2,
  DYNAMIC_DEFAULT_BROKER_CONFIG: 3,
  STATIC_BROKER_CONFIG: 4,
  DEFAULT_CONFIG: 5,
  DYNAMIC_BROKER_LOGGER_CONFIG: 6,
} as const
export type ConfigSource = (typeof ConfigSource)[keyof typeof ConfigSource]

export interface ConfigSynonym {
  name: string
  value: string | null
  source: ConfigSource
}

export interface DescribedConfig {
  name: string
  value: string | null
  source: ConfigSource
  readOnly: boolean
  isSensitive: boolean
  /** The resolution chain, highest precedence first; the first entry is the one in effect. */
  synonyms: ConfigSynonym[]
  configType: number
  documentation: string
}

/** Dynamic broker configs as raw strings, read from the MetadataStore at call time. */
export interface DynamicBrokerConfigSource {
  brokerOverrides(): ReadonlyMap<string, string>
  clusterDefaults(): ReadonlyMap<string, string>
}

const TYPE_NUMBER: Record<ConfigDef['type'], number> = {
  boolean: ConfigType.BOOLEAN,
  string: ConfigType.STRING,
  int: ConfigType.INT,
  short: ConfigType.SHORT,
  long: ConfigType.LONG,
  double: ConfigType.DOUBLE,
  list: ConfigType.LIST,
  class: ConfigType.CLASS,
  password: ConfigType.PASSWORD,
}

export class ConfigResolver {
  readonly static: StaticBrokerConfig
  readonly #dynamic: DynamicBrokerConfigSource

  constructor(staticConfig: StaticBrokerConfig, dynamic: DynamicBrokerConfigSource) {
    this.static = staticConfig
    this.#dynamic = dynamic
  }

  // --- broker configs ---

  /** The broker config's resolution chain, highest precedence first (always ends with the default). */
  brokerChain(name: string): ConfigSynonym[] {
    const def = brokerConfigDef(name)
    if (def === undefined) return []
    const chain: ConfigSynonym[] = []
    const perBroker = this.#dynamic.brokerOverrides().get(name)
    if (perBroker !== undefined) chain.push({ name, value: perBroker, source: ConfigSource.DYNAMIC_BROKER_CONFIG })
    const clusterDefault = this.#dynamic.clusterDefaults().get(name)
    if (clusterDefault !== undefined) {
      chain.push({ name, value: clusterDefault, source: ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG })
    }
    if (this.static.explicit.has(name)) {
      const value = (this.static.values as unknown as Record<string, ConfigValue>)[name] ?? null
      chain.push({ name, value: formatValue(def, value), source: ConfigSource.STATIC_BROKER_CONFIG })
    }
    chain.push({ name, value: formatValue(def, def.default), source: ConfigSource.DEFAULT_CONFIG })
    return chain
  }

  /** The parsed effective value of a broker config. */
  brokerValue(name: string): ConfigValue {
    const def = brokerConfigDef(name)
    if (def === undefined) throw new Error(`unknown broker config ${name}`)
    const top = this.brokerChain(name)[0] as ConfigSynonym
    if (top.source === ConfigSource.STATIC_BROKER_CONFIG) {
      return (this.static.values as unknown as Record<string, ConfigValue>)[name] ?? null
    }
    if (top.source === ConfigSource.DEFAULT_CONFIG) return def.default
    return parseValue(def, top.value)
  }

  describeBroker(name: string): DescribedConfig | null {
    const def = brokerConfigDef(name)
    if (def === undefined) return null
    const chain = this.brokerChain(name)
    const top = chain[0] as ConfigSynonym
    const isSensitive = def.type === 'password'
    return {
      name,
      value: isSensitive ? null : top.value,
      source: top.source,
      readOnly: def.dynamic === 'read-only',
      isSensitive,
      synonyms: chain,
      configType: TYPE_NUMBER[def.type],
      documentation: def.doc,
    }
  }

  brokerConfigNames(): string[] {
    return brokerConfigDefs.map((d) => d.name)
  }

  // --- topic configs ---

  topicChain(overrides: ReadonlyMap<string, string>, name: string): ConfigSynonym[] {
    const def = topicConfigDef(name)
    if (def === undefined) return []
    const chain: ConfigSynonym[] = []
    const own = overrides.get(name)
    if (own !== undefined) chain.push({ name, value: own, source: ConfigSource.DYNAMIC_TOPIC_CONFIG })
    for (const synonym of def.synonyms) {
      for (const entry of this.brokerChain(synonym.name)) {
        // A broker synonym whose default is null (log.retention.ms) contributes nothing until it is set.
        if (entry.value !== null) chain.push(entry)
      }
    }
    if (def.synonyms.length === 0) {
      chain.push({ name, value: formatValue(def, def.default), source: ConfigSource.DEFAULT_CONFIG })
    }
    return chain
  }

  /** The parsed effective value of a topic config, in the topic key's unit. */
  topicValue(overrides: ReadonlyMap<string, string>, name: string): ConfigValue {
    const def = topicConfigDef(name)
    if (def === undefined) throw new Error(`unknown topic config ${name}`)
    const own = overrides.get(name)
    if (own !== undefined) return parseValue(def, own)
    for (const synonym of def.synonyms) {
      const value = this.brokerValue(synonym.name)
      if (value === null) continue
      return synonym.scale !== undefined && typeof value === 'number' ? value * synonym.scale : value
    }
    return def.default
  }

  describeTopic(overrides: ReadonlyMap<string, string>, name: string): DescribedConfig | null {
    const def = topicConfigDef(name)
    if (def === undefined) return null
    const chain = this.topicChain(overrides, name)
    const top = chain[0] as ConfigSynonym
    return {
      name,
      value: formatValue(def, this.topicValue(overrides, name)),
      // The value's source is where the chain's first entry came from, e.g. DEFAULT_CONFIG for a broker default.
      source: top.source,
      readOnly: false,
      isSensitive: false,
      synonyms: chain,
      configType: TYPE_NUMBER[def.type],
      documentation: def.doc,
    }
  }

  topicConfigNames(): string[] {
    return topicConfigDefs.map((d) => d.name)
  }

  /** Resolves the settings the log needs for a topic with these overrides. */
  logConfig(overrides: ReadonlyMap<string, string>): LogConfig {
    const n = (name: string) => this.topicValue(overrides, name) as number
    return {
      segmentBytes: n('segment.bytes'),
      segmentMs: n('segment.ms'),
      segmentIndexBytes: n('segment.index.bytes'),
      indexIntervalBytes: n('index.interval.bytes'),
      retentionMs: n('retention.ms'),
      retentionBytes: n('retention.bytes'),
      cleanupPolicy: this.topicValue(overrides, 'cleanup.policy') as ReadonlyArray<'delete' | 'compact'>,
      minCleanableDirtyRatio: n('min.cleanable.dirty.ratio'),
      minCompactionLagMs: n('min.compaction.lag.ms'),
      maxCompactionLagMs: n('max.compaction.lag.ms'),
      deleteRetentionMs: n('delete.retention.ms'),
      flushMessages: n('flush.messages'),
      flushMs: n('flush.ms'),
      fileDeleteDelayMs: n('file.delete.delay.ms'),
    }
  }
}

/** Checks a topic config override; throws ConfigError (→ INVALID_CONFIG) naming the key. */
export function validateTopicConfig(name: string, value: string | null): TopicConfigDef {
  const def = topicConfigDef(name)
  if (def === undefined) throw new ConfigError(name, `Unknown topic config name: ${name}`)
  if (value === null) throw new ConfigError(name, `Null value not supported for topic config ${name}`)
  parseAndValidate(def, value)
  return def
}

/** Checks a dynamic broker config; read-only keys cannot change at run time (Kafka answers INVALID_REQUEST). */
export function validateDynamicBrokerConfig(name: string, value: string | null): ConfigDef {
  const def = brokerConfigDef(name)
  if (def === undefined) throw new ConfigError(name, `Unknown broker config name: ${name}`)
  if (def.dynamic === 'read-only') {
    throw new ConfigError(name, `Cannot update these configs dynamically: ${name}`)
  }
  if (value !== null) parseAndValidate(def, value)
  return def
}
