// The rebalance flow of classic groups, following Kafka's ClassicGroup protocol:
//
//   Empty ──join──▶ PreparingRebalance ──all joined / rebalance timeout──▶ CompletingRebalance ──leader's sync──▶ Stable
//                        ▲                                                         │                             │
//                        └─────── member joins with new metadata, leaves, expires, or misses its SyncGroup ◀────┘
//
// The join phase waits until every known member has rejoined (or the largest rebalance timeout passes, dropping
// dynamic members that did not), then answers every held JoinGroup: the leader gets all members' metadata, the
// others an empty list. A group's first rebalance out of Empty waits group.initial.rebalance.delay.ms instead, so
// that a batch of consumers starting together lands in one generation (Kafka's InitialDelayedJoin).
// Parked requests are answered through `then` of the operation's result, so they go out after its records.

import { ErrorCode, JoinGroup, SyncGroup, type JoinGroupResponse, type SyncGroupResponse } from '@samsa/protocol'
import {
  ClassicGroupState,
  type CoordinatorResult,
  type GroupConfigs,
  type GroupRecord,
  type Timers,
} from '../types.ts'
import type { ClassicGroup } from './classic-group.ts'
import { EMPTY_BYTES, type ClassicMember } from './classic-member.ts'
import { fingerprint, groupMetadataRecord } from './classic-records.ts'

/**
 * A member that joined but was never answered cannot heartbeat; if its JoinGroup is abandoned (the client timed
 * out and will retry with a fresh request) it must not hold the rebalance forever. Kafka's value.
 */
export const NEW_MEMBER_JOIN_TIMEOUT_MS = 5 * 60 * 1000

/** Records and deliveries gathered while an operation runs. */
export class Effects {
  readonly records: GroupRecord[] = []
  readonly then: (() => void)[] = []

  deliver(fn: () => void): void {
    this.then.push(fn)
  }

  result<T>(response: T): CoordinatorResult<T> {
    return this.then.length > 0
      ? { records: this.records, response, then: this.then }
      : { records: this.records, response }
  }
}

export function joinError(errorCode: number, memberId = ''): JoinGroupResponse {
  return JoinGroup.response.make({ errorCode, memberId, protocolName: null })
}

export function syncError(errorCode: number): SyncGroupResponse {
  return SyncGroup.response.make({ errorCode })
}

export function syncAssignment(group: ClassicGroup, assignment: Buffer): SyncGroupResponse {
  return SyncGroup.response.make({
    errorCode: ErrorCode.NONE,
    protocolType: group.protocolType,
    protocolName: group.protocolName,
    assignment,
  })
}

// Timer keys; JSON keeps group and member ids apart whatever characters they contain.
const joinKey = (groupId: string) => `classic-join:${JSON.stringify(groupId)}`
const syncKey = (groupId: string) => `classic-sync:${JSON.stringify(groupId)}`
const heartbeatKey = (groupId: string, memberId: string) => `classic-heartbeat:${JSON.stringify([groupId, memberId])}`

/** How many produced-but-not-yet-replayed records to remember per group (normally one). */
const MAX_UNREPLAYED = 16

export class ClassicRebalance {
  readonly groups = new Map<string, ClassicGroup>()
  /** Fingerprints of GroupMetadata values this coordinator produced and has not seen replayed yet. */
  private readonly unreplayed = new Map<string, string[]>()

  private readonly timers: Timers
  private readonly configs: () => GroupConfigs

  constructor(timers: Timers, configs: () => GroupConfigs) {
    this.timers = timers
    this.configs = configs
  }

  /** Writes the group's current metadata, remembering it so that its replay changes nothing. */
  writeGroup(group: ClassicGroup, fx: Effects): void {
    const record = groupMetadataRecord(group)
    if (record.value) {
      const pending = this.unreplayed.get(group.groupId) ?? []
      pending.push(fingerprint(record.value))
      if (pending.length > MAX_UNREPLAYED) pending.shift()
      this.unreplayed.set(group.groupId, pending)
    }
    fx.records.push(record)
  }

