// A member of a KIP-848 ("consumer" protocol) group: one request, ConsumerGroupHeartbeat, does everything. The
// member sends its subscription and what it owns; the coordinator runs the assignor (group.remote.assignor:
// 'uniform' or 'range') and answers with the member's epoch and, when it changed, its target assignment.
//
// Reconciliation follows the KIP: partitions missing from the target are revoked first (committed, listener
// called), then new ones are taken on, and the next heartbeat reports what the member owns, which acknowledges
// the revocation so the coordinator can hand those partitions to their new owner. The coordinator only puts a
// partition in a target once its previous owner has released it, so nothing is consumed twice at once.
// Heartbeats keep going at the interval the coordinator asks for while the consumer reconciles or the
// application is busy. Since v1 the member picks its own id (KIP-1082); a static member leaves with epoch -2 so
// that it can come back within the session timeout without a rebalance, a dynamic one with -1.

import { randomBytes } from 'node:crypto'
import { ConsumerGroupHeartbeat, ErrorCode } from '@samsa/protocol'
import type { Cluster } from '../cluster/cluster.ts'
import type { TopicPartition } from '../cluster/sharding.ts'
import { isKafkaProtocolError, KafkaProtocolError } from '../errors.ts'
import { backoffMs } from '../retry.ts'
import { isCoordinatorMovedError, type GroupCoordinator } from './coordinator.ts'
import { groupByTopic, Wakeable, withoutPartitions, type GroupMembership, type MembershipHost } from './membership.ts'
import type { CommitIdentity } from './offsets.ts'

export interface ConsumerProtocolMemberOptions {
  groupInstanceId: string | null
  rebalanceTimeoutMs: number
  serverAssignor: string | null
  retryBackoffMs: number
  retryBackoffMaxMs: number
}

const LEAVE_EPOCH = -1
const STATIC_LEAVE_EPOCH = -2
/** Until the coordinator says otherwise (its group.consumer.heartbeat.interval.ms). */
const FIRST_HEARTBEAT_INTERVAL_MS = 5_000

/** Answers that mean this member's partitions already belong to others: rejoin with epoch 0. */
const FENCED_OUT = new Set<number>([ErrorCode.FENCED_MEMBER_EPOCH, ErrorCode.UNKNOWN_MEMBER_ID])
/** Answers worth retrying as they are. */
const TRANSIENT = new Set<number>([
  ErrorCode.NOT_COORDINATOR,
  ErrorCode.COORDINATOR_NOT_AVAILABLE,
  ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
  ErrorCode.UNRELEASED_INSTANCE_ID,
  ErrorCode.STALE_MEMBER_EPOCH,
  ErrorCode.REQUEST_TIMED_OUT,
])

export class ConsumerProtocolMember implements GroupMembership {
  readonly #cluster: Cluster
  readonly #coordinator: GroupCoordinator
  readonly #host: MembershipHost
  readonly #options: ConsumerProtocolMemberOptions
  #memberId = randomBytes(16).toString('base64url')
  #memberEpoch = 0
  #heartbeatIntervalMs = FIRST_HEARTBEAT_INTERVAL_MS
  /** The latest target assignment by topic id, until the consumer owns exactly it. */
  #target: { topicId: string; partitions: number[] }[] | null = null
  #reconciling: Promise<void> | null = null
  #isStopped = false
  readonly #signal = new Wakeable()
  #loop: Promise<void> | null = null

  constructor(
    cluster: Cluster,
    coordinator: GroupCoordinator,
    host: MembershipHost,
    options: ConsumerProtocolMemberOptions,
  ) {
    this.#cluster = cluster
    this.#coordinator = coordinator
    this.#host = host
    this.#options = options
  }

  get memberId(): string {
    return this.#memberId
  }

  get generationId(): number {
    return this.#memberEpoch
  }

  get memberEpoch(): number {
    return this.#memberEpoch
  }

  get isRebalancing(): boolean {
    return this.#reconciling !== null || this.#memberEpoch <= 0
  }

  commitIdentity(): CommitIdentity {
    return {
      generationIdOrMemberEpoch: this.#memberEpoch,
      memberId: this.#memberId,
      groupInstanceId: this.#options.groupInstanceId,
    }
  }

  start(): void {
    this.#loop = this.#heartbeatLoop()
  }

  subscriptionChanged(): void {
    this.#signal.wake()
  }

