// Topic lifecycle on the controller (Kafka's ReplicationControlManager): validates CreateTopics, DeleteTopics,
// CreatePartitions and Metadata auto-creation with Kafka's error codes and messages, places replicas on the
// registered brokers, and commits through the MetadataStore. Results are per topic; nothing here throws for an
// expected protocol outcome.

import { ErrorCode } from '@samsa/protocol'
import { ConfigError } from '../config/define.ts'
import { validateTopicConfig, type ConfigResolver } from '../config/config-resolver.ts'
import { randomUuid } from './in-process-store.ts'
import {
  MetadataConflictError,
  type MetadataStore,
  type PartitionMetadata,
  type TopicMetadata,
} from './metadata-store.ts'
import {
  GROUP_METADATA_TOPIC_NAME,
  TRANSACTION_STATE_TOPIC_NAME,
  isInternalTopic,
  topicNameProblem,
  unifyCollisionChars,
} from './topic-names.ts'

export interface CreatableTopic {
  name: string
  /** -1: num.partitions (CreateTopics v4+, KIP-464). */
  numPartitions: number
  /** -1: default.replication.factor. */
  replicationFactor: number
  assignments: readonly { partitionIndex: number; brokerIds: readonly number[] }[]
  configs: readonly { name: string; value: string | null }[]
}

export interface TopicResult {
  name: string
  errorCode: number
  errorMessage: string | null
  /** The created (or, with validateOnly, would-be) topic when errorCode is NONE. */
  topic: TopicMetadata | null
}

export interface TopicRef {
  name: string | null
  topicId: string | null
}

export interface DeleteTopicResult {
  name: string | null
  topicId: string
  errorCode: number
  errorMessage: string | null
}

export interface PartitionsIncrease {
  name: string
  count: number
  assignments: readonly { brokerIds: readonly number[] }[] | null
}

const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA'

export class TopicControl {
  readonly #store: MetadataStore
  readonly #configs: ConfigResolver

  constructor(store: MetadataStore, configs: ConfigResolver) {
    this.#store = store
    this.#configs = configs
  }

