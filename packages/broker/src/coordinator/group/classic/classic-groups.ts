// The classic (pre-KIP-848) consumer groups of one coordinator shard: JoinGroup, SyncGroup, Heartbeat,
// LeaveGroup, DescribeGroups, ListGroups, DeleteGroups and the offset-commit membership check, as Kafka's
// GroupCoordinator serves them. Persisted state (the GroupMetadata record) changes through `replay`; the rest
// (held requests, timers, members mid-rebalance) is transient and changes in the operations, as the contract in
// ../types.ts describes. The rebalance flow itself is in classic-rebalance.ts.

import { randomUUID } from 'node:crypto'
import {
  ErrorCode,
  Heartbeat,
  JoinGroup,
  LeaveGroup,
  type HeartbeatRequest,
  type HeartbeatResponse,
  type JoinGroupRequest,
  type JoinGroupResponse,
  type LeaveGroupRequest,
  type LeaveGroupResponse,
  type SyncGroupRequest,
  type SyncGroupResponse,
} from '@samsa/protocol'
import {
  ClassicGroupState,
  type CoordinatorResult,
  type GroupConfigs,
  type GroupListing,
  type Timers,
} from '../types.ts'
import { ClassicGroup, deadGroupDescription, type GroupDescription } from './classic-group.ts'
import { ClassicMember, type JoinReply } from './classic-member.ts'
import { groupFromRecord, groupTombstone, type GroupMetadataRecord } from './classic-records.ts'
import {
  ClassicRebalance,
  Effects,
  NEW_MEMBER_JOIN_TIMEOUT_MS,
  joinError,
  syncAssignment,
  syncError,
} from './classic-rebalance.ts'

export interface ClientInfo {
  clientId: string
  clientHost: string
}

/** JoinGroup v4+ makes a new member come back with an id the coordinator hands out first (KIP-394). */
const FIRST_VERSION_REQUIRING_MEMBER_ID = 4

export class ClassicGroups {
  private readonly flow: ClassicRebalance
  private readonly configs: () => GroupConfigs

  constructor(deps: { timers: Timers; configs: () => GroupConfigs }) {
    this.configs = deps.configs
    this.flow = new ClassicRebalance(deps.timers, deps.configs)
  }

  private get groups(): Map<string, ClassicGroup> {
    return this.flow.groups
  }

  // ---- JoinGroup ----

  /**
   * JoinGroup v0-9. `reply` is called before this returns for answers that need no rebalance (errors,
   * MEMBER_ID_REQUIRED, a rejoin that changes nothing); otherwise it is delivered through `then` of the result
   * of whichever operation completes the rebalance (this one, a later join, or a timer).
   */
  join(
    req: JoinGroupRequest,
    apiVersion: number,
    now: number,
    client: ClientInfo,
    reply: (res: JoinGroupResponse) => void,
  ): CoordinatorResult<void> {
    const fx = new Effects()
    const cfg = this.configs()
    // KIP-559 made protocolName nullable in v7; older versions carry an empty string instead of null.
    if (apiVersion < 7) {
      const answer = reply
      reply = (res) => answer(res.protocolName === null ? { ...res, protocolName: '' } : res)
    }
    const fail = (errorCode: number) => {
      reply(joinError(errorCode, req.memberId))
      return fx.result(undefined)
    }
    if (req.groupId === '') return fail(ErrorCode.INVALID_GROUP_ID)
    const session = req.sessionTimeoutMs
    if (session < cfg['group.min.session.timeout.ms'] || session > cfg['group.max.session.timeout.ms']) {
      return fail(ErrorCode.INVALID_SESSION_TIMEOUT)
    }
    const isNewMember = req.memberId === ''
    let group = this.groups.get(req.groupId)
    if (!group && !isNewMember) return fail(ErrorCode.UNKNOWN_MEMBER_ID)
    group ??= new ClassicGroup(req.groupId, now)
    if (!this.acceptsJoiningMember(group, req, cfg['group.max.size'])) {
      // A pending member turned away here does not hold up the rebalance any longer.
      group.pendingMembers.delete(req.memberId)
      this.flow.maybeCompleteJoinPhase(group, fx, now)
      return fail(ErrorCode.GROUP_MAX_SIZE_REACHED)
    }
    if (!group.supportsProtocols(req.protocolType, req.protocols)) return fail(ErrorCode.INCONSISTENT_GROUP_PROTOCOL)
    this.groups.set(group.groupId, group)
    const join: JoinInput = { req, client, reply, now, fx, group }
    if (isNewMember) this.joinNewMember(join, apiVersion)
    else this.joinKnownMember(join)
    return fx.result(undefined)
  }

