// A member of a classic group: JoinGroup, SyncGroup, Heartbeat, LeaveGroup.
//
// Two loops run side by side. The membership loop (re)joins whenever a rebalance is needed: it revokes first when
// the protocol is eager, joins (a new member retries at once with the id MEMBER_ID_REQUIRED hands it, KIP-394),
// lets the leader compute the assignment with the client-side assignor the coordinator chose, syncs, and hands
// the difference to the consumer. With a cooperative assignor (KIP-429) nothing is revoked before the join; the
// member revokes only what it lost and, if it lost anything, rejoins at once so the second rebalance can give
// those partitions to their new owners.
//
// The heartbeat loop sends a Heartbeat every heartbeat.interval.ms while the member holds a generation, also
// while the consumer revokes or the application is busy. It is what keeps the session alive, never the
// application's progress. REBALANCE_IN_PROGRESS asks the membership loop to rejoin; UNKNOWN_MEMBER_ID,
// ILLEGAL_GENERATION mean the partitions were lost. Static members (group.instance.id, KIP-345) do not send
// LeaveGroup on close, so a restart within session.timeout.ms gets the same assignment without a rebalance.

import {
  ConsumerProtocolAssignment,
  ConsumerProtocolSubscription,
  decodeConsumerProtocolAssignment,
  decodeConsumerProtocolSubscription,
  encodeVersioned,
  ErrorCode,
  Heartbeat,
  JoinGroup,
  LeaveGroup,
  SyncGroup,
} from '@samsa/protocol'
import type { Cluster } from '../cluster/cluster.ts'
import type { TopicPartition } from '../cluster/sharding.ts'
import { isKafkaProtocolError, isRetriableError, KafkaProtocolError } from '../errors.ts'
import { backoffMs } from '../retry.ts'
import type { MemberSubscription, PartitionAssignor } from './assignors.ts'
import type { GroupCoordinator } from './coordinator.ts'
import { groupByTopic, Wakeable, withoutPartitions, type GroupMembership, type MembershipHost } from './membership.ts'
import type { CommitIdentity } from './offsets.ts'

export interface ClassicMemberOptions {
  groupInstanceId: string | null
  sessionTimeoutMs: number
  rebalanceTimeoutMs: number
  heartbeatIntervalMs: number
  assignors: readonly PartitionAssignor[]
  retryBackoffMs: number
  retryBackoffMaxMs: number
  requestTimeoutMs: number
}

const PROTOCOL_TYPE = 'consumer'
/** v2 carries ownedPartitions (KIP-429) and their generation (KIP-792). */
const SUBSCRIPTION_VERSION = 2

/** Errors that mean this member no longer owns its partitions and must join afresh. */
const FENCED_OUT = new Set<number>([ErrorCode.UNKNOWN_MEMBER_ID, ErrorCode.ILLEGAL_GENERATION])

export class ClassicMember implements GroupMembership {
  readonly #cluster: Cluster
  readonly #coordinator: GroupCoordinator
  readonly #host: MembershipHost
  readonly #options: ClassicMemberOptions
  readonly #isCooperative: boolean
  #memberId = ''
  #generationId = -1
  #isJoining = false
  #needsRejoin = true
  #ownershipLost = false
  #isStopped = false
  readonly #rejoinSignal = new Wakeable()
  readonly #heartbeatSignal = new Wakeable()
  #loops: Promise<void>[] = []

  constructor(cluster: Cluster, coordinator: GroupCoordinator, host: MembershipHost, options: ClassicMemberOptions) {
    this.#cluster = cluster
    this.#coordinator = coordinator
    this.#host = host
    this.#options = options
    // Java's rule: cooperative only if every offered assignor supports it, so a group can move from eager to
    // cooperative with two rolling restarts.
    this.#isCooperative = options.assignors.every((a) => a.rebalanceProtocol === 'cooperative')
  }

  get memberId(): string {
    return this.#memberId
  }

  get generationId(): number {
    return this.#generationId
  }

  get isRebalancing(): boolean {
    return this.#isJoining || this.#needsRejoin
  }

  commitIdentity(): CommitIdentity {
    return {
      generationIdOrMemberEpoch: this.#generationId,
      memberId: this.#memberId,
      groupInstanceId: this.#options.groupInstanceId,
    }
  }

  start(): void {
    this.#loops = [this.#membershipLoop(), this.#heartbeatLoop()]
  }

  subscriptionChanged(): void {
    this.#requestRejoin()
  }