  /** True (once) if this value is one this coordinator wrote for the group. */
  consumeProduced(groupId: string, value: Parameters<typeof fingerprint>[0]): boolean {
    const pending = this.unreplayed.get(groupId)
    const index = pending?.indexOf(fingerprint(value)) ?? -1
    if (!pending || index < 0) return false
    pending.splice(0, index + 1)
    if (pending.length === 0) this.unreplayed.delete(groupId)
    return true
  }

  // ---- session timers ----

  scheduleHeartbeat(group: ClassicGroup, memberId: string, delayMs: number): void {
    const groupId = group.groupId
    this.timers.schedule(heartbeatKey(groupId, memberId), delayMs, (now) =>
      this.expireHeartbeat(groupId, memberId, now),
    )
  }

  /** Re-arms a member's session timer: on a heartbeat, a join, a sync, or once its assignment is delivered. */
  touch(group: ClassicGroup, member: ClassicMember): void {
    this.scheduleHeartbeat(group, member.memberId, member.isNew ? NEW_MEMBER_JOIN_TIMEOUT_MS : member.sessionTimeoutMs)
  }

  cancelHeartbeat(group: ClassicGroup, memberId: string): void {
    this.timers.cancel(heartbeatKey(group.groupId, memberId))
  }

  /** Forgets every timer of a group that is going away. */
  cancelAll(group: ClassicGroup): void {
    this.timers.cancel(joinKey(group.groupId))
    this.timers.cancel(syncKey(group.groupId))
    for (const id of group.members.keys()) this.cancelHeartbeat(group, id)
    for (const id of group.pendingMembers) this.cancelHeartbeat(group, id)
  }

  private expireHeartbeat(groupId: string, memberId: string, now: number): CoordinatorResult<void> {
    const fx = new Effects()
    const group = this.groups.get(groupId)
    if (!group) return fx.result(undefined)
    if (group.pendingMembers.has(memberId)) {
      // A MEMBER_ID_REQUIRED id nobody came back with: stop waiting for it (KIP-394).
      group.pendingMembers.delete(memberId)
      this.maybeCompleteJoinPhase(group, fx, now)
      return fx.result(undefined)
    }
    const member = group.members.get(memberId)
    if (!member) return fx.result(undefined)
    // A member parked in JoinGroup or SyncGroup is alive (its connection is busy waiting on us); its timer is
    // re-armed when that request is answered. Kafka's hasSatisfiedHeartbeat.
    if (!member.isNew && (member.awaitingJoin || member.awaitingSync)) return fx.result(undefined)
    this.removeMembers(group, [member], fx, now)
    return fx.result(undefined)
  }

  // ---- membership changes ----

  /**
   * Removes members (session expiry, LeaveGroup, a missed SyncGroup) and moves the group on: a rebalance for the
   * ones left, or, mid join phase, a check whether everyone still there has now joined.
   */
  removeMembers(group: ClassicGroup, members: readonly ClassicMember[], fx: Effects, now: number): void {
    for (const member of members) {
      this.answerParked(group, member, ErrorCode.UNKNOWN_MEMBER_ID, fx)
      this.cancelHeartbeat(group, member.memberId)
      group.remove(member.memberId)
    }
    if (members.length === 0) return
    if (group.is(ClassicGroupState.Stable) || group.is(ClassicGroupState.CompletingRebalance)) {
      this.prepareRebalance(group, fx, now)
    } else {
      this.maybeCompleteJoinPhase(group, fx, now)
    }
  }

  /** Answers a member's parked JoinGroup/SyncGroup with an error, e.g. because it left or was fenced. */
  answerParked(group: ClassicGroup, member: ClassicMember, errorCode: number, fx: Effects, memberId = ''): void {
    const join = member.awaitingJoin
    const sync = member.awaitingSync
    member.awaitingJoin = null
    member.awaitingSync = null
    if (join) fx.deliver(() => join(joinError(errorCode, memberId)))
    if (sync) fx.deliver(() => sync(syncError(errorCode)))
  }

