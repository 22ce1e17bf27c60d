// The KIP-848 consumer groups of one `__consumer_offsets` shard (the consumer-group half of Kafka's
// GroupMetadataManager). Operations return records and never change the groups; `replay` is the only mutator
// (see ../types.ts). Timers: a session timeout per member, re-armed by each heartbeat, and a rebalance timeout
// while a member is asked to revoke partitions; either one, when it fires, removes the member.

import { randomBytes } from 'node:crypto'
import {
  ErrorCode,
  type ConsumerGroupDescribeResponse,
  type ConsumerGroupHeartbeatRequest,
  type ConsumerGroupHeartbeatResponse,
} from '@samsa/protocol'
import type { ServerAssignor } from '../assignors/types.ts'
import type { CoordinatorResult, GroupConfigs, GroupListing, GroupRecord, Timers, TopicsImage } from '../types.ts'
import { ConsumerGroupState } from '../types.ts'
import { ConsumerGroup } from './consumer-group.ts'
import { describeGroups, listGroups } from './describe.ts'
import { Draft } from './draft.ts'
import { consumerGroupHeartbeat } from './heartbeat.ts'
import { MemberState } from './member.ts'
import type { OperationContext, TimerChange } from './operation.ts'
import { groupTombstones, isConsumerGroupRecord } from './records.ts'
import { compileTopicRegex } from './subscription.ts'

export interface ConsumerGroupsDeps {
  timers: Timers
  configs: () => GroupConfigs
  topics: () => TopicsImage
  assignors: ReadonlyMap<string, ServerAssignor>
  /** Member ids for v0 joins that bring none; Kafka's format (16 random bytes, base64url) unless a test says. */
  newMemberId?: () => string
}

const NO_RECORDS: CoordinatorResult<void> = { records: [], response: undefined }

export class ConsumerGroups {
  private readonly groups = new Map<string, ConsumerGroup>()
  private readonly deps: ConsumerGroupsDeps

  constructor(deps: ConsumerGroupsDeps) {
    this.deps = deps
  }

  heartbeat(
    req: ConsumerGroupHeartbeatRequest,
    apiVersion: number,
    _now: number,
    client: { clientId: string; clientHost: string },
  ): CoordinatorResult<ConsumerGroupHeartbeatResponse> {
    const { result, timers } = consumerGroupHeartbeat(this.context(), req, apiVersion, client)
    for (const change of timers) this.applyTimer(change)
    return result
  }

  describe(
    groupIds: readonly string[],
    _includeAuthorizedOperations: boolean,
  ): ConsumerGroupDescribeResponse['groups'] {
    return describeGroups(groupIds, (id) => this.groups.get(id), this.deps.topics(), this.defaultAssignor())
  }

  list(statesFilter: readonly string[]): GroupListing[] {
    return listGroups(this.groups.values(), statesFilter)
  }

  has(groupId: string): boolean {
    return this.groups.has(groupId)
  }

  /**
   * For offset expiry: undefined for an Empty group (its offsets count from their commit times, as Kafka's
   * ConsumerGroup does) or an unknown one, null while it has members.
   */
  emptySince(groupId: string): null | undefined {
    const group = this.groups.get(groupId)
    return group === undefined || group.state() === ConsumerGroupState.Empty ? undefined : null
  }

  /** Whether a member subscribes to the topic, by name or regex (offsets of such topics do not expire). */
  isSubscribedTo(groupId: string, topic: string): boolean {
    for (const m of this.groups.get(groupId)?.members.values() ?? []) {
      if (m.subscribedTopicNames.includes(topic)) return true
      if (m.subscribedTopicRegex !== null && compileTopicRegex(m.subscribedTopicRegex)?.test(topic) === true)
        return true
    }
    return false
  }

  /** DeleteGroups: only an Empty group; returns the tombstones (NON_EMPTY_GROUP / GROUP_ID_NOT_FOUND otherwise). */
  delete(groupId: string): CoordinatorResult<number> {
    const group = this.groups.get(groupId)
    if (group === undefined) return { records: [], response: ErrorCode.GROUP_ID_NOT_FOUND }
    if (group.state() !== ConsumerGroupState.Empty) return { records: [], response: ErrorCode.NON_EMPTY_GROUP }
    return { records: groupTombstones(groupId), response: ErrorCode.NONE }
  }

  /**
   * OffsetCommit v9+ (Kafka's ConsumerGroup.validateOffsetCommit): a commit without a member (epoch < 0, the
   * admin client or a consumer outside group management) is allowed only while the group is Empty; a member's
   * commit must carry its current epoch.
   */
  validateOffsetCommit(groupId: string, memberId: string, memberEpoch: number): number {
    const group = this.groups.get(groupId)
    if (group === undefined) return memberEpoch < 0 ? ErrorCode.NONE : ErrorCode.GROUP_ID_NOT_FOUND
    if (memberEpoch < 0 && group.members.size === 0) return ErrorCode.NONE
    return this.validateMemberEpoch(group, memberId, memberEpoch)
  }