  /**
   * group.max.size: members already in the group may always rejoin, a newcomer needs room. Kafka counts only the
   * members that have rejoined while a rebalance waits, and drops a member that rejoins once that count is full;
   * we count every member instead, so a slow member never loses its place to a newcomer. A static member taking
   * its predecessor's place does not grow the group.
   */
  private acceptsJoiningMember(group: ClassicGroup, req: JoinGroupRequest, maxSize: number): boolean {
    if (req.groupInstanceId !== null && group.staticMembers.has(req.groupInstanceId)) return true
    return group.members.has(req.memberId) || group.members.size < maxSize
  }

  private joinNewMember(join: JoinInput, apiVersion: number): void {
    const { req, group } = join
    // Kafka names members after their instance id when they have one, else after their client id.
    const memberId = `${req.groupInstanceId ?? join.client.clientId}-${randomUUID()}`
    if (req.groupInstanceId !== null) {
      const previous = group.staticMembers.get(req.groupInstanceId)
      const predecessor = previous === undefined ? undefined : group.members.get(previous)
      if (predecessor) this.replaceStaticMember(join, predecessor, memberId)
      else this.addMember(join, memberId)
      return
    }
    if (apiVersion >= FIRST_VERSION_REQUIRING_MEMBER_ID) {
      // KIP-394: the member is only added once it comes back with this id, so a client that gives up on its
      // first JoinGroup leaves no member behind; the id is forgotten if it does not return within a session.
      group.pendingMembers.add(memberId)
      this.flow.scheduleHeartbeat(group, memberId, req.sessionTimeoutMs)
      join.reply(joinError(ErrorCode.MEMBER_ID_REQUIRED, memberId))
      return
    }
    this.addMember(join, memberId)
  }

  private joinKnownMember(join: JoinInput): void {
    const { req, group, reply } = join
    if (group.pendingMembers.has(req.memberId)) {
      group.pendingMembers.delete(req.memberId)
      this.addMember(join, req.memberId)
      return
    }
    const error = group.validateMember(req.memberId, req.groupInstanceId, true)
    const member = group.members.get(req.memberId)
    if (error !== ErrorCode.NONE || !member) {
      reply(joinError(error === ErrorCode.NONE ? ErrorCode.UNKNOWN_MEMBER_ID : error, req.memberId))
      return
    }
    switch (group.state) {
      case ClassicGroupState.PreparingRebalance:
        this.updateMember(join, member)
        return
      case ClassicGroupState.CompletingRebalance:
        // Same metadata: the member most likely lost our answer, so it gets the current generation again.
        if (member.matches(req.protocols)) reply(this.currentGeneration(group, member.memberId))
        else this.updateMember(join, member)
        return
      case ClassicGroupState.Stable:
        // The leader rejoins to make the group reassign (e.g. topic metadata changed), a follower only when its
        // subscription changed; otherwise the follower just learns the current generation and syncs.
        if (group.isLeader(member.memberId) || !member.matches(req.protocols)) this.updateMember(join, member)
        else reply(this.currentGeneration(group, member.memberId))
        return
      case ClassicGroupState.Empty:
      case ClassicGroupState.Dead:
        reply(joinError(ErrorCode.UNKNOWN_MEMBER_ID, req.memberId))
        return
    }
  }

  private addMember(join: JoinInput, memberId: string): void {
    const { req, group, fx, now } = join
    const member = memberFromJoin(join, memberId, req.groupInstanceId)
    member.awaitingJoin = join.reply
    member.isNew = true
    group.add(member)
    // Kafka only extends the delay during a group's very first rebalance (generation 0); we extend it in any
    // rebalance out of Empty, since each of those runs the same initial delayed join.
    if (this.flow.isInitialDelayedJoin(group)) group.newMemberAdded = true
    this.flow.scheduleHeartbeat(group, memberId, NEW_MEMBER_JOIN_TIMEOUT_MS)
    this.flow.maybePrepareRebalanceOrCompleteJoin(group, fx, now)
  }

