// The admin client: topics, partitions, configs, records, offsets and the cluster, on the shared cluster layer;
// groups, quotas, ACLs, SCRAM users and transactions live in their own files and are only delegated to here.
// Topic-level operations go to the controller (any broker would forward them); per-partition operations are
// sharded per leader and merged; broker config resources go to the broker they describe. Every call retries
// retriable failures until default.api.timeout.ms (or the call's own timeoutMs).

import {
  CreatePartitions,
  CreateTopics,
  DeleteRecords,
  DeleteTopics,
  DescribeCluster,
  ErrorCode,
} from '@samsa/protocol'
import { Cluster } from '../cluster/cluster.ts'
import { listOffsets, OffsetSpec, type OffsetAnswer } from '../cluster/list-offsets.ts'
import type { PartitionInfo } from '../cluster/metadata-cache.ts'
import { shardByLeader, throwIfAny, type ShardOutcome, type TopicPartition } from '../cluster/sharding.ts'
import { isolationLevelCode } from '../isolation-level.ts'
import { closedError, KafkaProtocolError, SamsaError, SamsaErrorCode } from '../errors.ts'
import {
  ADMIN_OPTIONS,
  allDefaults,
  parseOptions,
  type CommonOptions,
  type IsolationLevelName,
  type JavaProperties,
  type ResolvedCommonOptions,
} from '../options.ts'
import {
  brokerOfResource,
  describeConfigsOn,
  incrementalAlterConfigsOn,
  type AlterConfigsResource,
  type DescribeConfigsResource,
  type DescribedConfigs,
} from './configs.ts'
import {
  alterClientQuotasOn,
  describeClientQuotasOn,
  type DescribedQuotas,
  type QuotaAlteration,
  type QuotaFilterComponent,
} from './quotas.ts'
import {
  GroupAdmin,
  type GroupDescription,
  type GroupListing,
  type PartitionLag,
  type ResetPlanEntry,
  type ResetTarget,
} from './groups.ts'
import type { CommittedOffset } from '../group/offsets.ts'
import {
  createAclsOn,
  deleteAclsOn,
  describeAclsOn,
  type AclBinding,
  type AclBindingFilter,
  type DeletedAcls,
  type NewAclBinding,
} from './acls.ts'
import {
  alterUserScramCredentialsOn,
  describeUserScramCredentialsOn,
  type ScramDeletion,
  type ScramUpsertion,
  type UserScramCredentials,
} from './scram-users.ts'
import {
  describeProducersOn,
  describeTransactionsOn,
  listTransactionsOn,
  type ListTransactionsFilter,
  type PartitionProducers,
  type TransactionDescription,
  type TransactionListing,
} from './transactions.ts'

export interface AdminOptions extends CommonOptions {
  defaultApiTimeoutMs?: number
}

interface ResolvedAdminOptions extends ResolvedCommonOptions {
  defaultApiTimeoutMs: number
}

export interface NewTopic {
  topic: string
  /** -1 or absent: the broker's num.partitions. */
  numPartitions?: number
  /** -1 or absent: the broker's default.replication.factor. */
  replicationFactor?: number
  /** Replica broker ids per partition, instead of numPartitions and replicationFactor. */
  assignments?: readonly (readonly number[])[]
  configs?: Readonly<Record<string, string>>
}

export interface CreatedTopic {
  topic: string
  topicId: string
  numPartitions: number
  replicationFactor: number
}

export interface TopicDescription {
  topic: string
  topicId: string
  isInternal: boolean
  partitions: {
    partition: number
    leader: number
    leaderEpoch: number
    replicas: number[]
    isr: number[]
    offlineReplicas: number[]
  }[]
}

export interface ClusterDescription {
  clusterId: string
  controllerId: number
  brokers: { nodeId: number; host: string; port: number; rack: string | null }[]
}

/** earliest, latest, maxTimestamp (KIP-734), or the first offset at or after a timestamp (ms). */
export type OffsetSpecName = 'earliest' | 'latest' | 'maxTimestamp' | { timestamp: number }

export interface ListOffsetsQuery extends TopicPartition {
  spec: OffsetSpecName
}

export interface Timeout {
  timeoutMs?: number
}

export class Admin {
  readonly #options: ResolvedAdminOptions
  readonly #cluster: Cluster
  readonly #groups: GroupAdmin