  async leave(): Promise<void> {
    this.#isStopped = true
    this.#signal.wake()
    await this.#loop
    await this.#reconciling
    if (this.#memberEpoch <= 0) return
    const epoch = this.#options.groupInstanceId === null ? LEAVE_EPOCH : STATIC_LEAVE_EPOCH
    try {
      await this.#heartbeat(epoch, [])
    } catch {
      // The coordinator drops a silent member after its session timeout anyway.
    }
    this.#memberEpoch = 0
  }

  async #heartbeatLoop(): Promise<void> {
    let failures = 0
    while (!this.#isStopped) {
      try {
        const topics = await this.#host.subscribedTopics()
        const response = await this.#heartbeat(this.#memberEpoch, topics)
        failures = 0
        if (response.memberId !== null && response.memberId !== '') this.#memberId = response.memberId
        this.#memberEpoch = response.memberEpoch
        if (response.heartbeatIntervalMs > 0) this.#heartbeatIntervalMs = response.heartbeatIntervalMs
        if (response.assignment !== null) this.#target = response.assignment.topicPartitions
        this.#startReconciling()
        await this.#signal.sleep(this.#heartbeatIntervalMs)
      } catch (error) {
        if (this.#isStopped) return
        const code = isKafkaProtocolError(error) ? error.errorCode : undefined
        if (code !== undefined && FENCED_OUT.has(code)) {
          await this.#fencedOut(code)
          continue
        }
        if (code !== undefined && !TRANSIENT.has(code)) {
          // UNSUPPORTED_ASSIGNOR, GROUP_MAX_SIZE_REACHED, INVALID_REQUEST…: retrying the same request cannot help.
          this.#host.failed(error)
          this.#isStopped = true
          return
        }
        await this.#signal.sleep(backoffMs(failures++, this.#options))
      }
    }
  }

  async #heartbeat(memberEpoch: number, topics: string[]) {
    const owned = this.#host.owned()
    const { response, version } = await this.#coordinator.request(
      ConsumerGroupHeartbeat,
      () =>
        ConsumerGroupHeartbeat.request.make({
          groupId: this.#coordinator.groupId,
          memberId: this.#memberId,
          memberEpoch,
          instanceId: this.#options.groupInstanceId,
          rackId: null,
          rebalanceTimeoutMs: this.#options.rebalanceTimeoutMs,
          // The full state on every heartbeat: simpler than tracking what the coordinator has seen, and what
          // Kafka's clients send after any error anyway.
          subscribedTopicNames: topics,
          subscribedTopicRegex: null,
          serverAssignor: this.#options.serverAssignor,
          topicPartitions: memberEpoch < 0 ? null : this.#toTopicIds(owned),
        }),
      {
        errorCodeOf: (r) => {
          if (r.errorCode !== ErrorCode.NONE && isCoordinatorMovedError(r.errorCode)) return r.errorCode
          return ErrorCode.NONE
        },
      },
    )
    if (response.errorCode !== ErrorCode.NONE) {
      throw new KafkaProtocolError({
        errorCode: response.errorCode,
        apiKey: ConsumerGroupHeartbeat.key,
        apiVersion: version,
        brokerMessage: response.errorMessage,
      })
    }
    return response
  }

  async #fencedOut(code: number): Promise<void> {
    await this.#reconciling
    const owned = this.#host.owned()
    if (owned.length > 0) await this.#host.lost(owned)
    if (code === ErrorCode.UNKNOWN_MEMBER_ID) this.#memberId = randomBytes(16).toString('base64url')
    this.#memberEpoch = 0
    this.#target = null
  }

  #startReconciling(): void {
    if (this.#reconciling !== null || this.#target === null) return
    this.#reconciling = this.#reconcile()
      .catch((error: unknown) => this.#host.failed(error))
      .finally(() => {
        this.#reconciling = null
      })
  }

  async #reconcile(): Promise<void> {
    const wanted = this.#target
    const target = await this.#fromTopicIds(wanted ?? [])
    const owned = this.#host.owned()
    const revoked = withoutPartitions(owned, target.partitions)
    const added = withoutPartitions(target.partitions, owned)
    const settle = () => {
      // A newer target that arrived meanwhile stays, for the next round.
      if (target.isComplete && this.#target === wanted) this.#target = null
    }
    if (revoked.length === 0 && added.length === 0) return settle()
    if (revoked.length > 0) await this.#host.revoked(revoked)
    if (added.length > 0) await this.#host.assigned(added)
    settle()
    // Acknowledge at once: the coordinator is waiting for the revocation before the next owner may start.
    this.#signal.wake()
  }

  #toTopicIds(partitions: readonly TopicPartition[]): { topicId: string; partitions: number[] }[] {
    return groupByTopic(partitions).flatMap(({ topic, partitions: list }) => {
      const topicId = this.#cluster.metadata.topics.get(topic)?.topicId
      return topicId === undefined ? [] : [{ topicId, partitions: list }]
    })
  }

  /** Topic ids to names through the metadata, refreshed once when an id is unknown (a topic created since). */
  async #fromTopicIds(
    target: readonly { topicId: string; partitions: number[] }[],
  ): Promise<{ partitions: TopicPartition[]; isComplete: boolean }> {
    const nameOf = () => new Map([...this.#cluster.metadata.topics.values()].map((t) => [t.topicId, t.name]))
    let names = nameOf()
    if (target.some((t) => !names.has(t.topicId))) {
      await this.#cluster.refreshMetadata(await this.#host.subscribedTopics())
      names = nameOf()
    }
    const partitions = target.flatMap((t) => {
      const topic = names.get(t.topicId)
      return topic === undefined ? [] : t.partitions.map((partition) => ({ topic, partition }))
    })
    return { partitions, isComplete: target.every((t) => names.has(t.topicId)) }
  }
}
