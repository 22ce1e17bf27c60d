// The single-node MetadataStore: state in memory, optionally persisted to one JSON file (in the first log dir) so
// topics, their ids and config overrides survive a restart, as the __cluster_metadata log does for KRaft. Every
// write checks its precondition and applies synchronously (so two concurrent CreateTopics for one name cannot both
// win), then persists with write-to-temp + fsync + rename, then notifies subscribers; writes persist in order.
// Broker registrations are not persisted: like an etcd lease, a broker registers on every start.

import { randomBytes } from 'node:crypto'
import { mkdirSync, readFileSync } from 'node:fs'
import { open, rename } from 'node:fs/promises'
import { dirname } from 'node:path'
import {
  MetadataConflictError,
  type BrokerRegistration,
  type ClientQuotaEntry,
  type MetadataChange,
  type MetadataStore,
  type PartitionMetadata,
  type TopicMetadata,
} from './metadata-store.ts'

export interface InProcessStoreOptions {
  /** JSON file to persist to; in memory only when absent. */
  path?: string
  /** Used when there is no persisted cluster id yet; random otherwise. */
  clusterId?: string
  /** The controller's node id (the broker itself in combined mode). */
  controllerId: number
}

interface PersistedState {
  version: 1
  clusterId: string
  topics: {
    name: string
    topicId: string
    isInternal: boolean
    partitions: PartitionMetadata[]
    configs: Record<string, string>
  }[]
  brokerConfigs: Record<string, Record<string, string>>
  /** Absent in files written before client quotas existed. */
  clientQuotas?: { entity: { entityType: string; entityName: string | null }[]; values: Record<string, number> }[]
}

const CLUSTER_DEFAULT = ''

/** A random Kafka Uuid in its URL-safe base64 form; never the zero or sentinel ids, never starting with '-'. */
export function randomUuid(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url')
    // Kafka's Uuid.randomUuid retries ids whose string starts with '-' (they read as CLI flags).
    if (!id.startsWith('-') && id !== 'AAAAAAAAAAAAAAAAAAAAAA' && id !== 'AAAAAAAAAAAAAAAAAAAAAQ') return id
  }
}

export class InProcessMetadataStore implements MetadataStore {
  readonly clusterId: string
  readonly #path: string | undefined
  readonly #controllerId: number
  readonly #byName = new Map<string, TopicMetadata>()
  readonly #byId = new Map<string, TopicMetadata>()
  readonly #brokers = new Map<number, BrokerRegistration>()
  readonly #brokerConfigs = new Map<string, ReadonlyMap<string, string>>()
  /** Keyed by the entity's JSON (parts sorted by type). */
  readonly #clientQuotas = new Map<string, ClientQuotaEntry>()
  readonly #listeners = new Set<(change: MetadataChange) => void>()
  #persistChain: Promise<void> = Promise.resolve()

