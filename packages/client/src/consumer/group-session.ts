// The consumer's side of group membership: it subscribes, serves the member (classic or KIP-848) as its
// MembershipHost, and owns the offsets. New partitions start from the group's committed offsets (OffsetFetch),
// else auto.offset.reset. Offsets are committed per message the application has finished with (the offset after
// it), by the auto-commit timer, by commit()/commitAsync(), before partitions are revoked and on close, as Java's
// consumer does with enable.auto.commit. A revocation first waits for a handler still busy with one of those
// partitions (up to the rebalance timeout), so its offset is committed before another member takes over.

import type { Cluster } from '../cluster/cluster.ts'
import type { TopicPartition } from '../cluster/sharding.ts'
import { SamsaError, SamsaErrorCode } from '../errors.ts'
import { delay } from '../retry.ts'
import { assignorNamed, type AssignorName, type PartitionAssignor } from '../group/assignors.ts'
import { ClassicMember } from '../group/classic-member.ts'
import { ConsumerProtocolMember } from '../group/consumer-protocol-member.ts'
import { GroupCoordinator } from '../group/coordinator.ts'
import { partitionKeyOf, type GroupMembership, type MembershipHost } from '../group/membership.ts'
import { commitOffsets, fetchCommittedOffsets, type OffsetToCommit } from '../group/offsets.ts'
import type { ConsumerMessage } from './fetched-records.ts'

export type GroupProtocol = 'classic' | 'consumer'

export interface GroupSessionOptions {
  groupId: string
  groupInstanceId: string | null
  groupProtocol: GroupProtocol
  sessionTimeoutMs: number
  rebalanceTimeoutMs: number
  heartbeatIntervalMs: number
  partitionAssignors: readonly AssignorName[]
  serverAssignor: string | null
  autoCommit: boolean
  autoCommitIntervalMs: number
  requestTimeoutMs: number
  /** How long commit() keeps retrying (Java's commitSync waits up to default.api.timeout.ms). */
  defaultApiTimeoutMs: number
  /** How often a pattern subscription is matched against the cluster's topics again (Java does the same). */
  metadataMaxAgeMs: number
  retryBackoffMs: number
  retryBackoffMaxMs: number
}

export interface RebalanceListener {
  onPartitionsAssigned?: (partitions: TopicPartition[]) => Promise<void> | void
  onPartitionsRevoked?: (partitions: TopicPartition[]) => Promise<void> | void
  /** Called instead of onPartitionsRevoked when the partitions already belong to someone else. */
  onPartitionsLost?: (partitions: TopicPartition[]) => Promise<void> | void
}

/** What the session needs from the consumer it belongs to. */
export interface ConsumerInternals {
  assignment(): TopicPartition[]
  isAssigned(topic: string, partition: number): boolean
  addPartitions(partitions: readonly (TopicPartition & { offset?: bigint })[]): void
  /** Hands out nothing more of these partitions (they are being revoked). */
  stopDelivering(partitions: readonly TopicPartition[]): void
  removePartitions(partitions: readonly TopicPartition[]): void
  /** The partition a run() handler is busy with, and when it will be done. */
  deliveryInProgress(): { topic: string; partition: number; done: Promise<void> } | null
  fail(error: unknown): void
}

export class GroupSession implements MembershipHost {
  readonly #cluster: Cluster
  readonly #options: GroupSessionOptions
  readonly #consumer: ConsumerInternals
  readonly coordinator: GroupCoordinator
  #membership: GroupMembership | null = null
  #topics: readonly string[] | RegExp = []
  #listener: RebalanceListener = {}
  /** Per partition, the offset after the last message the application finished with. */
  readonly #consumed = new Map<string, OffsetToCommit>()
  readonly #committed = new Map<string, bigint>()
  #autoCommitTimer: NodeJS.Timeout | undefined
  /** Once closing, a rebalance still finishing must not hand the consumer partitions again. */
  #isClosing = false
  #metadataTimer: NodeJS.Timeout | undefined
  /** What the last (re)join was based on: the topics, and (classic) their partition counts. */
  #fingerprint: string | null = null
  /** A pattern's matching topics, and when they were listed. */
  #matched: { topics: string[]; at: number } | null = null