  private updateMember(join: JoinInput, member: ClassicMember): void {
    const { req, fx, group } = join
    if (member.awaitingJoin) {
      // A second JoinGroup from the same member replaces its first, which nobody is waiting for any more.
      const superseded = member.awaitingJoin
      fx.deliver(() => superseded(joinError(ErrorCode.REBALANCE_IN_PROGRESS, member.memberId)))
    }
    member.protocolType = req.protocolType
    member.protocols = req.protocols.map((p) => ({ name: p.name, metadata: p.metadata }))
    member.rebalanceTimeoutMs = rebalanceTimeoutOf(req)
    member.sessionTimeoutMs = req.sessionTimeoutMs
    member.awaitingJoin = join.reply
    this.flow.touch(group, member)
    this.flow.maybePrepareRebalanceOrCompleteJoin(group, fx, join.now)
  }

  /**
   * KIP-345: a static member restarting (unknown member id, known instance id) takes over its predecessor, whose
   * member id is fenced from now on. In a Stable group whose protocol does not change this costs no rebalance: the
   * new member id is written down and the member resumes the predecessor's assignment. Kafka's JoinGroup v9 can
   * tell a returning leader to skip assignment (KIP-814); we always answer skipAssignment = false with no member
   * list, as Kafka did before v9, and the following SyncGroup returns the stored assignment.
   */
  private replaceStaticMember(join: JoinInput, predecessor: ClassicMember, memberId: string): void {
    const { group, fx, now } = join
    const successor = memberFromJoin(join, memberId, predecessor.groupInstanceId, predecessor.assignment)
    successor.awaitingJoin = join.reply
    this.flow.answerParked(group, predecessor, ErrorCode.FENCED_INSTANCE_ID, fx, predecessor.memberId)
    this.flow.cancelHeartbeat(group, predecessor.memberId)
    group.replaceStaticMember(predecessor.memberId, successor)
    this.flow.touch(group, successor)
    if (group.is(ClassicGroupState.Stable) && group.selectProtocol() === group.protocolName) {
      successor.awaitingJoin = null
      this.flow.writeGroup(group, fx)
      const res = this.currentGeneration(group, memberId, false)
      fx.deliver(() => join.reply(res))
      return
    }
    this.flow.maybePrepareRebalanceOrCompleteJoin(group, fx, now)
  }

  /** The current generation as a JoinGroup answer (the leader also gets the members unless `withMembers` is off). */
  private currentGeneration(group: ClassicGroup, memberId: string, withMembers = true): JoinGroupResponse {
    return JoinGroup.response.make({
      errorCode: ErrorCode.NONE,
      generationId: group.generationId,
      protocolType: group.protocolType,
      protocolName: group.protocolName,
      leader: group.leaderId ?? '',
      skipAssignment: false,
      memberId,
      members: withMembers && group.isLeader(memberId) ? group.membersForLeader() : [],
    })
  }

  // ---- SyncGroup ----

