// Client quotas (KIP-546): DescribeClientQuotas and AlterClientQuotas, as Kafka's admin client offers them. An
// entity is a map from entity type ('user', 'client-id', 'ip') to a name, null meaning the type's default entity
// (`kafka-configs --entity-default`). Both requests may go to any broker (KRaft brokers forward alterations).

import { AlterClientQuotas, DescribeClientQuotas, ErrorCode } from '@samsa/protocol'
import type { BrokerConnection } from '../cluster/broker-connection.ts'
import { throwIfAny } from '../cluster/sharding.ts'
import { KafkaProtocolError } from '../errors.ts'

export type QuotaEntityType = 'user' | 'client-id' | 'ip'

/** e.g. { user: 'alice', 'client-id': null } = alice's quota for the default client id. */
export type QuotaEntity = Partial<Record<QuotaEntityType, string | null>>

export interface QuotaFilterComponent {
  entityType: QuotaEntityType
  /** A name matches exactly; null matches the default entity; absent (undefined) matches any entity of the type. */
  match?: string | null
}

export interface DescribedQuotas {
  entity: QuotaEntity
  /** e.g. { producer_byte_rate: 1048576 } */
  values: Record<string, number>
}

export interface QuotaAlteration {
  entity: QuotaEntity
  /** A null value removes that quota. */
  ops: readonly { key: string; value: number | null }[]
}

const MATCH_EXACT = 0
const MATCH_DEFAULT = 1
const MATCH_ANY = 2

function entityOf(list: readonly { entityType: string; entityName: string | null }[]): QuotaEntity {
  return Object.fromEntries(list.map((e) => [e.entityType, e.entityName]))
}

function entityList(entity: QuotaEntity) {
  return Object.entries(entity).map(([entityType, entityName]) => ({ entityType, entityName: entityName ?? null }))
}

/** `strict`: only entities made of exactly the filter's types (Kafka's ClientQuotaFilter.containsOnly). */
export async function describeClientQuotasOn(
  connection: BrokerConnection,
  components: readonly QuotaFilterComponent[],
  strict: boolean,
): Promise<DescribedQuotas[]> {
  const { response, version } = await connection.request(DescribeClientQuotas, () =>
    DescribeClientQuotas.request.make({
      strict,
      components: components.map((c) => ({
        entityType: c.entityType,
        matchType: c.match === undefined ? MATCH_ANY : c.match === null ? MATCH_DEFAULT : MATCH_EXACT,
        match: c.match ?? null,
      })),
    }),
  )
  if (response.errorCode !== ErrorCode.NONE) {
    throw new KafkaProtocolError({
      errorCode: response.errorCode,
      apiKey: DescribeClientQuotas.key,
      apiVersion: version,
      brokerMessage: response.errorMessage,
    })
  }
  return (response.entries ?? []).map((e) => ({
    entity: entityOf(e.entity),
    values: Object.fromEntries(e.values.map((v) => [v.key, v.value])),
  }))
}

export async function alterClientQuotasOn(
  connection: BrokerConnection,
  entries: readonly QuotaAlteration[],
  validateOnly: boolean,
): Promise<void> {
  const { response, version } = await connection.request(AlterClientQuotas, () =>
    AlterClientQuotas.request.make({
      validateOnly,
      entries: entries.map((e) => ({
        entity: entityList(e.entity),
        ops: e.ops.map((op) => ({ key: op.key, value: op.value ?? 0, remove: op.value === null })),
      })),
    }),
  )
  const failures = response.entries
    .filter((e) => e.errorCode !== ErrorCode.NONE)
    .map(
      (e) =>
        new KafkaProtocolError({
          errorCode: e.errorCode,
          apiKey: AlterClientQuotas.key,
          apiVersion: version,
          brokerMessage: `${JSON.stringify(entityOf(e.entity))}${e.errorMessage === null ? '' : `: ${e.errorMessage}`}`,
        }),
    )
  throwIfAny(failures, 'quota entities')
}