  constructor(cluster: Cluster, options: GroupSessionOptions, consumer: ConsumerInternals) {
    this.#cluster = cluster
    this.#options = options
    this.#consumer = consumer
    this.coordinator = new GroupCoordinator(cluster, options.groupId)
  }

  get membership(): GroupMembership | null {
    return this.#membership
  }

  subscribe(topics: readonly string[] | RegExp, listener: RebalanceListener): void {
    this.#topics = topics instanceof RegExp ? topics : [...topics]
    this.#listener = listener
    this.#matched = null
    clearInterval(this.#metadataTimer)
    // Topics created or deleted later change what a pattern matches, and partitions added to a topic need
    // assigning (the classic leader's job, which Java's leader does on a metadata change too; a KIP-848 broker
    // sees it itself). Either makes the member rejoin.
    if (topics instanceof RegExp || this.#options.groupProtocol === 'classic') {
      this.#metadataTimer = setInterval(() => void this.#checkMetadata(), this.#options.metadataMaxAgeMs)
      this.#metadataTimer.unref()
    }
    if (this.#membership !== null) {
      this.#membership.subscriptionChanged()
      return
    }
    this.#membership = this.#createMembership()
    this.#membership.start()
    if (this.#options.autoCommit && this.#options.autoCommitIntervalMs > 0) {
      this.#autoCommitTimer = setInterval(() => {
        if (this.#membership?.isRebalancing === true) return
        this.commit().catch(() => undefined) // the next tick, a revoke or close commits again
      }, this.#options.autoCommitIntervalMs)
      this.#autoCommitTimer.unref()
    }
  }

  #createMembership(): GroupMembership {
    const o = this.#options
    if (o.groupProtocol === 'consumer') {
      return new ConsumerProtocolMember(this.#cluster, this.coordinator, this, o)
    }
    const assignors = o.partitionAssignors.map((name) => assignorNamed(name) as PartitionAssignor)
    return new ClassicMember(this.#cluster, this.coordinator, this, { ...o, assignors })
  }

  markConsumed(message: ConsumerMessage): void {
    if (!this.#consumer.isAssigned(message.topic, message.partition)) return
    this.#consumed.set(partitionKeyOf(message), {
      topic: message.topic,
      partition: message.partition,
      offset: message.offset + 1n,
      leaderEpoch: message.leaderEpoch,
    })
  }

  /** Commits `offsets`, or what the application has consumed and not committed yet. */
  async commit(offsets?: readonly OffsetToCommit[], only?: readonly TopicPartition[]): Promise<void> {
    const membership = this.#membership
    if (membership === null) throw new SamsaError(SamsaErrorCode.INVALID_ARGUMENT, 'commit() needs subscribe() first')
    const keep = only === undefined ? null : new Set(only.map(partitionKeyOf))
    const toCommit =
      offsets ??
      [...this.#consumed.values()].filter(
        (o) => (keep === null || keep.has(partitionKeyOf(o))) && this.#committed.get(partitionKeyOf(o)) !== o.offset,
      )
    if (toCommit.length === 0) return
    // A commit whose answer was lost (request.timeout.ms) is retried until default.api.timeout.ms, as in Java.
    const deadline = Date.now() + this.#options.defaultApiTimeoutMs
    await this.#cluster.retrying(deadline, () => commitOffsets(this.coordinator, toCommit, membership.commitIdentity()))
    for (const o of toCommit) this.#committed.set(partitionKeyOf(o), o.offset)
  }

  async subscribedTopics(): Promise<string[]> {
    let topics: string[]
    if (!(this.#topics instanceof RegExp)) topics = [...this.#topics]
    else {
      const fresh = this.#matched !== null && Date.now() - this.#matched.at < this.#options.metadataMaxAgeMs
      topics = fresh ? [...this.#matched!.topics] : await this.#matchPattern(this.#topics)
    }
    if (this.#options.groupProtocol === 'classic') await this.#cluster.refreshMetadata(topics)
    // What this (re)join is based on; #checkMetadata rejoins when the cluster no longer looks like this.
    this.#fingerprint = this.#fingerprintOf(topics)
    return topics
  }

  #fingerprintOf(topics: readonly string[]): string {
    const counts = this.#options.groupProtocol === 'classic'
    return topics.map((t) => (counts ? `${t}:${this.#cluster.metadata.partitionCount(t) ?? -1}` : t)).join('\u0000')
  }

  async #matchPattern(pattern: RegExp): Promise<string[]> {
    const all = await this.#cluster.listAllTopics(Date.now() + this.#options.requestTimeoutMs)
    const topics = all
      .filter((t) => !t.isInternal && pattern.test(t.name))
      .map((t) => t.name)
      .sort()
    this.#matched = { topics, at: Date.now() }
    return [...topics]
  }

  async #checkMetadata(): Promise<void> {
    const membership = this.#membership
    if (membership === null || this.#fingerprint === null) return
    try {
      const topics = this.#topics instanceof RegExp ? await this.#matchPattern(this.#topics) : [...this.#topics]
      if (this.#options.groupProtocol === 'classic') await this.#cluster.refreshMetadata(topics)
      if (this.#fingerprintOf(topics) !== this.#fingerprint) membership.subscriptionChanged()
    } catch {
      // The next check tries again.
    }
  }

  owned(): TopicPartition[] {
    return this.#consumer.assignment()
  }

  async assigned(partitions: TopicPartition[]): Promise<void> {
    if (this.#isClosing) return
    if (partitions.length > 0) {
      const deadline = Date.now() + this.#options.requestTimeoutMs
      const committed = await this.#cluster.retrying(deadline, () =>
        fetchCommittedOffsets(this.coordinator, partitions),
      )
      if (this.#isClosing) return
      const startAt = new Map(committed.filter((c) => c.offset >= 0n).map((c) => [partitionKeyOf(c), c.offset]))
      this.#consumer.addPartitions(
        partitions.map((p) => {
          const offset = startAt.get(partitionKeyOf(p))
          if (offset !== undefined) this.#committed.set(partitionKeyOf(p), offset)
          return offset === undefined ? p : { ...p, offset }
        }),
      )
    }
    await this.#callListener('onPartitionsAssigned', partitions)
  }

  async revoked(partitions: TopicPartition[], waitForHandler = true): Promise<void> {
    this.#consumer.stopDelivering(partitions)
    const busy = waitForHandler ? this.#consumer.deliveryInProgress() : null
    if (busy !== null && partitions.some((p) => p.topic === busy.topic && p.partition === busy.partition)) {
      await Promise.race([busy.done.catch(() => undefined), delay(this.#options.rebalanceTimeoutMs)])
    }
    if (this.#options.autoCommit) {
      await this.commit(undefined, partitions).catch(() => undefined)
    }
    await this.#callListener('onPartitionsRevoked', partitions)
    this.#drop(partitions)
  }

  async lost(partitions: TopicPartition[]): Promise<void> {
    await this.#callListener('onPartitionsLost', partitions)
    this.#drop(partitions)
  }

  failed(error: unknown): void {
    this.#consumer.fail(error)
  }

  /** Commits what was consumed (with auto commit), then leaves the group. */
  async close(): Promise<void> {
    try {
      await this.unsubscribe()
    } finally {
      await this.coordinator.close()
    }
  }

  /** Gives up every partition (committing with auto commit) and leaves the group; subscribe() may follow. */
  async unsubscribe(): Promise<void> {
    clearInterval(this.#autoCommitTimer)
    clearInterval(this.#metadataTimer)
    const membership = this.#membership
    if (membership === null) return
    this.#isClosing = true
    try {
      const owned = this.owned()
      // This may be called from inside a handler, so it does not wait for the handler; that message is not
      // committed and is delivered again after a restart (at least once).
      if (owned.length > 0) await this.revoked(owned, false)
    } finally {
      await membership.leave()
      this.#membership = null
      this.#fingerprint = null
      this.#isClosing = false
    }
  }

  #drop(partitions: readonly TopicPartition[]): void {
    for (const p of partitions) {
      this.#consumed.delete(partitionKeyOf(p))
      this.#committed.delete(partitionKeyOf(p))
    }
    this.#consumer.removePartitions(partitions)
  }

  async #callListener(name: keyof RebalanceListener, partitions: TopicPartition[]): Promise<void> {
    try {
      await this.#listener[name]?.(partitions)
    } catch (error) {
      // Java logs and carries on; here the application sees it from its next read.
      this.#consumer.fail(error)
    }
  }
}