  /**
   * SyncGroup v0-5. Followers of a generation wait for the leader; the leader's request stores the assignment,
   * so its result carries the GroupMetadata record and every waiting reply (the leader's too) goes in `then`.
   */
  sync(
    req: SyncGroupRequest,
    _apiVersion: number,
    now: number,
    reply: (res: SyncGroupResponse) => void,
  ): CoordinatorResult<void> {
    const fx = new Effects()
    if (req.groupId === '') {
      reply(syncError(ErrorCode.INVALID_GROUP_ID))
      return fx.result(undefined)
    }
    const group = this.groups.get(req.groupId)
    const error = group
      ? this.checkGeneration(group, req.memberId, req.groupInstanceId, req.generationId)
      : ErrorCode.UNKNOWN_MEMBER_ID
    const member = group?.members.get(req.memberId)
    if (!group || !member || error !== ErrorCode.NONE) {
      reply(syncError(error))
      return fx.result(undefined)
    }
    const fail = (errorCode: number) => {
      reply(syncError(errorCode))
      return fx.result(undefined)
    }
    // v5 (KIP-559): the member states the protocol it thinks it is in.
    if (req.protocolType !== null && req.protocolType !== group.protocolType)
      return fail(ErrorCode.INCONSISTENT_GROUP_PROTOCOL)
    if (req.protocolName !== null && req.protocolName !== group.protocolName)
      return fail(ErrorCode.INCONSISTENT_GROUP_PROTOCOL)
    switch (group.state) {
      case ClassicGroupState.Empty:
      case ClassicGroupState.Dead:
        return fail(ErrorCode.UNKNOWN_MEMBER_ID)
      case ClassicGroupState.PreparingRebalance:
        return fail(ErrorCode.REBALANCE_IN_PROGRESS)
      case ClassicGroupState.CompletingRebalance: {
        if (member.awaitingSync) this.flow.answerParked(group, member, ErrorCode.REBALANCE_IN_PROGRESS, fx)
        member.awaitingSync = reply
        this.flow.touch(group, member)
        this.flow.markSynced(group, member.memberId)
        if (group.isLeader(member.memberId)) {
          const assignments = new Map(req.assignments.map((a) => [a.memberId, a.assignment]))
          this.flow.storeAssignment(group, assignments, fx, now)
        }
        return fx.result(undefined)
      }
      case ClassicGroupState.Stable:
        // The assignment is already stored (a late follower, or a leader that rejoined without a rebalance).
        this.flow.markSynced(group, member.memberId)
        this.flow.touch(group, member)
        reply(syncAssignment(group, member.assignment))
        return fx.result(undefined)
    }
  }

  /** The identity and generation checks SyncGroup, Heartbeat and OffsetCommit share. */
  private checkGeneration(
    group: ClassicGroup,
    memberId: string,
    groupInstanceId: string | null,
    generationId: number,
  ): number {
    const error = group.validateMember(memberId, groupInstanceId)
    if (error !== ErrorCode.NONE) return error
    return generationId === group.generationId ? ErrorCode.NONE : ErrorCode.ILLEGAL_GENERATION
  }

  // ---- Heartbeat ----

  heartbeat(req: HeartbeatRequest, _apiVersion: number, _now: number): CoordinatorResult<HeartbeatResponse> {
    const fx = new Effects()
    const answer = (errorCode: number) => fx.result(Heartbeat.response.make({ errorCode }))
    if (req.groupId === '') return answer(ErrorCode.INVALID_GROUP_ID)
    const group = this.groups.get(req.groupId)
    if (!group) return answer(ErrorCode.UNKNOWN_MEMBER_ID)
    const error = this.checkGeneration(group, req.memberId, req.groupInstanceId, req.generationId)
    const member = group.members.get(req.memberId)
    if (error !== ErrorCode.NONE || !member)
      return answer(error === ErrorCode.NONE ? ErrorCode.UNKNOWN_MEMBER_ID : error)
    switch (group.state) {
      case ClassicGroupState.Empty:
      case ClassicGroupState.Dead:
        return answer(ErrorCode.UNKNOWN_MEMBER_ID)
      case ClassicGroupState.PreparingRebalance:
        this.flow.touch(group, member)
        return answer(ErrorCode.REBALANCE_IN_PROGRESS)
      case ClassicGroupState.CompletingRebalance:
      case ClassicGroupState.Stable:
        this.flow.touch(group, member)
        return answer(ErrorCode.NONE)
    }
  }

  // ---- LeaveGroup ----