  maybePrepareRebalanceOrCompleteJoin(group: ClassicGroup, fx: Effects, now: number): void {
    if (group.is(ClassicGroupState.PreparingRebalance)) this.maybeCompleteJoinPhase(group, fx, now)
    else this.prepareRebalance(group, fx, now)
  }

  // ---- join phase ----

  prepareRebalance(group: ClassicGroup, fx: Effects, now: number): void {
    // Followers waiting for an assignment of a generation that will never be stable rejoin instead.
    if (group.is(ClassicGroupState.CompletingRebalance))
      this.propagateAssignment(group, ErrorCode.REBALANCE_IN_PROGRESS, fx)
    this.timers.cancel(syncKey(group.groupId))
    group.pendingSyncMembers.clear()
    const initial = group.is(ClassicGroupState.Empty)
    group.transitionTo(ClassicGroupState.PreparingRebalance, now)
    if (initial) {
      const delayMs = this.configs()['group.initial.rebalance.delay.ms']
      group.newMemberAdded = false
      this.scheduleInitialDelay(group, delayMs, Math.max(group.rebalanceTimeoutMs() - delayMs, 0))
      return
    }
    this.scheduleJoinTimeout(group)
    this.maybeCompleteJoinPhase(group, fx, now)
  }

  private scheduleJoinTimeout(group: ClassicGroup): void {
    const groupId = group.groupId
    this.timers.schedule(joinKey(groupId), group.rebalanceTimeoutMs(), (now) => {
      const fx = new Effects()
      const current = this.groups.get(groupId)
      if (current) this.completeJoin(current, fx, now)
      return fx.result(undefined)
    })
  }

  /**
   * Kafka's InitialDelayedJoin: wait one delay; if members kept arriving meanwhile, wait another, never longer in
   * total than the rebalance timeout.
   */
  private scheduleInitialDelay(group: ClassicGroup, delayMs: number, remainingMs: number): void {
    const groupId = group.groupId
    this.timers.schedule(joinKey(groupId), delayMs, (now) => {
      const fx = new Effects()
      const current = this.groups.get(groupId)
      if (current?.is(ClassicGroupState.PreparingRebalance)) {
        if (current.newMemberAdded && remainingMs > 0) {
          current.newMemberAdded = false
          const initialDelay = this.configs()['group.initial.rebalance.delay.ms']
          this.scheduleInitialDelay(current, Math.min(initialDelay, remainingMs), Math.max(remainingMs - delayMs, 0))
        } else {
          this.completeJoin(current, fx, now)
        }
      }
      return fx.result(undefined)
    })
  }

  isInitialDelayedJoin(group: ClassicGroup): boolean {
    return group.is(ClassicGroupState.PreparingRebalance) && group.previousState === ClassicGroupState.Empty
  }

  maybeCompleteJoinPhase(group: ClassicGroup, fx: Effects, now: number): void {
    if (!group.is(ClassicGroupState.PreparingRebalance) || !group.hasAllMembersJoined()) return
    // The initial delayed join ends only on its timer, so that latecomers of the same start-up still make it.
    if (this.isInitialDelayedJoin(group)) return
    this.completeJoin(group, fx, now)
  }

