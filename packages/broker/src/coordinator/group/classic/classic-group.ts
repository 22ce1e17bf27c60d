// One classic (pre-KIP-848) consumer group: its state, generation, chosen protocol, leader and members. This is
// data plus the rules that only look at one group (protocol support and selection, leader election, member
// validation); the rebalance flow that needs timers and records lives in classic-rebalance.ts.

import {
  ErrorCode,
  decodeConsumerProtocolSubscription,
  type DescribeGroupsResponse,
  type JoinGroupResponse,
} from '@samsa/protocol'
import { ClassicGroupState, type GroupListing } from '../types.ts'
import type { ClassicMember, MemberProtocol } from './classic-member.ts'

export type GroupDescription = DescribeGroupsResponse['groups'][number]

/** DescribeGroups' "not requested" value for authorizedOperations (KIP-430); the handler fills it when asked. */
const OPERATIONS_NOT_REQUESTED = -2147483648

/** The protocol type of Kafka's consumers, whose member metadata is a ConsumerProtocolSubscription. */
const CONSUMER_PROTOCOL_TYPE = 'consumer'

export class ClassicGroup {
  state: ClassicGroupState = ClassicGroupState.Empty
  /** The state before the current one: a rebalance that started from Empty runs the initial delayed join. */
  previousState: ClassicGroupState = ClassicGroupState.Empty
  currentStateTimestamp: number | null
  generationId = 0
  /** Null until the first member joins; an offsets-only ("simple") group never gets one. */
  protocolType: string | null = null
  protocolName: string | null = null
  leaderId: string | null = null
  /** Members in join order: the first one becomes leader when the leader leaves. */
  readonly members = new Map<string, ClassicMember>()
  /** Member ids handed out with MEMBER_ID_REQUIRED (KIP-394) whose owners have not rejoined with them yet. */
  readonly pendingMembers = new Set<string>()
  /** Members of the current generation that have not sent SyncGroup yet. */
  readonly pendingSyncMembers = new Set<string>()
  /** Static members (KIP-345): group instance id → current member id. */
  readonly staticMembers = new Map<string, string>()
  /** A member joined during the initial delayed join, which then waits one more delay (Kafka's InitialDelayedJoin). */
  newMemberAdded = false

  readonly groupId: string

  constructor(groupId: string, now: number | null) {
    this.groupId = groupId
    this.currentStateTimestamp = now
  }

  transitionTo(state: ClassicGroupState, now: number): void {
    this.previousState = this.state
    this.state = state
    this.currentStateTimestamp = now
  }

  is(state: ClassicGroupState): boolean {
    return this.state === state
  }

  isLeader(memberId: string): boolean {
    return this.leaderId === memberId
  }

  add(member: ClassicMember): void {
    if (this.members.size === 0) this.protocolType = member.protocolType
    this.members.set(member.memberId, member)
    if (member.groupInstanceId !== null) this.staticMembers.set(member.groupInstanceId, member.memberId)
    this.leaderId ??= member.memberId
  }

  remove(memberId: string): void {
    const member = this.members.get(memberId)
    this.pendingMembers.delete(memberId)
    if (!member) return
    this.members.delete(memberId)
    this.pendingSyncMembers.delete(memberId)
    if (member.groupInstanceId !== null && this.staticMembers.get(member.groupInstanceId) === memberId) {
      this.staticMembers.delete(member.groupInstanceId)
    }
    if (this.isLeader(memberId)) this.leaderId = this.members.keys().next().value ?? null
  }

  /** A restarted static member takes its predecessor's place: same instance id, leadership and sync duty. */
  replaceStaticMember(oldMemberId: string, replacement: ClassicMember): void {
    const wasLeader = this.isLeader(oldMemberId)
    const wasPendingSync = this.pendingSyncMembers.has(oldMemberId)
    this.remove(oldMemberId)
    this.add(replacement)
    if (wasLeader) this.leaderId = replacement.memberId
    if (wasPendingSync) this.pendingSyncMembers.add(replacement.memberId)
  }

  /** The largest rebalance timeout of the members: how long the join phase waits for everyone to rejoin. */
  rebalanceTimeoutMs(): number {
    let max = 0
    for (const m of this.members.values()) max = Math.max(max, m.rebalanceTimeoutMs)
    return max
  }

  awaitingJoinCount(): number {
    let n = 0
    for (const m of this.members.values()) if (m.awaitingJoin) n++
    return n
  }

  hasAllMembersJoined(): boolean {
    return this.awaitingJoinCount() === this.members.size && this.pendingMembers.size === 0
  }

  notYetRejoinedMembers(): ClassicMember[] {
    return [...this.members.values()].filter((m) => !m.awaitingJoin)
  }

  /** Protocols every current member supports. */
  candidateProtocols(): Set<string> {
    const all = [...this.members.values()]
    const first = all[0]
    if (!first) return new Set()
    return new Set(first.protocols.map((p) => p.name).filter((name) => all.every((m) => m.supports(name))))
  }

