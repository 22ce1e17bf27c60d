// What the client knows about the cluster from its last Metadata responses: brokers, and per topic its id and each
// partition's leader, leader epoch and replicas. Answers merge: a response about some topics replaces what is
// known about those topics only. The cache is plain data; Cluster decides when to refresh it.

import { ErrorCode, type MetadataResponse } from '@samsa/protocol'

export interface BrokerInfo {
  nodeId: number
  host: string
  port: number
  rack: string | null
}

export interface PartitionInfo {
  partition: number
  /** -1 when the partition has no leader right now. */
  leaderId: number
  leaderEpoch: number
  replicaNodes: number[]
  isrNodes: number[]
  offlineReplicas: number[]
  errorCode: number
}

export interface TopicInfo {
  name: string
  topicId: string
  isInternal: boolean
  /** Indexed by partition number. */
  partitions: PartitionInfo[]
}

/** Codes that mean the client's view of a partition is out of date (Kafka's InvalidMetadataException family). */
const STALE_METADATA_CODES: ReadonlySet<number> = new Set([
  ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  ErrorCode.LEADER_NOT_AVAILABLE,
  ErrorCode.NOT_LEADER_OR_FOLLOWER,
  ErrorCode.FENCED_LEADER_EPOCH,
  ErrorCode.UNKNOWN_LEADER_EPOCH,
  ErrorCode.UNKNOWN_TOPIC_ID,
  ErrorCode.KAFKA_STORAGE_ERROR,
  ErrorCode.REPLICA_NOT_AVAILABLE,
  ErrorCode.NOT_CONTROLLER,
])

export function isStaleMetadataError(errorCode: number): boolean {
  return STALE_METADATA_CODES.has(errorCode)
}

export class MetadataCache {
  readonly brokers = new Map<number, BrokerInfo>()
  readonly topics = new Map<string, TopicInfo>()
  /** Topic-level errors of the last answer about each topic (UNKNOWN_TOPIC_OR_PARTITION, …). */
  readonly topicErrors = new Map<string, number>()
  clusterId: string | null = null
  controllerId = -1
  /** Date.now() of the last update; 0 before the first. */
  updatedAt = 0
  /** The Metadata version of the last answer, for errors built from it. */
  version = -1

  update(response: MetadataResponse, version: number, now = Date.now()): void {
    this.version = version
    this.brokers.clear()
    for (const b of response.brokers) {
      this.brokers.set(b.nodeId, { nodeId: b.nodeId, host: b.host, port: b.port, rack: b.rack })
    }
    this.clusterId = response.clusterId
    this.controllerId = response.controllerId
    for (const t of response.topics) {
      if (t.name === null) continue
      this.topicErrors.set(t.name, t.errorCode)
      if (t.errorCode !== ErrorCode.NONE) {
        this.topics.delete(t.name)
        continue
      }
      const partitions: PartitionInfo[] = []
      for (const p of t.partitions) {
        partitions[p.partitionIndex] = {
          partition: p.partitionIndex,
          leaderId: p.errorCode === ErrorCode.LEADER_NOT_AVAILABLE ? -1 : p.leaderId,
          leaderEpoch: p.leaderEpoch,
          replicaNodes: p.replicaNodes,
          isrNodes: p.isrNodes,
          offlineReplicas: p.offlineReplicas,
          errorCode: p.errorCode,
        }
      }
      this.topics.set(t.name, { name: t.name, topicId: t.topicId, isInternal: t.isInternal, partitions })
    }
    this.updatedAt = now
  }

  /** Forgets topics absent from a full listing (after a Metadata request for every topic). */
  retainOnly(names: ReadonlySet<string>): void {
    for (const name of this.topics.keys()) if (!names.has(name)) this.topics.delete(name)
  }

  partition(topic: string, partition: number): PartitionInfo | undefined {
    return this.topics.get(topic)?.partitions[partition]
  }

  /** The leader's node id, or -1 when unknown. */
  leaderOf(topic: string, partition: number): number {
    return this.partition(topic, partition)?.leaderId ?? -1
  }

  partitionCount(topic: string): number | undefined {
    return this.topics.get(topic)?.partitions.length
  }

  /** Partitions that have a leader now (the sticky partitioner picks among these, as Java's does). */
  availablePartitions(topic: string): number[] {
    const info = this.topics.get(topic)
    if (info === undefined) return []
    return info.partitions.filter((p) => p !== undefined && p.leaderId >= 0).map((p) => p.partition)
  }
}