  async createTopics(topics: readonly CreatableTopic[], validateOnly: boolean): Promise<TopicResult[]> {
    const counts = new Map<string, number>()
    for (const t of topics) counts.set(t.name, (counts.get(t.name) ?? 0) + 1)
    const results: TopicResult[] = []
    for (const request of topics) {
      if ((counts.get(request.name) ?? 0) > 1) {
        results.push(fail(request.name, ErrorCode.INVALID_REQUEST, 'Duplicate topic name.'))
        continue
      }
      const planned = this.#plan(request)
      if ('errorCode' in planned) {
        results.push(planned)
        continue
      }
      results.push(validateOnly ? ok(planned) : await this.#commitCreate(planned))
    }
    return results
  }

  /**
   * Metadata auto-creation (auto.create.topics.enable with allowAutoTopicCreation). Returns the error for the
   * topic's entry in the Metadata response: LEADER_NOT_AVAILABLE once creation is under way (clients retry),
   * INVALID_TOPIC_EXCEPTION for an illegal name.
   */
  async autoCreateTopic(name: string): Promise<number> {
    if (topicNameProblem(name) !== null) return ErrorCode.INVALID_TOPIC_EXCEPTION
    const internal = isInternalTopic(name)
    const planned = this.#plan({
      name,
      numPartitions: internal ? this.#internalPartitions(name) : -1,
      replicationFactor: -1,
      assignments: [],
      configs: internal ? this.#internalConfigs(name) : [],
    })
    if ('errorCode' in planned) {
      return planned.errorCode === ErrorCode.TOPIC_ALREADY_EXISTS ? ErrorCode.LEADER_NOT_AVAILABLE : planned.errorCode
    }
    const result = await this.#commitCreate(planned)
    return result.errorCode === ErrorCode.NONE || result.errorCode === ErrorCode.TOPIC_ALREADY_EXISTS
      ? ErrorCode.LEADER_NOT_AVAILABLE
      : result.errorCode
  }

  async deleteTopics(refs: readonly TopicRef[]): Promise<DeleteTopicResult[]> {
    const enabled = this.#configs.brokerValue('delete.topic.enable') === true
    const results: DeleteTopicResult[] = []
    for (const ref of refs) {
      const byId = ref.topicId !== null && ref.topicId !== ZERO_UUID
      const topic = byId ? this.#store.topicById(ref.topicId as string) : this.#store.topic(ref.name ?? '')
      const result = (errorCode: number, errorMessage: string | null): DeleteTopicResult => ({
        name: topic?.name ?? ref.name,
        topicId: topic?.topicId ?? ref.topicId ?? ZERO_UUID,
        errorCode,
        errorMessage,
      })
      if (byId && ref.name !== null) {
        results.push(result(ErrorCode.INVALID_REQUEST, 'A topic is named by both name and id.'))
      } else if (topic === undefined) {
        results.push(
          byId
            ? result(ErrorCode.UNKNOWN_TOPIC_ID, 'This server does not host this topic ID.')
            : result(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'This server does not host this topic-partition.'),
        )
      } else if (!enabled) {
        results.push(result(ErrorCode.TOPIC_DELETION_DISABLED, 'Topic deletion is disabled.'))
      } else {
        try {
          await this.#store.deleteTopic(topic.topicId)
          results.push(result(ErrorCode.NONE, null))
        } catch (e) {
          if (!(e instanceof MetadataConflictError)) throw e
          results.push(result(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, e.message))
        }
      }
    }
    return results
  }

  async createPartitions(
    increases: readonly PartitionsIncrease[],
    validateOnly: boolean,
  ): Promise<{ name: string; errorCode: number; errorMessage: string | null }[]> {
    const counts = new Map<string, number>()
    for (const t of increases) counts.set(t.name, (counts.get(t.name) ?? 0) + 1)
    const out: { name: string; errorCode: number; errorMessage: string | null }[] = []
    for (const increase of increases) {
      const { name, count } = increase
      const topic = this.#store.topic(name)
      const current = topic?.partitions.length ?? 0
      if ((counts.get(name) ?? 0) > 1) {
        out.push({ name, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Duplicate topic in request.' })
      } else if (topic === undefined) {
        out.push({
          name,
          errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
          errorMessage: `The topic '${name}' does not exist.`,
        })
      } else if (count < current) {
        out.push({
          name,
          errorCode: ErrorCode.INVALID_PARTITIONS,
          errorMessage: `The topic ${name} currently has ${current} partition(s); ${count} would not be an increase.`,
        })
      } else if (count === current) {
        out.push({
          name,
          errorCode: ErrorCode.INVALID_PARTITIONS,
          errorMessage: `Topic already has ${current} partition(s).`,
        })
      } else if (increase.assignments !== null && increase.assignments.length !== count - current) {
        out.push({
          name,
          errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT,
          errorMessage: `Attempted to add ${count - current} additional partition(s), but only ${increase.assignments.length} assignment(s) were specified.`,
        })
      } else {
        const replicationFactor = topic.partitions[0]?.replicas.length ?? 1
        const placed = this.#place(
          current,
          count - current,
          replicationFactor,
          increase.assignments?.map((a, i) => ({ partitionIndex: current + i, brokerIds: a.brokerIds })) ?? [],
        )
        if (typeof placed === 'string') {
          out.push({ name, errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT, errorMessage: placed })
        } else if (validateOnly) {
          out.push({ name, errorCode: ErrorCode.NONE, errorMessage: null })
        } else {
          try {
            await this.#store.addPartitions(topic.topicId, current, placed)
            out.push({ name, errorCode: ErrorCode.NONE, errorMessage: null })
          } catch (e) {
            if (!(e instanceof MetadataConflictError)) throw e
            out.push({ name, errorCode: ErrorCode.INVALID_PARTITIONS, errorMessage: e.message })
          }
        }
      }
    }
    return out
  }

  /** Validates a creation request and builds the topic, or returns the failure. */
  #plan(request: CreatableTopic): TopicMetadata | TopicResult {
    const { name } = request
    const nameProblem = topicNameProblem(name)
    if (nameProblem !== null) return fail(name, ErrorCode.INVALID_TOPIC_EXCEPTION, nameProblem)
    if (this.#store.topic(name) !== undefined) {
      return fail(name, ErrorCode.TOPIC_ALREADY_EXISTS, `Topic '${name}' already exists.`)
    }
    const unified = unifyCollisionChars(name)
    for (const existing of this.#store.topics()) {
      if (unifyCollisionChars(existing.name) === unified) {
        return fail(
          name,
          ErrorCode.INVALID_TOPIC_EXCEPTION,
          `Topic '${name}' collides with existing topic: ${existing.name}`,
        )
      }
    }
    const hasAssignments = request.assignments.length > 0
    if (hasAssignments && (request.numPartitions !== -1 || request.replicationFactor !== -1)) {
      return fail(
        name,
        ErrorCode.INVALID_REQUEST,
        'Both numPartitions or replicationFactor and replicasAssignments were set. Both cannot be used at the same time.',
      )
    }
    const numPartitions = hasAssignments
      ? request.assignments.length
      : request.numPartitions === -1
        ? (this.#configs.brokerValue('num.partitions') as number)
        : request.numPartitions
    if (numPartitions <= 0) {
      return fail(name, ErrorCode.INVALID_PARTITIONS, 'Number of partitions was set to an invalid non-positive value.')
    }
    const replicationFactor = hasAssignments
      ? (request.assignments[0]?.brokerIds.length ?? 0)
      : request.replicationFactor === -1
        ? (this.#configs.brokerValue('default.replication.factor') as number)
        : request.replicationFactor
    if (replicationFactor <= 0) {
      return fail(name, ErrorCode.INVALID_REPLICATION_FACTOR, 'Replication factor must be larger than 0.')
    }
    const brokerCount = this.#store.brokers().filter((b) => !b.isFenced).length
    if (!hasAssignments && replicationFactor > brokerCount) {
      return fail(
        name,
        ErrorCode.INVALID_REPLICATION_FACTOR,
        `Unable to replicate the partition ${replicationFactor} time(s): The target replication factor of ${replicationFactor} cannot be reached because only ${brokerCount} broker(s) are registered.`,
      )
    }
    if (hasAssignments) {
      const indexes = request.assignments.map((a) => a.partitionIndex).sort((a, b) => a - b)
      if (indexes.some((p, i) => p !== i)) {
        return fail(
          name,
          ErrorCode.INVALID_REPLICA_ASSIGNMENT,
          'Partitions should be a consecutive 0-based integer sequence.',
        )
      }
    }
    const configs = new Map<string, string>()
    for (const { name: key, value } of request.configs) {
      try {
        validateTopicConfig(key, value)
      } catch (e) {
        if (!(e instanceof ConfigError)) throw e
        return fail(name, ErrorCode.INVALID_CONFIG, e.message)
      }
      configs.set(key, value as string)
    }
    const partitions = this.#place(0, numPartitions, replicationFactor, request.assignments)
    if (typeof partitions === 'string') return fail(name, ErrorCode.INVALID_REPLICA_ASSIGNMENT, partitions)
    return { name, topicId: randomUuid(), isInternal: isInternalTopic(name), partitions, configs }
  }

  /** Places `count` partitions starting at `first`: explicit assignments are checked, others spread round-robin. */
  #place(
    first: number,
    count: number,
    replicationFactor: number,
    assignments: readonly { partitionIndex: number; brokerIds: readonly number[] }[],
  ): PartitionMetadata[] | string {
    const brokers = this.#store
      .brokers()
      .filter((b) => !b.isFenced)
      .map((b) => b.nodeId)
    const known = new Set(brokers)
    const partitions: PartitionMetadata[] = []
    for (let i = 0; i < count; i++) {
      const partitionIndex = first + i
      const explicit = assignments.find((a) => a.partitionIndex === partitionIndex)
      let replicas: number[]
      if (explicit !== undefined) {
        replicas = [...explicit.brokerIds]
        if (replicas.length === 0) return `Partition ${partitionIndex} has an empty replica assignment.`
        if (new Set(replicas).size !== replicas.length)
          return `Duplicate brokers in the assignment of partition ${partitionIndex}.`
        const unknown = replicas.find((b) => !known.has(b))
        if (unknown !== undefined)
          return `The assignment of partition ${partitionIndex} names unregistered broker ${unknown}.`
        if (replicas.length !== replicationFactor) return 'All partitions should have the same number of replicas.'
      } else {
        if (replicationFactor > brokers.length)
          return `Replication factor ${replicationFactor} exceeds the ${brokers.length} registered broker(s).`
        replicas = Array.from(
          { length: replicationFactor },
          (_, r) => brokers[(partitionIndex + r) % brokers.length] as number,
        )
      }
      partitions.push({
        partitionIndex,
        leaderId: replicas[0] as number,
        leaderEpoch: 0,
        partitionEpoch: 0,
        replicas,
        isr: replicas,
      })
    }
    return partitions
  }

  async #commitCreate(topic: TopicMetadata): Promise<TopicResult> {
    try {
      await this.#store.createTopic(topic)
      return ok(topic)
    } catch (e) {
      if (!(e instanceof MetadataConflictError)) throw e
      return fail(topic.name, ErrorCode.TOPIC_ALREADY_EXISTS, e.message)
    }
  }

  /** Kafka creates its internal topics compacted, with their own segment size (offsets.topic.segment.bytes…). */
  #internalConfigs(name: string): { name: string; value: string }[] {
    const segmentBytes =
      name === GROUP_METADATA_TOPIC_NAME
        ? this.#configs.brokerValue('offsets.topic.segment.bytes')
        : this.#configs.brokerValue('transaction.state.log.segment.bytes')
    return [
      { name: 'cleanup.policy', value: 'compact' },
      { name: 'compression.type', value: 'producer' },
      { name: 'segment.bytes', value: String(segmentBytes) },
    ]
  }

  #internalPartitions(name: string): number {
    if (name === GROUP_METADATA_TOPIC_NAME) return this.#configs.brokerValue('offsets.topic.num.partitions') as number
    if (name === TRANSACTION_STATE_TOPIC_NAME) {
      return this.#configs.brokerValue('transaction.state.log.num.partitions') as number
    }
    return -1
  }
}

function fail(name: string, errorCode: number, errorMessage: string): TopicResult {
  return { name, errorCode, errorMessage, topic: null }
}

function ok(topic: TopicMetadata): TopicResult {
  return { name: topic.name, errorCode: ErrorCode.NONE, errorMessage: null, topic }
}