  /**
   * Whether a member offering these protocols can be in this group: an empty group takes any non-empty offer,
   * otherwise the protocol type must match and at least one offered protocol must be supported by everyone.
   */
  supportsProtocols(protocolType: string, protocols: readonly MemberProtocol[]): boolean {
    if (this.members.size === 0) return protocolType !== '' && protocols.length > 0
    if (protocolType !== this.protocolType) return false
    const candidates = this.candidateProtocols()
    return protocols.some((p) => candidates.has(p.name))
  }

  /**
   * The protocol of the next generation: among the protocols every member supports, each member votes for its
   * most preferred one and the most voted wins (ties go to the candidate listed first by the earliest member).
   */
  selectProtocol(): string | null {
    const candidates = this.candidateProtocols()
    const votes = new Map<string, number>()
    for (const m of this.members.values()) {
      const choice = m.vote(candidates)
      if (choice !== undefined) votes.set(choice, (votes.get(choice) ?? 0) + 1)
    }
    let best: string | null = null
    let bestVotes = 0
    for (const name of candidates) {
      const n = votes.get(name) ?? 0
      if (n > bestVotes) {
        best = name
        bestVotes = n
      }
    }
    return best
  }

  /** Keep the leader if it rejoined, else hand leadership to the first member that did; false if none did. */
  maybeElectNewJoinedLeader(): boolean {
    const leader = this.leaderId === null ? undefined : this.members.get(this.leaderId)
    if (leader?.awaitingJoin) return true
    for (const m of this.members.values()) {
      if (m.awaitingJoin) {
        this.leaderId = m.memberId
        return true
      }
    }
    return false
  }

  /** Ends the join phase: a new generation with a protocol, or an Empty group if nobody is left. */
  initNextGeneration(now: number): void {
    this.generationId++
    if (this.members.size > 0) {
      this.protocolName = this.selectProtocol()
      this.transitionTo(ClassicGroupState.CompletingRebalance, now)
    } else {
      this.protocolName = null
      this.transitionTo(ClassicGroupState.Empty, now)
    }
  }

  /** What the leader receives in its JoinGroup answer: every member's metadata for the chosen protocol. */
  membersForLeader(): JoinGroupResponse['members'] {
    return [...this.members.values()].map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      metadata: m.metadataFor(this.protocolName),
    }))
  }

  /**
   * Checks the identity a request claims. A static member whose instance id now belongs to another member id
   * was replaced by a newer instance: FENCED_INSTANCE_ID. `strict` (JoinGroup) also rejects an instance id the
   * group does not know, as Kafka's JoinGroup does; the other requests only check for fencing.
   */
  validateMember(memberId: string, groupInstanceId: string | null, strict = false): number {
    if (groupInstanceId !== null) {
      const current = this.staticMembers.get(groupInstanceId)
      if (current === undefined && strict) return ErrorCode.UNKNOWN_MEMBER_ID
      if (current !== undefined && current !== memberId) return ErrorCode.FENCED_INSTANCE_ID
    }
    return this.members.has(memberId) ? ErrorCode.NONE : ErrorCode.UNKNOWN_MEMBER_ID
  }

  /** DescribeGroups: members' metadata and assignments are shown only once the generation is Stable, as Kafka. */
  describe(): GroupDescription {
    const stable = this.is(ClassicGroupState.Stable)
    return {
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      groupId: this.groupId,
      groupState: this.state,
      protocolType: this.protocolType ?? '',
      protocolData: stable ? (this.protocolName ?? '') : '',
      members: [...this.members.values()].map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        memberMetadata: stable ? m.metadataFor(this.protocolName) : Buffer.alloc(0),
        memberAssignment: stable ? m.assignment : Buffer.alloc(0),
      })),
      authorizedOperations: OPERATIONS_NOT_REQUESTED,
    }
  }

  /**
   * The topics the members subscribe to, read from their "consumer" protocol metadata; undefined when the group
   * has no chosen protocol, is not a consumer group, or a subscription cannot be read (as Kafka: then unknown).
   */
  subscribedTopics(): Set<string> | undefined {
    if (this.protocolType !== CONSUMER_PROTOCOL_TYPE || this.protocolName === null || this.members.size === 0) {
      return undefined
    }
    const topics = new Set<string>()
    try {
      for (const m of this.members.values()) {
        for (const t of decodeConsumerProtocolSubscription(m.metadataFor(this.protocolName)).value.topics) topics.add(t)
      }
    } catch {
      return undefined
    }
    return topics
  }

  listing(): GroupListing {
    return {
      groupId: this.groupId,
      protocolType: this.protocolType ?? '',
      groupState: this.state,
      groupType: 'classic',
    }
  }
}

/** DescribeGroups for a group this coordinator does not have: Kafka answers a Dead group with no members. */
export function deadGroupDescription(groupId: string): GroupDescription {
  return {
    errorCode: ErrorCode.NONE,
    errorMessage: null,
    groupId,
    groupState: ClassicGroupState.Dead,
    protocolType: '',
    protocolData: '',
    members: [],
    authorizedOperations: OPERATIONS_NOT_REQUESTED,
  }
}