  completeJoin(group: ClassicGroup, fx: Effects, now: number): void {
    this.timers.cancel(joinKey(group.groupId))
    if (!group.is(ClassicGroupState.PreparingRebalance)) return
    // Dynamic members that did not rejoin are gone; static ones keep their place until their session expires,
    // so that a restarting static member does not cost a rebalance (KIP-345).
    for (const member of group.notYetRejoinedMembers()) {
      if (member.groupInstanceId !== null) continue
      this.cancelHeartbeat(group, member.memberId)
      group.remove(member.memberId)
    }
    if (!group.maybeElectNewJoinedLeader() && group.members.size > 0) {
      // Nobody rejoined: wait another round for the sessions of the silent members to expire.
      this.scheduleJoinTimeout(group)
      return
    }
    this.evictBeyondMaxSize(group, fx)
    group.initNextGeneration(now)
    if (group.is(ClassicGroupState.Empty)) {
      this.writeGroup(group, fx)
      return
    }
    for (const member of group.members.values()) {
      const reply = member.awaitingJoin
      member.awaitingJoin = null
      member.isNew = false
      if (reply) {
        const res = JoinGroup.response.make({
          errorCode: ErrorCode.NONE,
          generationId: group.generationId,
          protocolType: group.protocolType,
          protocolName: group.protocolName,
          leader: group.leaderId ?? '',
          skipAssignment: false,
          memberId: member.memberId,
          members: group.isLeader(member.memberId) ? group.membersForLeader() : [],
        })
        fx.deliver(() => reply(res))
      }
      this.touch(group, member)
      group.pendingSyncMembers.add(member.memberId)
    }
    this.schedulePendingSync(group)
  }

  /**
   * A generation bigger than group.max.size (the limit was lowered, or a loaded group is too big) sheds its latest
   * joiners, never the leader, before it starts.
   */
  private evictBeyondMaxSize(group: ClassicGroup, fx: Effects): void {
    const excess = group.members.size - this.configs()['group.max.size']
    if (excess <= 0) return
    const latestFirst = [...group.members.values()].reverse().filter((m) => !group.isLeader(m.memberId))
    for (const member of latestFirst.slice(0, excess)) {
      this.answerParked(group, member, ErrorCode.GROUP_MAX_SIZE_REACHED, fx)
      this.cancelHeartbeat(group, member.memberId)
      group.remove(member.memberId)
    }
  }

  // ---- sync phase ----

  /** Members that have not sent SyncGroup within the rebalance timeout are removed and the group rebalances. */
  private schedulePendingSync(group: ClassicGroup): void {
    const groupId = group.groupId
    const generationId = group.generationId
    this.timers.schedule(syncKey(groupId), group.rebalanceTimeoutMs(), (now) => {
      const fx = new Effects()
      const current = this.groups.get(groupId)
      const syncing = current?.is(ClassicGroupState.CompletingRebalance) || current?.is(ClassicGroupState.Stable)
      if (current && syncing && current.generationId === generationId && current.pendingSyncMembers.size > 0) {
        const late = [...current.pendingSyncMembers].flatMap((id) => current.members.get(id) ?? [])
        for (const member of late) {
          this.cancelHeartbeat(current, member.memberId)
          current.remove(member.memberId)
        }
        this.prepareRebalance(current, fx, now)
      }
      return fx.result(undefined)
    })
  }

  markSynced(group: ClassicGroup, memberId: string): void {
    group.pendingSyncMembers.delete(memberId)
    if (group.pendingSyncMembers.size === 0) this.timers.cancel(syncKey(group.groupId))
  }

  /** Stores the leader's assignment: the group becomes Stable and everyone waiting gets its share. */
  storeAssignment(group: ClassicGroup, assignments: ReadonlyMap<string, Buffer>, fx: Effects, now: number): void {
    // Members the leader left out get an empty assignment, as Kafka.
    for (const member of group.members.values()) member.assignment = assignments.get(member.memberId) ?? EMPTY_BYTES
    group.transitionTo(ClassicGroupState.Stable, now)
    this.writeGroup(group, fx)
    this.propagateAssignment(group, ErrorCode.NONE, fx)
  }

  /** Answers every waiting SyncGroup (with its assignment, or an error after clearing all assignments). */
  private propagateAssignment(group: ClassicGroup, errorCode: number, fx: Effects): void {
    for (const member of group.members.values()) {
      if (errorCode !== ErrorCode.NONE) member.assignment = EMPTY_BYTES
      const reply = member.awaitingSync
      member.awaitingSync = null
      if (reply) {
        const res = errorCode === ErrorCode.NONE ? syncAssignment(group, member.assignment) : syncError(errorCode)
        fx.deliver(() => reply(res))
      }
      // A session that ran out while the member waited was ignored (see expireHeartbeat): start it afresh.
      this.touch(group, member)
    }
  }
}