  /** LeaveGroup: v0-2 name one member by id; v3+ a batch, each by member id and/or instance id (KIP-345). */
  leave(req: LeaveGroupRequest, apiVersion: number, now: number): CoordinatorResult<LeaveGroupResponse> {
    const fx = new Effects()
    const batched = apiVersion >= 3
    if (req.groupId === '') return fx.result(LeaveGroup.response.make({ errorCode: ErrorCode.INVALID_GROUP_ID }))
    const group = this.groups.get(req.groupId)
    if (!group) return fx.result(LeaveGroup.response.make({ errorCode: ErrorCode.UNKNOWN_MEMBER_ID }))
    const leaving = batched ? req.members : [{ memberId: req.memberId, groupInstanceId: null }]
    const departed: ClassicMember[] = []
    let pendingLeft = false
    const results = leaving.map(({ memberId, groupInstanceId }) => {
      const result = { memberId, groupInstanceId, errorCode: ErrorCode.NONE as number }
      if (groupInstanceId === null && group.pendingMembers.has(memberId)) {
        group.pendingMembers.delete(memberId)
        this.flow.cancelHeartbeat(group, memberId)
        pendingLeft = true
        return result
      }
      const target = this.leavingMember(group, memberId, groupInstanceId)
      if (typeof target === 'number') result.errorCode = target
      else if (!departed.includes(target)) departed.push(target)
      return result
    })
    this.flow.removeMembers(group, departed, fx, now)
    if (pendingLeft) this.flow.maybeCompleteJoinPhase(group, fx, now)
    if (batched) return fx.result(LeaveGroup.response.make({ errorCode: ErrorCode.NONE, members: results }))
    return fx.result(LeaveGroup.response.make({ errorCode: results[0]?.errorCode ?? ErrorCode.NONE }))
  }

  /** The member a LeaveGroup entry names, or why it names none. A static member may leave by instance id alone. */
  private leavingMember(group: ClassicGroup, memberId: string, groupInstanceId: string | null): ClassicMember | number {
    if (groupInstanceId === null) return group.members.get(memberId) ?? ErrorCode.UNKNOWN_MEMBER_ID
    const current = group.staticMembers.get(groupInstanceId)
    const member = current === undefined ? undefined : group.members.get(current)
    if (!member) return ErrorCode.UNKNOWN_MEMBER_ID
    if (memberId !== '' && memberId !== member.memberId) return ErrorCode.FENCED_INSTANCE_ID
    return member
  }

  // ---- DescribeGroups, ListGroups, DeleteGroups ----

  describe(groupId: string): GroupDescription {
    return this.groups.get(groupId)?.describe() ?? deadGroupDescription(groupId)
  }

  /** ListGroups; states are matched case-insensitively, as Kafka (KIP-518). An empty filter lists all. */
  list(statesFilter: readonly string[]): GroupListing[] {
    const wanted = new Set(statesFilter.map((s) => s.toLowerCase()))
    return [...this.groups.values()]
      .filter((g) => wanted.size === 0 || wanted.has(g.state.toLowerCase()))
      .map((g) => g.listing())
  }

  has(groupId: string): boolean {
    return this.groups.has(groupId)
  }

  /** OffsetDelete refuses topics a member subscribes to (GROUP_SUBSCRIBED_TO_TOPIC); unknown subscriptions count as none, as Kafka. */
  isSubscribedTo(groupId: string, topic: string): boolean {
    return this.groups.get(groupId)?.subscribedTopics()?.has(topic) ?? false
  }

  /**
   * For offset expiry (KIP-211), as Kafka's offsetExpirationCondition: when an Empty group with a protocol became
   * Empty; null while it has members; undefined for an unknown group, a simple group (no protocol) or an Empty
   * group loaded from a record without that time (each offset's commit time counts then).
   */
  emptySince(groupId: string): number | null | undefined {
    const group = this.groups.get(groupId)
    if (!group || group.protocolType === null) return undefined
    if (!group.is(ClassicGroupState.Empty)) return null
    return group.currentStateTimestamp ?? undefined
  }

  /** DeleteGroups: only an Empty group; the tombstone's replay removes it (its offsets are the caller's). */
  delete(groupId: string): CoordinatorResult<number> {
    const fx = new Effects()
    const group = this.groups.get(groupId)
    if (!group) return fx.result(ErrorCode.GROUP_ID_NOT_FOUND)
    if (!group.is(ClassicGroupState.Empty)) return fx.result(ErrorCode.NON_EMPTY_GROUP)
    fx.records.push(groupTombstone(groupId))
    return fx.result(ErrorCode.NONE)
  }

  /** Kafka's "simple" group: offsets committed for a group nobody joined create it Empty, in memory only. */
  ensureSimpleGroup(groupId: string): void {
    if (!this.groups.has(groupId)) this.groups.set(groupId, new ClassicGroup(groupId, null))
  }

  // ---- OffsetCommit ----

