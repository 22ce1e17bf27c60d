// Cluster metadata behind one interface (ARCHITECTURE.md decision 3): brokers, topics with their ids, partitions
// (leader, leader epoch, replicas, ISR) and configs (topic overrides, dynamic broker configs). The in-process store
// serves a single node and in-process test clusters; an etcd store will implement the same interface, with every
// write a compare-and-set, which is why writes are async and check their preconditions atomically.
//
// Readers see immutable snapshots (TopicMetadata objects are replaced, never mutated), so a handler can hold one
// across an await without seeing half of a change.

export interface PartitionMetadata {
  readonly partitionIndex: number
  readonly leaderId: number
  readonly leaderEpoch: number
  /** Bumped on every change of replicas or ISR (KIP-497's partition epoch). */
  readonly partitionEpoch: number
  readonly replicas: readonly number[]
  readonly isr: readonly number[]
}

export interface TopicMetadata {
  readonly name: string
  /** KIP-516 topic id: 16 random bytes in Kafka's URL-safe base64 form. */
  readonly topicId: string
  readonly isInternal: boolean
  readonly partitions: readonly PartitionMetadata[]
  /** Topic config overrides (only keys set explicitly), raw strings as given. */
  readonly configs: ReadonlyMap<string, string>
}

export interface BrokerEndpoint {
  readonly name: string
  readonly host: string
  readonly port: number
  readonly securityProtocol: string
}

export interface BrokerRegistration {
  readonly nodeId: number
  readonly rack: string | null
  readonly endpoints: readonly BrokerEndpoint[]
  readonly isFenced: boolean
}

/** One part of a client-quota entity (KIP-546): a user, a client id or an ip; a null name is the type's default. */
export interface QuotaEntityPart {
  readonly entityType: string
  readonly entityName: string | null
}

/** The quotas set for one entity (its parts sorted by type), e.g. producer_byte_rate → 1048576. */
export interface ClientQuotaEntry {
  readonly entity: readonly QuotaEntityPart[]
  readonly values: ReadonlyMap<string, number>
}

export type MetadataChange =
  | { readonly type: 'topic-created'; readonly topic: TopicMetadata }
  | { readonly type: 'topic-deleted'; readonly topic: TopicMetadata }
  | { readonly type: 'partitions-created'; readonly topic: TopicMetadata; readonly previousCount: number }
  | { readonly type: 'topic-configs-changed'; readonly topic: TopicMetadata }
  | { readonly type: 'broker-configs-changed'; readonly nodeId: number | null }
  | { readonly type: 'client-quotas-changed' }

/** A write whose precondition failed (the etcd compare-and-set did not match). */
export class MetadataConflictError extends Error {
  readonly reason: 'exists' | 'missing' | 'stale'
  constructor(reason: 'exists' | 'missing' | 'stale', message: string) {
    super(message)
    this.name = 'MetadataConflictError'
    this.reason = reason
  }
}

export interface MetadataStore {
  readonly clusterId: string
  /** The active controller's node id. */
  controllerId(): number
  brokers(): readonly BrokerRegistration[]
  topics(): Iterable<TopicMetadata>
  topic(name: string): TopicMetadata | undefined
  topicById(topicId: string): TopicMetadata | undefined
  /** Dynamic broker configs: per broker (nodeId) or the cluster-wide default (null). */
  brokerConfigs(nodeId: number | null): ReadonlyMap<string, string>
  /** Every entity with client quotas set. */
  clientQuotas(): readonly ClientQuotaEntry[]

  registerBroker(registration: BrokerRegistration): Promise<void>
  /** Fails with MetadataConflictError('exists') if the name or id is taken. */
  createTopic(topic: TopicMetadata): Promise<void>
  /** Fails with MetadataConflictError('missing') if no topic has this id. */
  deleteTopic(topicId: string): Promise<void>
  /** Appends partitions; `expectedCount` guards against a concurrent change ('stale'). */
  addPartitions(topicId: string, expectedCount: number, partitions: readonly PartitionMetadata[]): Promise<void>
  /** Replaces the topic's config overrides. */
  setTopicConfigs(topicId: string, configs: ReadonlyMap<string, string>): Promise<void>
  /** Replaces the dynamic configs of one broker (nodeId) or the cluster-wide defaults (null). */
  setBrokerConfigs(nodeId: number | null, configs: ReadonlyMap<string, string>): Promise<void>
  /** Replaces the quotas of each given entity (parts sorted by type); an empty map removes the entity. */
  setClientQuotas(entries: readonly ClientQuotaEntry[]): Promise<void>

  /** Called after every committed change, in commit order. Returns an unsubscribe function. */
  subscribe(listener: (change: MetadataChange) => void): () => void
  close(): Promise<void>
}
