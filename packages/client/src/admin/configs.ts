// Config resources as the admin client shows them: Kafka's resource types and config sources by name instead of
// the wire's int8 codes, and the incremental operations of KIP-339.

import { DescribeConfigs, ErrorCode, IncrementalAlterConfigs } from '@samsa/protocol'
import type { BrokerConnection } from '../cluster/broker-connection.ts'
import { throwIfAny } from '../cluster/sharding.ts'
import { KafkaProtocolError, SamsaError, SamsaErrorCode } from '../errors.ts'

export type ConfigResourceType = 'topic' | 'broker'

/** ConfigResource.Type on the wire. */
const RESOURCE_TYPE_CODES: Record<ConfigResourceType, number> = { topic: 2, broker: 4 }

/** DescribeConfigsResponse.ConfigSource, by code. */
const CONFIG_SOURCES = [
  'UNKNOWN',
  'DYNAMIC_TOPIC_CONFIG',
  'DYNAMIC_BROKER_CONFIG',
  'DYNAMIC_DEFAULT_BROKER_CONFIG',
  'STATIC_BROKER_CONFIG',
  'DEFAULT_CONFIG',
  'DYNAMIC_BROKER_LOGGER_CONFIG',
  'CLIENT_METRICS_CONFIG',
  'GROUP_CONFIG',
] as const
export type ConfigSource = (typeof CONFIG_SOURCES)[number]

export type AlterConfigOperation = 'set' | 'delete' | 'append' | 'subtract'
const OPERATION_CODES: Record<AlterConfigOperation, number> = { set: 0, delete: 1, append: 2, subtract: 3 }

export interface ConfigResource {
  type: ConfigResourceType
  /** The topic name, or the broker id as a string ("" for cluster-wide broker defaults). */
  name: string
}

export interface DescribeConfigsResource extends ConfigResource {
  /** Only these keys; all when absent. */
  configNames?: readonly string[]
}

export interface ConfigEntry {
  name: string
  value: string | null
  source: ConfigSource
  isReadOnly: boolean
  isSensitive: boolean
  isDefault: boolean
}

export interface DescribedConfigs extends ConfigResource {
  configs: ConfigEntry[]
}

export interface AlterConfigsResource extends ConfigResource {
  configs: readonly { name: string; value?: string | null; operation?: AlterConfigOperation }[]
}

export function resourceTypeCode(resource: ConfigResource): number {
  const code = RESOURCE_TYPE_CODES[resource.type]
  if (code === undefined) {
    throw new SamsaError(
      SamsaErrorCode.INVALID_ARGUMENT,
      `config resource type must be topic or broker, got ${String(resource.type)}`,
    )
  }
  return code
}

/** Broker resources are answered only by that broker; topics by any. */
export function brokerOfResource(resource: ConfigResource): number | null {
  return resource.type === 'broker' && resource.name !== '' ? Number(resource.name) : null
}

export async function describeConfigsOn(
  connection: BrokerConnection,
  resources: readonly DescribeConfigsResource[],
): Promise<DescribedConfigs[]> {
  const { response, version } = await connection.request(DescribeConfigs, () =>
    DescribeConfigs.request.make({
      resources: resources.map((r) => ({
        resourceType: resourceTypeCode(r),
        resourceName: r.name,
        configurationKeys: r.configNames === undefined ? null : [...r.configNames],
      })),
    }),
  )
  return resources.map((r) => {
    const result = response.results.find((x) => x.resourceType === resourceTypeCode(r) && x.resourceName === r.name)
    const errorCode = result?.errorCode ?? ErrorCode.UNKNOWN_SERVER_ERROR
    if (result === undefined || errorCode !== ErrorCode.NONE) {
      throw new KafkaProtocolError({
        errorCode,
        apiKey: DescribeConfigs.key,
        apiVersion: version,
        ...(r.type === 'topic' ? { topic: r.name } : {}),
        brokerMessage: result?.errorMessage ?? null,
      })
    }
    return {
      type: r.type,
      name: r.name,
      configs: result.configs.map((c) => {
        const source = CONFIG_SOURCES[c.configSource] ?? 'UNKNOWN'
        return {
          name: c.name,
          value: c.value,
          source,
          isReadOnly: c.readOnly,
          isSensitive: c.isSensitive,
          isDefault: version === 0 ? c.isDefault : source === 'DEFAULT_CONFIG',
        }
      }),
    }
  })
}

export async function incrementalAlterConfigsOn(
  connection: BrokerConnection,
  resources: readonly AlterConfigsResource[],
  validateOnly: boolean,
): Promise<void> {
  const { response, version } = await connection.request(IncrementalAlterConfigs, () =>
    IncrementalAlterConfigs.request.make({
      validateOnly,
      resources: resources.map((r) => ({
        resourceType: resourceTypeCode(r),
        resourceName: r.name,
        configs: r.configs.map((c) => ({
          name: c.name,
          configOperation: OPERATION_CODES[c.operation ?? 'set'],
          value: c.value ?? null,
        })),
      })),
    }),
  )
  const failures: KafkaProtocolError[] = []
  for (const r of response.responses) {
    if (r.errorCode === ErrorCode.NONE) continue
    failures.push(
      new KafkaProtocolError({
        errorCode: r.errorCode,
        apiKey: IncrementalAlterConfigs.key,
        apiVersion: version,
        ...(r.resourceType === RESOURCE_TYPE_CODES.topic ? { topic: r.resourceName } : {}),
        brokerMessage: r.errorMessage,
      }),
    )
  }
  throwIfAny(failures, 'config resources')
}