  constructor(options: InProcessStoreOptions) {
    this.#path = options.path
    this.#controllerId = options.controllerId
    const persisted = options.path === undefined ? null : readState(options.path)
    this.clusterId = persisted?.clusterId ?? options.clusterId ?? randomUuid()
    if (persisted !== null) {
      for (const t of persisted.topics) {
        const topic: TopicMetadata = { ...t, configs: new Map(Object.entries(t.configs)) }
        this.#byName.set(topic.name, topic)
        this.#byId.set(topic.topicId, topic)
      }
      for (const [key, configs] of Object.entries(persisted.brokerConfigs)) {
        this.#brokerConfigs.set(key, new Map(Object.entries(configs)))
      }
      for (const q of persisted.clientQuotas ?? []) {
        this.#clientQuotas.set(JSON.stringify(q.entity), {
          entity: q.entity,
          values: new Map(Object.entries(q.values)),
        })
      }
    }
  }

  /** Writes the initial state (the cluster id) if the file does not exist yet. */
  async init(): Promise<void> {
    if (this.#path !== undefined) await this.#persist()
  }

  controllerId(): number {
    return this.#controllerId
  }

  brokers(): readonly BrokerRegistration[] {
    return [...this.#brokers.values()].sort((a, b) => a.nodeId - b.nodeId)
  }

  topics(): Iterable<TopicMetadata> {
    return this.#byName.values()
  }

  topic(name: string): TopicMetadata | undefined {
    return this.#byName.get(name)
  }

  topicById(topicId: string): TopicMetadata | undefined {
    return this.#byId.get(topicId)
  }

  brokerConfigs(nodeId: number | null): ReadonlyMap<string, string> {
    return this.#brokerConfigs.get(nodeId === null ? CLUSTER_DEFAULT : String(nodeId)) ?? new Map()
  }

  clientQuotas(): readonly ClientQuotaEntry[] {
    return [...this.#clientQuotas.values()]
  }

  registerBroker(registration: BrokerRegistration): Promise<void> {
    this.#brokers.set(registration.nodeId, registration)
    return Promise.resolve()
  }

  async createTopic(topic: TopicMetadata): Promise<void> {
    if (this.#byName.has(topic.name)) throw new MetadataConflictError('exists', `Topic '${topic.name}' already exists.`)
    if (this.#byId.has(topic.topicId)) throw new MetadataConflictError('exists', `Topic id ${topic.topicId} is taken.`)
    this.#byName.set(topic.name, topic)
    this.#byId.set(topic.topicId, topic)
    await this.#commit({ type: 'topic-created', topic })
  }

  async deleteTopic(topicId: string): Promise<void> {
    const topic = this.#require(topicId)
    this.#byName.delete(topic.name)
    this.#byId.delete(topicId)
    await this.#commit({ type: 'topic-deleted', topic })
  }

  async addPartitions(topicId: string, expectedCount: number, partitions: readonly PartitionMetadata[]): Promise<void> {
    const current = this.#require(topicId)
    if (current.partitions.length !== expectedCount) {
      throw new MetadataConflictError(
        'stale',
        `Topic '${current.name}' has ${current.partitions.length} partitions now.`,
      )
    }
    const topic = { ...current, partitions: [...current.partitions, ...partitions] }
    this.#replace(topic)
    await this.#commit({ type: 'partitions-created', topic, previousCount: expectedCount })
  }

  async setTopicConfigs(topicId: string, configs: ReadonlyMap<string, string>): Promise<void> {
    const topic = { ...this.#require(topicId), configs: new Map(configs) }
    this.#replace(topic)
    await this.#commit({ type: 'topic-configs-changed', topic })
  }

  async setBrokerConfigs(nodeId: number | null, configs: ReadonlyMap<string, string>): Promise<void> {
    this.#brokerConfigs.set(nodeId === null ? CLUSTER_DEFAULT : String(nodeId), new Map(configs))
    await this.#commit({ type: 'broker-configs-changed', nodeId })
  }

  async setClientQuotas(entries: readonly ClientQuotaEntry[]): Promise<void> {
    for (const entry of entries) {
      const key = JSON.stringify(entry.entity)
      if (entry.values.size === 0) this.#clientQuotas.delete(key)
      else this.#clientQuotas.set(key, { entity: [...entry.entity], values: new Map(entry.values) })
    }
    await this.#commit({ type: 'client-quotas-changed' })
  }

  subscribe(listener: (change: MetadataChange) => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  async close(): Promise<void> {
    await this.#persistChain
    this.#listeners.clear()
  }

  #require(topicId: string): TopicMetadata {
    const topic = this.#byId.get(topicId)
    if (topic === undefined) throw new MetadataConflictError('missing', `No topic has id ${topicId}.`)
    return topic
  }

  #replace(topic: TopicMetadata): void {
    this.#byName.set(topic.name, topic)
    this.#byId.set(topic.topicId, topic)
  }

  async #commit(change: MetadataChange): Promise<void> {
    await this.#persist()
    for (const listener of this.#listeners) listener(change)
  }

  #persist(): Promise<void> {
    const path = this.#path
    if (path === undefined) return Promise.resolve()
    const state: PersistedState = {
      version: 1,
      clusterId: this.clusterId,
      topics: [...this.#byName.values()].map((t) => ({
        name: t.name,
        topicId: t.topicId,
        isInternal: t.isInternal,
        partitions: [...t.partitions],
        configs: Object.fromEntries(t.configs),
      })),
      brokerConfigs: Object.fromEntries([...this.#brokerConfigs].map(([k, v]) => [k, Object.fromEntries(v)])),
      clientQuotas: [...this.#clientQuotas.values()].map((q) => ({
        entity: q.entity.map((p) => ({ entityType: p.entityType, entityName: p.entityName })),
        values: Object.fromEntries(q.values),
      })),
    }
    const text = JSON.stringify(state, null, 1)
    const write = this.#persistChain.then(() => writeDurably(path, text))
    this.#persistChain = write.catch(() => {})
    return write
  }
}

function readState(path: string): PersistedState | null {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw e
  }
  const state = JSON.parse(text) as PersistedState
  if (state.version !== 1) throw new Error(`${path}: unsupported metadata version ${String(state.version)}`)
  return state
}

async function writeDurably(path: string, text: string): Promise<void> {
  mkdirSync(dirname(path), { recursive: true })
  const tmp = `${path}.tmp`
  const handle = await open(tmp, 'w')
  try {
    await handle.writeFile(text)
    await handle.datasync()
  } finally {
    await handle.close()
  }
  await rename(tmp, path)
}
