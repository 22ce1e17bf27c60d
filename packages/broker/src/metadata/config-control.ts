// Configs of topics and brokers (Kafka's ConfigurationControlManager): DescribeConfigs reads through the
// ConfigResolver, AlterConfigs replaces a resource's whole override set, IncrementalAlterConfigs changes single
// keys (KIP-339: SET, DELETE, APPEND and SUBTRACT, the last two only for list-typed keys). Per-resource results
// carry Kafka's error codes: UNKNOWN_TOPIC_OR_PARTITION, INVALID_CONFIG for unknown keys and bad values,
// INVALID_REQUEST for read-only broker configs, unknown brokers and unsupported resource types.

import { ErrorCode } from '@samsa/protocol'
import { ConfigError, parseValue, type ConfigDef } from '../config/define.ts'
import {
  validateDynamicBrokerConfig,
  validateTopicConfig,
  type ConfigResolver,
  type DescribedConfig,
} from '../config/config-resolver.ts'
import { brokerConfigDef } from '../config/broker-config.ts'
import { topicConfigDef } from '../config/topic-config.ts'
import type { MetadataStore } from './metadata-store.ts'

/** ConfigResource.Type numbers. */
export const ConfigResourceType = {
  UNKNOWN: 0,
  TOPIC: 2,
  BROKER: 4,
  BROKER_LOGGER: 8,
  CLIENT_METRICS: 16,
  GROUP: 32,
} as const

/** IncrementalAlterConfigs operations. */
export const AlterConfigOp = { SET: 0, DELETE: 1, APPEND: 2, SUBTRACT: 3 } as const

export interface ConfigResourceRef {
  resourceType: number
  resourceName: string
}

export interface ResourceResult {
  errorCode: number
  errorMessage: string | null
}

export interface DescribeResult extends ResourceResult {
  configs: DescribedConfig[]
}

export interface IncrementalChange {
  name: string
  configOperation: number
  value: string | null
}

type Target =
  | { kind: 'topic'; topicId: string; current: ReadonlyMap<string, string> }
  | { kind: 'broker'; nodeId: number | null; current: ReadonlyMap<string, string> }

export class ConfigControl {
  readonly #store: MetadataStore
  readonly #configs: ConfigResolver

  constructor(store: MetadataStore, configs: ConfigResolver) {
    this.#store = store
    this.#configs = configs
  }

  describe(resource: ConfigResourceRef, keys: readonly string[] | null): DescribeResult {
    const target = this.#target(resource)
    if ('errorCode' in target) return { ...target, configs: [] }
    const names =
      keys ?? (target.kind === 'topic' ? this.#configs.topicConfigNames() : this.#configs.brokerConfigNames())
    const configs: DescribedConfig[] = []
    for (const name of names) {
      const described =
        target.kind === 'topic' ? this.#configs.describeTopic(target.current, name) : this.#configs.describeBroker(name)
      // Kafka leaves unknown keys out of the answer rather than failing the resource.
      if (described !== null) configs.push(described)
    }
    return { errorCode: ErrorCode.NONE, errorMessage: null, configs }
  }

  /** AlterConfigs: the given keys become the resource's complete override set. */
  async alter(
    resource: ConfigResourceRef,
    entries: readonly { name: string; value: string | null }[],
    validateOnly: boolean,
  ): Promise<ResourceResult> {
    const target = this.#target(resource)
    if ('errorCode' in target) return target
    const next = new Map<string, string>()
    for (const { name, value } of entries) {
      if (value === null && target.kind === 'topic') {
        return invalidConfig(`Null value not supported for topic config ${name}`)
      }
      if (value !== null) next.set(name, value)
    }
    return this.#apply(target, next, validateOnly)
  }

  async incrementalAlter(
    resource: ConfigResourceRef,
    changes: readonly IncrementalChange[],
    validateOnly: boolean,
  ): Promise<ResourceResult> {
    const target = this.#target(resource)
    if ('errorCode' in target) return target
    const seen = new Set<string>()
    const next = new Map(target.current)
    for (const change of changes) {
      if (seen.has(change.name)) {
        return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `Duplicate config key ${change.name}` }
      }
      seen.add(change.name)
      const def = this.#def(target, change.name)
      if (def === undefined) return invalidConfig(`Unknown ${target.kind} config name: ${change.name}`)
      switch (change.configOperation) {
        case AlterConfigOp.SET:
          if (change.value === null) return invalidConfig(`Null value not supported for config ${change.name}`)
          next.set(change.name, change.value)
          break
        case AlterConfigOp.DELETE:
          next.delete(change.name)
          break
        case AlterConfigOp.APPEND:
        case AlterConfigOp.SUBTRACT: {
          if (def.type !== 'list') {
            return invalidConfig(`Config value append/subtract is not allowed for config key: ${change.name}`)
          }
          const current = this.#currentList(target, def)
          const operand = change.value === null ? [] : (parseValue(def, change.value) as readonly string[])
          const result =
            change.configOperation === AlterConfigOp.APPEND
              ? [...current, ...operand.filter((v) => !current.includes(v))]
              : current.filter((v) => !operand.includes(v))
          next.set(change.name, result.join(','))
          break
        }
        default:
          return {
            errorCode: ErrorCode.INVALID_REQUEST,
            errorMessage: `Unknown config operation ${change.configOperation}`,
          }
      }
    }
    return this.#apply(target, next, validateOnly)
  }