  /** OffsetFetch v9 with memberId/memberEpoch (Kafka's ConsumerGroup.validateOffsetFetch). */
  validateOffsetFetch(groupId: string, memberId: string, memberEpoch: number): number {
    const group = this.groups.get(groupId)
    if (group === undefined || (memberId === '' && memberEpoch < 0)) return ErrorCode.NONE
    return this.validateMemberEpoch(group, memberId, memberEpoch)
  }

  replay(record: GroupRecord): void {
    if (!isConsumerGroupRecord(record)) return
    const { groupId } = record.key
    let group = this.groups.get(groupId)
    if (group === undefined) {
      if (record.value === null) return
      this.groups.set(groupId, (group = new ConsumerGroup(groupId)))
    }
    if (!group.apply(record)) this.groups.delete(groupId)
  }

  /** After a load: every member gets a fresh session timeout, and a member still revoking its deadline. */
  onLoaded(_now: number): void {
    for (const group of this.groups.values()) {
      for (const member of group.members.values()) {
        const ids = { groupId: group.groupId, memberId: member.memberId }
        this.applyTimer({ kind: 'session', ...ids })
        if (member.state === MemberState.UNREVOKED_PARTITIONS) {
          this.applyTimer({
            kind: 'rebalance',
            ...ids,
            memberEpoch: member.memberEpoch,
            timeoutMs: member.rebalanceTimeoutMs,
          })
        }
      }
    }
  }

  /** Topics were created, deleted or grew: bump the epoch of every group whose subscribed topics changed. */
  onTopicsChanged(_now: number): CoordinatorResult<void> {
    const topics = this.deps.topics()
    const records: GroupRecord[] = []
    for (const group of this.groups.values()) {
      const draft = new Draft(group.groupId, group)
      if (draft.refreshSubscribedTopics(topics)) {
        draft.bumpGroupEpoch()
        records.push(...draft.records)
      }
    }
    return { records, response: undefined }
  }

  private validateMemberEpoch(group: ConsumerGroup, memberId: string, memberEpoch: number): number {
    const member = group.members.get(memberId)
    if (member === undefined) return ErrorCode.UNKNOWN_MEMBER_ID
    return member.memberEpoch === memberEpoch ? ErrorCode.NONE : ErrorCode.STALE_MEMBER_EPOCH
  }

  private defaultAssignor(): string {
    return this.deps.configs()['group.consumer.assignors'][0] ?? 'uniform'
  }

  private context(): OperationContext {
    const configs = this.deps.configs()
    const offered = (name: string) =>
      configs['group.consumer.assignors'].includes(name) && this.deps.assignors.has(name)
    return {
      group: (groupId) => this.groups.get(groupId),
      configs,
      topics: this.deps.topics(),
      hasAssignor: offered,
      assignorFor: (group) => {
        // A preference the broker no longer offers (group.consumer.assignors changed) falls back to the default.
        const preferred = group.preferredAssignor(this.defaultAssignor())
        const name = offered(preferred) ? preferred : this.defaultAssignor()
        const assignor = this.deps.assignors.get(name)
        if (assignor === undefined) throw new Error(`group.consumer.assignors names ${name}, which this broker lacks`)
        return assignor
      },
      newMemberId: this.deps.newMemberId ?? (() => randomBytes(16).toString('base64url')),
    }
  }

  private applyTimer(change: TimerChange): void {
    const { timers } = this.deps
    const session = timerKey('session', change.groupId, change.memberId)
    const rebalance = timerKey('rebalance', change.groupId, change.memberId)
    switch (change.kind) {
      case 'session':
        timers.schedule(session, this.deps.configs()['group.consumer.session.timeout.ms'], () =>
          this.expire(change.groupId, change.memberId, null),
        )
        return
      case 'rebalance':
        timers.schedule(rebalance, change.timeoutMs, () =>
          this.expire(change.groupId, change.memberId, change.memberEpoch),
        )
        return
      case 'cancelRebalance':
        timers.cancel(rebalance)
        return
      case 'cancelAll':
        timers.cancel(session)
        timers.cancel(rebalance)
        return
    }
  }

  /**
   * A timer fired: the member is removed, unless it is gone already or (for a rebalance timeout, `epoch` set) it
   * has moved past the epoch at which it was asked to revoke (Kafka's session and rebalance timeouts).
   */
  private expire(groupId: string, memberId: string, epoch: number | null): CoordinatorResult<void> {
    const group = this.groups.get(groupId)
    const member = group?.members.get(memberId)
    if (group === undefined || member === undefined) return NO_RECORDS
    if (epoch !== null && member.memberEpoch !== epoch) return NO_RECORDS
    const draft = new Draft(groupId, group)
    draft.removeMember(memberId, this.deps.topics())
    this.applyTimer({ kind: 'cancelAll', groupId, memberId })
    return { records: draft.records, response: undefined }
  }
}

function timerKey(kind: 'session' | 'rebalance', groupId: string, memberId: string): string {
  return `consumer-group-${kind}-timeout:${JSON.stringify([groupId, memberId])}`
}
