// One `__consumer_offsets` partition's worth of groups (Kafka's GroupCoordinatorShard): the committed offsets, the
// classic groups and the KIP-848 consumer groups that hash to it, and the replay that routes each record to its
// owner. The two group managers are described here by what the shard and the coordinator need of them.

import type {
  ConsumerGroupDescribeResponse,
  ConsumerGroupHeartbeatRequest,
  ConsumerGroupHeartbeatResponse,
  DescribeGroupsResponse,
  HeartbeatRequest,
  HeartbeatResponse,
  JoinGroupRequest,
  JoinGroupResponse,
  LeaveGroupRequest,
  LeaveGroupResponse,
  SyncGroupRequest,
  SyncGroupResponse,
} from '@samsa/protocol'
import { OffsetStore } from './offsets.ts'
import type { CoordinatorResult, GroupListing, GroupRecord } from './types.ts'

export interface ClientInfo {
  clientId: string
  clientHost: string
}

/** The classic (JoinGroup/SyncGroup) groups of a shard: classic/classic-groups.ts. */
export interface ClassicGroupsApi {
  join(
    req: JoinGroupRequest,
    apiVersion: number,
    now: number,
    client: ClientInfo,
    reply: (res: JoinGroupResponse) => void,
  ): CoordinatorResult<void>
  sync(
    req: SyncGroupRequest,
    apiVersion: number,
    now: number,
    reply: (res: SyncGroupResponse) => void,
  ): CoordinatorResult<void>
  heartbeat(req: HeartbeatRequest, apiVersion: number, now: number): CoordinatorResult<HeartbeatResponse>
  leave(req: LeaveGroupRequest, apiVersion: number, now: number): CoordinatorResult<LeaveGroupResponse>
  describe(groupId: string): DescribeGroupsResponse['groups'][number]
  list(statesFilter: readonly string[]): GroupListing[]
  has(groupId: string): boolean
  /** Whether a member's subscription names the topic (OffsetDelete refuses those: GROUP_SUBSCRIBED_TO_TOPIC). */
  isSubscribedTo(groupId: string, topic: string): boolean
  /**
   * For offset expiry (KIP-211): when the group became Empty (ms), null while it has members, undefined for a
   * group without protocol (then each offset's commit time counts) or an unknown group.
   */
  emptySince(groupId: string): number | null | undefined
  delete(groupId: string): CoordinatorResult<number>
  ensureSimpleGroup(groupId: string): void
  validateOffsetCommit(
    groupId: string,
    memberId: string,
    groupInstanceId: string | null,
    generationId: number,
    transactional?: boolean,
  ): number
  replay(record: Extract<GroupRecord, { type: 'groupMetadata' }>): void
  onLoaded(now: number): void
}

/** The KIP-848 consumer groups of a shard: consumer/consumer-groups.ts. */
export interface ConsumerGroupsApi {
  heartbeat(
    req: ConsumerGroupHeartbeatRequest,
    apiVersion: number,
    now: number,
    client: ClientInfo,
  ): CoordinatorResult<ConsumerGroupHeartbeatResponse>
  describe(groupIds: readonly string[], includeAuthorizedOperations: boolean): ConsumerGroupDescribeResponse['groups']
  list(statesFilter: readonly string[]): GroupListing[]
  has(groupId: string): boolean
  isSubscribedTo(groupId: string, topic: string): boolean
  emptySince(groupId: string): null | undefined
  delete(groupId: string): CoordinatorResult<number>
  validateOffsetCommit(groupId: string, memberId: string, memberEpoch: number): number
  validateOffsetFetch(groupId: string, memberId: string, memberEpoch: number): number
  replay(record: GroupRecord): void
  onLoaded(now: number): void
  onTopicsChanged(now: number): CoordinatorResult<void>
}

export class GroupShard {
  readonly partition: number
  readonly offsets = new OffsetStore()
  readonly classic: ClassicGroupsApi
  readonly consumer: ConsumerGroupsApi

  constructor(partition: number, classic: ClassicGroupsApi, consumer: ConsumerGroupsApi) {
    this.partition = partition
    this.classic = classic
    this.consumer = consumer
  }

  replay(record: GroupRecord, producerId = -1n): void {
    switch (record.type) {
      case 'offsetCommit':
        this.offsets.replay(record, producerId)
        // Offsets committed for a group nobody joined make it exist, Empty and without protocol (Kafka's simple group).
        if (producerId < 0n && record.value !== null) this.#ensureGroup(record.key.group)
        return
      case 'groupMetadata':
        this.classic.replay(record)
        return
      default:
        this.consumer.replay(record)
    }
  }

  /** A transaction marker on this partition: the producer's pending offset commits take effect or are dropped. */
  replayEndTransaction(producerId: bigint, committed: boolean): void {
    for (const groupId of this.offsets.replayEndTransaction(producerId, committed)) this.#ensureGroup(groupId)
  }

  #ensureGroup(groupId: string): void {
    if (!this.hasGroup(groupId)) this.classic.ensureSimpleGroup(groupId)
  }

  isSubscribedTo(groupId: string, topic: string): boolean {
    return this.consumer.isSubscribedTo(groupId, topic) || this.classic.isSubscribedTo(groupId, topic)
  }

  /** See ClassicGroupsApi.emptySince; an Empty consumer group's offsets count from their commit times, as Kafka's. */
  emptySince(groupId: string): number | null | undefined {
    return this.consumer.has(groupId) ? this.consumer.emptySince(groupId) : this.classic.emptySince(groupId)
  }

  hasGroup(groupId: string): boolean {
    return this.consumer.has(groupId) || this.classic.has(groupId)
  }
}