  /**
   * Whether a classic group takes an offset commit from this member, as Kafka's ClassicGroup.validateOffsetCommit.
   * Generation -1 with no member is a simple consumer or an admin client: allowed while the group is Empty.
   * `transactional` (TxnOffsetCommit) skips the checks that old TxnOffsetCommit versions cannot satisfy.
   */
  validateOffsetCommit(
    groupId: string,
    memberId: string,
    groupInstanceId: string | null,
    generationId: number,
    transactional = false,
  ): number {
    const group = this.groups.get(groupId)
    // An unknown group takes a simple commit (the caller then creates it); a generation it cannot have is illegal.
    if (!group) return generationId < 0 ? ErrorCode.NONE : ErrorCode.ILLEGAL_GENERATION
    if (generationId < 0 && group.is(ClassicGroupState.Empty)) return ErrorCode.NONE
    if (generationId >= 0 || memberId !== '' || groupInstanceId !== null) {
      const error = this.checkGeneration(group, memberId, groupInstanceId, generationId)
      if (error !== ErrorCode.NONE) return error
    } else if (!transactional && !group.is(ClassicGroupState.Empty)) {
      return ErrorCode.UNKNOWN_MEMBER_ID
    }
    // The member has its generation from JoinGroup but no assignment yet: let it finish the rebalance first.
    if (!transactional && group.is(ClassicGroupState.CompletingRebalance)) return ErrorCode.REBALANCE_IN_PROGRESS
    return ErrorCode.NONE
  }

  // ---- Load ----

  /**
   * Applies a GroupMetadata record. A record this manager produced is already reflected in memory and changes
   * nothing; any other (loading the partition) rebuilds the group from it. A tombstone removes the group.
   */
  replay(record: GroupMetadataRecord): void {
    const groupId = record.key.group
    const existing = this.groups.get(groupId)
    if (record.value === null) {
      if (existing) this.flow.cancelAll(existing)
      this.groups.delete(groupId)
      return
    }
    if (existing && this.flow.consumeProduced(groupId, record.value)) return
    if (existing) this.flow.cancelAll(existing)
    this.groups.set(groupId, groupFromRecord(groupId, record.value))
  }

  /**
   * The shard is being unloaded (this broker stopped leading its partition): every parked JoinGroup and SyncGroup
   * is answered NOT_COORDINATOR so its client looks for the new coordinator, and every timer is cancelled.
   */
  onUnloaded(): void {
    // Nothing is written here, so the answers need not wait for anything.
    const fx = new Effects()
    for (const group of this.groups.values()) {
      this.flow.cancelAll(group)
      for (const member of group.members.values()) {
        this.flow.answerParked(group, member, ErrorCode.NOT_COORDINATOR, fx, member.memberId)
      }
    }
    this.groups.clear()
    for (const deliver of fx.then) deliver()
  }

  /** After load: every loaded member's session starts now, so members that are gone expire. */
  onLoaded(_now: number): void {
    for (const group of this.groups.values()) {
      for (const member of group.members.values()) this.flow.touch(group, member)
    }
  }
}

interface JoinInput {
  req: JoinGroupRequest
  client: ClientInfo
  reply: JoinReply
  now: number
  fx: Effects
  group: ClassicGroup
}

/** JoinGroup v0 has no rebalance timeout (decoded as -1): Kafka then uses the session timeout. */
/** A member as a JoinGroup describes it (a newcomer, or a static member taking over its predecessor's assignment). */
function memberFromJoin(
  join: JoinInput,
  memberId: string,
  groupInstanceId: string | null,
  assignment?: Buffer,
): ClassicMember {
  const { req, client } = join
  return new ClassicMember({
    memberId,
    groupInstanceId,
    clientId: client.clientId,
    clientHost: client.clientHost,
    protocolType: req.protocolType,
    protocols: req.protocols.map((p) => ({ name: p.name, metadata: p.metadata })),
    rebalanceTimeoutMs: rebalanceTimeoutOf(req),
    sessionTimeoutMs: req.sessionTimeoutMs,
    ...(assignment === undefined ? {} : { assignment }),
  })
}

function rebalanceTimeoutOf(req: JoinGroupRequest): number {
  return req.rebalanceTimeoutMs < 0 ? req.sessionTimeoutMs : req.rebalanceTimeoutMs
}