  async leave(): Promise<void> {
    this.#isStopped = true
    this.#rejoinSignal.wake()
    this.#heartbeatSignal.wake()
    // A JoinGroup may wait for the whole rebalance timeout; dropping the coordinator's socket ends it now, and
    // the LeaveGroup below goes out on a fresh one instead of queueing behind it.
    if (this.#isJoining) this.#coordinator.markUnknown()
    await Promise.all(this.#loops)
    if (this.#memberId === '' || this.#options.groupInstanceId !== null) return
    try {
      await this.#coordinator.request(
        LeaveGroup,
        (v) =>
          LeaveGroup.request.make(
            v >= 3
              ? {
                  groupId: this.#coordinator.groupId,
                  members: [{ memberId: this.#memberId, groupInstanceId: null, reason: 'the consumer is closing' }],
                }
              : { groupId: this.#coordinator.groupId, memberId: this.#memberId },
          ),
        { errorCodeOf: (r) => r.errorCode },
      )
    } catch {
      // Leaving is a courtesy: without it the coordinator drops the member after session.timeout.ms.
    }
    this.#generationId = -1
  }

  #requestRejoin(): void {
    this.#needsRejoin = true
    this.#rejoinSignal.wake()
  }

  async #membershipLoop(): Promise<void> {
    let failures = 0
    while (!this.#isStopped) {
      if (!this.#needsRejoin) {
        await this.#rejoinSignal.sleep(this.#options.sessionTimeoutMs)
        continue
      }
      try {
        await this.#rebalance()
        failures = 0
      } catch (error) {
        if (this.#isStopped) return
        if (isKafkaProtocolError(error) && error.errorCode === ErrorCode.FENCED_INSTANCE_ID) {
          // Another process took this group.instance.id; two consumers must not share it.
          this.#host.failed(error)
          this.#isStopped = true
          return
        }
        if (!isRetriableError(error) && !isKafkaProtocolError(error)) this.#host.failed(error)
        await this.#rejoinSignal.sleep(backoffMs(failures++, this.#options))
      }
    }
  }

  async #rebalance(): Promise<void> {
    const owned = this.#host.owned()
    if (this.#ownershipLost) {
      this.#ownershipLost = false
      if (owned.length > 0) await this.#host.lost(owned)
    } else if (!this.#isCooperative && owned.length > 0) {
      // Eager protocol: everything is given up before joining, and committed while this member still may.
      await this.#host.revoked(owned)
    }
    const topics = await this.#host.subscribedTopics()
    const stillOwned = this.#host.owned()
    const metadata = encodeVersioned(ConsumerProtocolSubscription, SUBSCRIPTION_VERSION, {
      topics,
      userData: null,
      ownedPartitions: groupByTopic(stillOwned),
      generationId: this.#generationId,
      rackId: null,
    })
    this.#needsRejoin = false
    this.#isJoining = true
    let joined
    try {
      joined = await this.#join(metadata)
      if (this.#isStopped) return
      const assignments = joined.isLeader ? await this.#assign(joined.members, joined.protocolName) : []
      const assigned = await this.#sync(joined.generationId, joined.protocolName, assignments)
      this.#generationId = joined.generationId
      this.#isJoining = false
      if (this.#isStopped) return
      this.#heartbeatSignal.wake()
      const revoked = withoutPartitions(this.#host.owned(), assigned)
      const added = withoutPartitions(assigned, this.#host.owned())
      if (revoked.length > 0) {
        await this.#host.revoked(revoked)
        // KIP-429: the partitions given up here go to their new owner in the next rebalance.
        if (this.#isCooperative) this.#requestRejoin()
      }
      await this.#host.assigned(added)
    } catch (error) {
      this.#needsRejoin = true
      throw error
    } finally {
      this.#isJoining = false
    }
  }

  async #join(metadata: Buffer): Promise<{
    generationId: number
    protocolName: string | null
    isLeader: boolean
    members: { memberId: string; groupInstanceId: string | null; metadata: Buffer }[]
  }> {
    for (;;) {
      const { response, version } = await this.#coordinator.request(
        JoinGroup,
        () =>
          JoinGroup.request.make({
            groupId: this.#coordinator.groupId,
            sessionTimeoutMs: this.#options.sessionTimeoutMs,
            rebalanceTimeoutMs: this.#options.rebalanceTimeoutMs,
            memberId: this.#memberId,
            groupInstanceId: this.#options.groupInstanceId,
            protocolType: PROTOCOL_TYPE,
            protocols: this.#options.assignors.map((a) => ({ name: a.name, metadata })),
            reason: null,
          }),
        // The coordinator answers once every member has joined, which may take the whole rebalance timeout.
        { timeoutMs: this.#options.rebalanceTimeoutMs + this.#options.requestTimeoutMs },
      )
      if (response.errorCode === ErrorCode.MEMBER_ID_REQUIRED) {
        this.#memberId = response.memberId
        continue
      }
      if (response.errorCode !== ErrorCode.NONE) {
        if (response.errorCode === ErrorCode.UNKNOWN_MEMBER_ID) this.#memberId = ''
        if (
          response.errorCode === ErrorCode.NOT_COORDINATOR ||
          response.errorCode === ErrorCode.COORDINATOR_NOT_AVAILABLE
        ) {
          this.#coordinator.markUnknown()
        }
        throw new KafkaProtocolError({ errorCode: response.errorCode, apiKey: JoinGroup.key, apiVersion: version })
      }
      this.#memberId = response.memberId
      return {
        generationId: response.generationId,
        protocolName: response.protocolName,
        // KIP-814: a static leader that merely restarted must not reassign.
        isLeader: response.leader === response.memberId && !response.skipAssignment,
        members: response.members,
      }
    }
  }

  /** The leader's part: run the chosen assignor over every member's subscription. */
  async #assign(
    members: readonly { memberId: string; groupInstanceId: string | null; metadata: Buffer }[],
    protocolName: string | null,
  ): Promise<{ memberId: string; assignment: Buffer }[]> {
    const subscriptions: MemberSubscription[] = members.map((m) => {
      const { value } = decodeConsumerProtocolSubscription(m.metadata)
      return {
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        topics: value.topics,
        ownedPartitions: value.ownedPartitions.flatMap((t) =>
          t.partitions.map((partition) => ({ topic: t.topic, partition })),
        ),
        generationId: value.generationId,
      }
    })
    const topics = [...new Set(subscriptions.flatMap((s) => s.topics))]
    await this.#cluster.refreshMetadata(topics)
    const partitionCounts = new Map<string, number>()
    for (const topic of topics) {
      const count = this.#cluster.metadata.partitionCount(topic)
      if (count !== undefined && count > 0) partitionCounts.set(topic, count)
    }
    const assignor = this.#options.assignors.find((a) => a.name === protocolName) ?? this.#options.assignors[0]!
    const plan = assignor.assign(subscriptions, partitionCounts)
    return subscriptions.map((s) => ({
      memberId: s.memberId,
      assignment: encodeVersioned(ConsumerProtocolAssignment, SUBSCRIPTION_VERSION, {
        assignedPartitions: groupByTopic(plan.get(s.memberId) ?? []),
        userData: null,
      }),
    }))
  }

  async #sync(
    generationId: number,
    protocolName: string | null,
    assignments: { memberId: string; assignment: Buffer }[],
  ): Promise<TopicPartition[]> {
    const { response } = await this.#coordinator.request(
      SyncGroup,
      () =>
        SyncGroup.request.make({
          groupId: this.#coordinator.groupId,
          generationId,
          memberId: this.#memberId,
          groupInstanceId: this.#options.groupInstanceId,
          protocolType: PROTOCOL_TYPE,
          protocolName,
          assignments,
        }),
      { timeoutMs: this.#options.rebalanceTimeoutMs + this.#options.requestTimeoutMs, errorCodeOf: (r) => r.errorCode },
    )
    if (response.assignment.length === 0) return []
    const { value } = decodeConsumerProtocolAssignment(response.assignment)
    return value.assignedPartitions.flatMap((t) => t.partitions.map((partition) => ({ topic: t.topic, partition })))
  }

  async #heartbeatLoop(): Promise<void> {
    let failures = 0
    while (!this.#isStopped) {
      const wait = failures === 0 ? this.#options.heartbeatIntervalMs : backoffMs(failures - 1, this.#options)
      await this.#heartbeatSignal.sleep(wait)
      if (this.#isStopped || this.#isJoining || this.#generationId < 0 || this.#memberId === '') continue
      try {
        await this.#coordinator.request(
          Heartbeat,
          () =>
            Heartbeat.request.make({
              groupId: this.#coordinator.groupId,
              generationId: this.#generationId,
              memberId: this.#memberId,
              groupInstanceId: this.#options.groupInstanceId,
            }),
          { errorCodeOf: (r) => r.errorCode },
        )
        failures = 0
      } catch (error) {
        failures = 0
        if (!isKafkaProtocolError(error)) {
          failures = 1
          continue
        }
        if (error.errorCode === ErrorCode.REBALANCE_IN_PROGRESS) this.#requestRejoin()
        else if (FENCED_OUT.has(error.errorCode)) {
          if (error.errorCode === ErrorCode.UNKNOWN_MEMBER_ID) this.#memberId = ''
          this.#generationId = -1
          this.#ownershipLost = true
          this.#requestRejoin()
        } else if (error.errorCode === ErrorCode.FENCED_INSTANCE_ID) {
          this.#isStopped = true
          this.#host.failed(error)
        } else failures = 1
      }
    }
  }
}