  constructor(input: AdminOptions | (Partial<AdminOptions> & JavaProperties)) {
    this.#options = parseOptions('admin', input, ADMIN_OPTIONS, allDefaults.admin) as unknown as ResolvedAdminOptions
    this.#cluster = new Cluster({ ...this.#options, allowAutoTopicCreation: false })
    this.#groups = new GroupAdmin(this.#cluster)
  }

  async createTopics(
    request: { topics: readonly NewTopic[]; validateOnly?: boolean } & Timeout,
  ): Promise<CreatedTopic[]> {
    const timeoutMs = this.#timeout(request)
    const created = await this.#retrying(timeoutMs, async () => {
      const { response, version } = await this.#cluster.controller().request(CreateTopics, () =>
        CreateTopics.request.make({
          timeoutMs,
          validateOnly: request.validateOnly ?? false,
          topics: request.topics.map((t) => ({
            name: t.topic,
            numPartitions: t.assignments === undefined ? (t.numPartitions ?? -1) : -1,
            replicationFactor: t.assignments === undefined ? (t.replicationFactor ?? -1) : -1,
            assignments: (t.assignments ?? []).map((brokerIds, partitionIndex) => ({
              partitionIndex,
              brokerIds: [...brokerIds],
            })),
            configs: Object.entries(t.configs ?? {}).map(([name, value]) => ({ name, value })),
          })),
        }),
      )
      return { response, version }
    })
    const failures: unknown[] = []
    const results: CreatedTopic[] = []
    for (const t of created.response.topics) {
      if (t.errorCode !== ErrorCode.NONE) {
        failures.push(this.#error(t.errorCode, CreateTopics.key, created.version, t.name, t.errorMessage))
        continue
      }
      results.push({
        topic: t.name,
        topicId: t.topicId,
        numPartitions: t.numPartitions,
        replicationFactor: t.replicationFactor,
      })
    }
    throwIfAny(failures, 'topics')
    if (request.validateOnly !== true)
      await this.#cluster.refreshMetadata(request.topics.map((t) => t.topic)).catch(() => {})
    return results
  }

  async deleteTopics(request: { topics: readonly string[] } & Timeout): Promise<void> {
    const timeoutMs = this.#timeout(request)
    const { response, version } = await this.#retrying(timeoutMs, () =>
      this.#cluster
        .controller()
        .request(DeleteTopics, (v) =>
          DeleteTopics.request.make(
            v >= 6
              ? { timeoutMs, topics: request.topics.map((name) => ({ name })) }
              : { timeoutMs, topicNames: [...request.topics] },
          ),
        ),
    )
    const failures = response.responses
      .filter((r) => r.errorCode !== ErrorCode.NONE)
      .map((r) => this.#error(r.errorCode, DeleteTopics.key, version, r.name ?? '', r.errorMessage))
    throwIfAny(failures, 'topics')
  }

  /** Topic names, without internal topics unless asked. */
  async listTopics(options: { includeInternal?: boolean } & Timeout = {}): Promise<string[]> {
    const topics = await this.#cluster.listAllTopics(this.#deadline(options))
    return topics
      .filter((t) => options.includeInternal === true || !t.isInternal)
      .map((t) => t.name)
      .sort()
  }

  async describeTopics(request: { topics: readonly string[] } & Timeout): Promise<TopicDescription[]> {
    const infos = await this.#cluster.topicMetadata(request.topics, this.#deadline(request))
    return infos.map((t) => ({
      topic: t.name,
      topicId: t.topicId,
      isInternal: t.isInternal,
      partitions: t.partitions.map((p: PartitionInfo) => ({
        partition: p.partition,
        leader: p.leaderId,
        leaderEpoch: p.leaderEpoch,
        replicas: p.replicaNodes,
        isr: p.isrNodes,
        offlineReplicas: p.offlineReplicas,
      })),
    }))
  }

  /** Raises each topic's partition count to `count` (a new total, as in Kafka). */
  async createPartitions(
    request: {
      topicPartitions: readonly { topic: string; count: number; assignments?: readonly (readonly number[])[] }[]
      validateOnly?: boolean
    } & Timeout,
  ): Promise<void> {
    const timeoutMs = this.#timeout(request)
    const { response, version } = await this.#retrying(timeoutMs, () =>
      this.#cluster.controller().request(CreatePartitions, () =>
        CreatePartitions.request.make({
          timeoutMs,
          validateOnly: request.validateOnly ?? false,
          topics: request.topicPartitions.map((t) => ({
            name: t.topic,
            count: t.count,
            assignments: t.assignments === undefined ? null : t.assignments.map((ids) => ({ brokerIds: [...ids] })),
          })),
        }),
      ),
    )
    const failures = response.results
      .filter((r) => r.errorCode !== ErrorCode.NONE)
      .map((r) => this.#error(r.errorCode, CreatePartitions.key, version, r.name, r.errorMessage))
    throwIfAny(failures, 'topics')
    if (request.validateOnly !== true) await this.#cluster.refreshMetadata().catch(() => {})
  }

  async describeConfigs(
    request: { resources: readonly DescribeConfigsResource[] } & Timeout,
  ): Promise<DescribedConfigs[]> {
    const byBroker = this.#groupByBroker(request.resources)
    const answers = new Map<DescribeConfigsResource, DescribedConfigs>()
    await Promise.all(
      [...byBroker].map(async ([nodeId, resources]) => {
        const described = await this.#retrying(this.#timeout(request), () =>
          describeConfigsOn(this.#connectionFor(nodeId), resources),
        )
        resources.forEach((r, i) => answers.set(r, described[i] as DescribedConfigs))
      }),
    )
    return request.resources.map((r) => answers.get(r) as DescribedConfigs)
  }

  /** KIP-339: set, delete, append to or subtract from individual config keys. */
  async incrementalAlterConfigs(
    request: { resources: readonly AlterConfigsResource[]; validateOnly?: boolean } & Timeout,
  ): Promise<void> {
    const byBroker = this.#groupByBroker(request.resources)
    await Promise.all(
      [...byBroker].map(([nodeId, resources]) =>
        this.#retrying(this.#timeout(request), () =>
          incrementalAlterConfigsOn(this.#connectionFor(nodeId), resources, request.validateOnly ?? false),
        ),
      ),
    )
  }

  /** Client quotas (KIP-546) of the entities matching every component; `strict`: entities of exactly those types. */
  describeClientQuotas(
    request: { components: readonly QuotaFilterComponent[]; strict?: boolean } & Timeout,
  ): Promise<DescribedQuotas[]> {
    return this.#retrying(this.#timeout(request), () =>
      describeClientQuotasOn(this.#cluster.anyBroker(), request.components, request.strict ?? false),
    )
  }

  /** Sets (a number) or removes (null) client quotas, per entity. */
  alterClientQuotas(request: { entries: readonly QuotaAlteration[]; validateOnly?: boolean } & Timeout): Promise<void> {
    return this.#retrying(this.#timeout(request), () =>
      alterClientQuotasOn(this.#cluster.anyBroker(), request.entries, request.validateOnly ?? false),
    )
  }

  /** Deletes records before `offset` (-1n: the high watermark) in each partition; resolves with the new low watermarks. */
  async deleteRecords(
    request: { partitions: readonly (TopicPartition & { offset: bigint })[] } & Timeout,
  ): Promise<(TopicPartition & { lowWatermark: bigint })[]> {
    const timeoutMs = this.#timeout(request)
    return shardByLeader(this.#cluster, request.partitions, Date.now() + timeoutMs, async (connection, shard) => {
      const topics = groupByTopic(shard)
      const { response, version } = await connection.request(DeleteRecords, () =>
        DeleteRecords.request.make({
          timeoutMs,
          topics: [...topics].map(([name, list]) => ({
            name,
            partitions: list.map((p) => ({ partitionIndex: p.partition, offset: p.offset })),
          })),
        }),
      )
      return shard.map((p): ShardOutcome<TopicPartition & { lowWatermark: bigint }> => {
        const answer = response.topics
          .find((t) => t.name === p.topic)
          ?.partitions.find((x) => x.partitionIndex === p.partition)
        const errorCode = answer?.errorCode ?? ErrorCode.UNKNOWN_SERVER_ERROR
        if (answer === undefined || errorCode !== ErrorCode.NONE) {
          return { error: this.#error(errorCode, DeleteRecords.key, version, p.topic, null, p.partition) }
        }
        return { result: { topic: p.topic, partition: p.partition, lowWatermark: answer.lowWatermark } }
      })
    })
  }

  async listOffsets(
    request: { partitions: readonly ListOffsetsQuery[]; isolationLevel?: IsolationLevelName } & Timeout,
  ): Promise<OffsetAnswer[]> {
    const queries = request.partitions.map((q) => ({
      topic: q.topic,
      partition: q.partition,
      timestamp: specTimestamp(q.spec),
    }))
    return listOffsets(this.#cluster, queries, isolationLevelCode(request.isolationLevel), this.#deadline(request))
  }

  async describeCluster(options: Timeout = {}): Promise<ClusterDescription> {
    const { response, version } = await this.#retrying(this.#timeout(options), () =>
      this.#cluster.anyBroker().request(DescribeCluster, () => DescribeCluster.request.make({})),
    )
    if (response.errorCode !== ErrorCode.NONE) {
      throw this.#error(response.errorCode, DescribeCluster.key, version, undefined, response.errorMessage)
    }
    return {
      clusterId: response.clusterId,
      controllerId: response.controllerId,
      brokers: response.brokers.map((b) => ({ nodeId: b.brokerId, host: b.host, port: b.port, rack: b.rack })),
    }
  }

  /** Groups on every broker; `states` (e.g. ['Stable', 'Empty']) and `types` (['classic', 'consumer']) filter. */
  listGroups(options: { states?: string[]; types?: string[] } & Timeout = {}): Promise<GroupListing[]> {
    return this.#groups.listGroups(this.#deadline(options), options)
  }

  /** Members, assignments and state of classic and KIP-848 groups. */
  describeGroups(request: { groups: readonly string[] } & Timeout): Promise<GroupDescription[]> {
    const deadline = this.#deadline(request)
    return Promise.all(request.groups.map((groupId) => this.#groups.describeGroup(groupId, deadline)))
  }

  /** The broker that coordinates the group. */
  findGroupCoordinator(
    request: { groupId: string } & Timeout,
  ): Promise<{ nodeId: number; host: string; port: number }> {
    return this.#groups.findCoordinator(request.groupId, this.#deadline(request))
  }

  /** Per partition: committed offset, log end offset, lag and the member that owns it. */
  describeGroupLag(request: { groupId: string } & Timeout): Promise<PartitionLag[]> {
    return this.#groups.describeGroupLag(request.groupId, this.#deadline(request))
  }

  /** Removes static members of a classic group by group.instance.id (KIP-345), so it rebalances at once. */
  removeMembersFromConsumerGroup(
    request: { groupId: string; groupInstanceIds: readonly string[] } & Timeout,
  ): Promise<void> {
    return this.#groups.removeStaticMembers(request.groupId, request.groupInstanceIds, this.#deadline(request))
  }

  deleteGroups(request: { groups: readonly string[] } & Timeout): Promise<void> {
    return this.#groups.deleteGroups(request.groups, this.#deadline(request))
  }

  /** The group's committed offsets (all of them without `partitions`). */
  listConsumerGroupOffsets(
    request: { groupId: string; partitions?: readonly TopicPartition[] } & Timeout,
  ): Promise<CommittedOffset[]> {
    return this.#groups.listGroupOffsets(request.groupId, request.partitions ?? null, this.#deadline(request))
  }

  deleteOffsets(request: { groupId: string; partitions: readonly TopicPartition[] } & Timeout): Promise<void> {
    return this.#groups.deleteOffsets(request.groupId, request.partitions, this.#deadline(request))
  }

  /** kafka-consumer-groups.sh --reset-offsets; returns the plan, and commits it unless dryRun. */
  resetOffsets(
    request: {
      groupId: string
      topics?: readonly string[]
      partitions?: readonly TopicPartition[]
      to: ResetTarget
      dryRun?: boolean
    } & Timeout,
  ): Promise<ResetPlanEntry[]> {
    return this.#groups.resetOffsets(request.groupId, request, this.#deadline(request))
  }

  /** ACL bindings matching the filter (absent fields match anything). */
  describeAcls(filter: AclBindingFilter & Timeout = {}): Promise<AclBinding[]> {
    return this.#retrying(this.#timeout(filter), () => describeAclsOn(this.#cluster.anyBroker(), filter))
  }

  createAcls(request: { acls: readonly NewAclBinding[] } & Timeout): Promise<void> {
    return this.#retrying(this.#timeout(request), () => createAclsOn(this.#cluster.anyBroker(), request.acls))
  }

  /** Deletes the bindings each filter matches; resolves per filter with what was deleted. */
  deleteAcls(request: { filters: readonly AclBindingFilter[] } & Timeout): Promise<DeletedAcls[]> {
    return this.#retrying(this.#timeout(request), () => deleteAclsOn(this.#cluster.anyBroker(), request.filters))
  }

  /** SCRAM mechanisms and iteration counts per user (KIP-554); every user with credentials without `users`. */
  describeUserScramCredentials(users?: readonly string[], options: Timeout = {}): Promise<UserScramCredentials[]> {
    return this.#retrying(this.#timeout(options), () =>
      describeUserScramCredentialsOn(this.#cluster.anyBroker(), users),
    )
  }

  /** Sets (salted here, KIP-554) or deletes users' SCRAM credentials. */
  alterUserScramCredentials(
    request: { upsertions?: readonly ScramUpsertion[]; deletions?: readonly ScramDeletion[] } & Timeout,
  ): Promise<void> {
    return this.#retrying(this.#timeout(request), () =>
      alterUserScramCredentialsOn(this.#cluster.anyBroker(), request.upsertions ?? [], request.deletions ?? []),
    )
  }

  /** The producer state each partition's leader keeps (KIP-664). */
  describeProducers(request: { partitions: readonly TopicPartition[] } & Timeout): Promise<PartitionProducers[]> {
    return describeProducersOn(this.#cluster, request.partitions, this.#deadline(request))
  }

  /** Each transactional id's state from its transaction coordinator (KIP-664). */
  describeTransactions(request: { transactionalIds: readonly string[] } & Timeout): Promise<TransactionDescription[]> {
    return describeTransactionsOn(this.#cluster, request.transactionalIds, this.#deadline(request))
  }

  /** The transactions of every broker, optionally filtered by state, producer id and running time. */
  listTransactions(filter: ListTransactionsFilter & Timeout = {}): Promise<TransactionListing[]> {
    return listTransactionsOn(this.#cluster, filter, this.#deadline(filter))
  }

  close(): Promise<void> {
    return this.#cluster.close()
  }

  #timeout(options: Timeout): number {
    return options.timeoutMs ?? this.#options.defaultApiTimeoutMs
  }

  #deadline(options: Timeout): number {
    return Date.now() + this.#timeout(options)
  }

  #retrying<T>(timeoutMs: number, operation: () => Promise<T>): Promise<T> {
    if (this.#cluster.isClosed) return Promise.reject(closedError('admin client'))
    return this.#cluster.retrying(Date.now() + timeoutMs, operation, () => {
      void this.#cluster.refreshMetadata().catch(() => {})
    })
  }

  #groupByBroker<R extends DescribeConfigsResource | AlterConfigsResource>(
    resources: readonly R[],
  ): Map<number | null, R[]> {
    const out = new Map<number | null, R[]>()
    for (const r of resources) {
      const nodeId = brokerOfResource(r)
      if (nodeId !== null && !Number.isInteger(nodeId)) {
        throw new SamsaError(
          SamsaErrorCode.INVALID_ARGUMENT,
          `broker config resource name must be a broker id, got "${r.name}"`,
        )
      }
      out.set(nodeId, [...(out.get(nodeId) ?? []), r])
    }
    return out
  }

  #connectionFor(nodeId: number | null) {
    if (nodeId === null) return this.#cluster.anyBroker()
    if (!this.#cluster.metadata.brokers.has(nodeId)) {
      void this.#cluster.refreshMetadata().catch(() => {})
    }
    return this.#cluster.broker(nodeId)
  }

  #error(
    errorCode: number,
    apiKey: number,
    apiVersion: number,
    topic?: string,
    brokerMessage?: string | null,
    partition?: number,
  ): KafkaProtocolError {
    return new KafkaProtocolError({
      errorCode,
      apiKey,
      apiVersion,
      ...(topic === undefined ? {} : { topic }),
      ...(partition === undefined ? {} : { partition }),
      brokerMessage: brokerMessage ?? null,
    })
  }
}

export function createAdmin(options: AdminOptions | (Partial<AdminOptions> & JavaProperties)): Admin {
  return new Admin(options)
}

function specTimestamp(spec: OffsetSpecName): bigint {
  if (spec === 'earliest') return OffsetSpec.EARLIEST
  if (spec === 'latest') return OffsetSpec.LATEST
  if (spec === 'maxTimestamp') return OffsetSpec.MAX_TIMESTAMP
  if (typeof spec === 'object' && Number.isSafeInteger(spec.timestamp) && spec.timestamp >= 0)
    return BigInt(spec.timestamp)
  throw new SamsaError(
    SamsaErrorCode.INVALID_ARGUMENT,
    `offset spec must be earliest, latest, maxTimestamp or { timestamp }`,
  )
}

function groupByTopic<P extends TopicPartition>(partitions: readonly P[]): Map<string, P[]> {
  const out = new Map<string, P[]>()
  for (const p of partitions) out.set(p.topic, [...(out.get(p.topic) ?? []), p])
  return out
}