  async #apply(target: Target, next: Map<string, string>, validateOnly: boolean): Promise<ResourceResult> {
    for (const [name, value] of next) {
      if (target.current.get(name) === value) continue
      try {
        if (target.kind === 'topic') validateTopicConfig(name, value)
        else validateDynamicBrokerConfig(name, value)
      } catch (e) {
        if (!(e instanceof ConfigError)) throw e
        const readOnly = /dynamically/.test(e.message)
        return { errorCode: readOnly ? ErrorCode.INVALID_REQUEST : ErrorCode.INVALID_CONFIG, errorMessage: e.message }
      }
    }
    if (target.kind === 'broker') {
      for (const name of target.current.keys()) {
        if (!next.has(name)) validateDynamicBrokerConfig(name, null)
      }
    }
    if (!validateOnly) {
      if (target.kind === 'topic') await this.#store.setTopicConfigs(target.topicId, next)
      else await this.#store.setBrokerConfigs(target.nodeId, next)
    }
    return { errorCode: ErrorCode.NONE, errorMessage: null }
  }

  #def(target: Target, name: string): ConfigDef | undefined {
    return target.kind === 'topic' ? topicConfigDef(name) : brokerConfigDef(name)
  }

  #currentList(target: Target, def: ConfigDef): readonly string[] {
    const value =
      target.kind === 'topic'
        ? this.#configs.topicValue(target.current, def.name)
        : target.current.has(def.name)
          ? parseValue(def, target.current.get(def.name) as string)
          : this.#configs.brokerValue(def.name)
    return (value as readonly string[] | null) ?? []
  }

  #target(resource: ConfigResourceRef): Target | ResourceResult {
    switch (resource.resourceType) {
      case ConfigResourceType.TOPIC: {
        const topic = this.#store.topic(resource.resourceName)
        if (topic === undefined) {
          return {
            errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
            errorMessage: `Topic ${resource.resourceName} does not exist.`,
          }
        }
        return { kind: 'topic', topicId: topic.topicId, current: topic.configs }
      }
      case ConfigResourceType.BROKER: {
        if (resource.resourceName === '')
          return { kind: 'broker', nodeId: null, current: this.#store.brokerConfigs(null) }
        const nodeId = /^\d+$/.test(resource.resourceName) ? Number(resource.resourceName) : NaN
        if (!this.#store.brokers().some((b) => b.nodeId === nodeId)) {
          return {
            errorCode: ErrorCode.INVALID_REQUEST,
            errorMessage: `Unexpected broker id, expected a registered broker id or an empty string, but received ${resource.resourceName}`,
          }
        }
        return { kind: 'broker', nodeId, current: this.#store.brokerConfigs(nodeId) }
      }
      default:
        return {
          errorCode: ErrorCode.INVALID_REQUEST,
          errorMessage: `Config resource type ${resource.resourceType} is not supported.`,
        }
    }
  }
}

function invalidConfig(message: string): ResourceResult {
  return { errorCode: ErrorCode.INVALID_CONFIG, errorMessage: message }
}
