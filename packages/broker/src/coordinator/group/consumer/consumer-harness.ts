// Test support for the consumer group tests: a fake clock and Timers, a mutable TopicsImage, and a fake runtime
// that runs each operation the way coordinator/runtime does: it encodes every record with the real
// __consumer_offsets codecs, decodes it again and replays it, before the next operation runs. `Client` plays a
// well-behaved KIP-848 consumer: it owns exactly what its last response assigned.

import {
  ConsumerGroupHeartbeat,
  decodeConsumerOffsetsKey,
  decodeConsumerOffsetsValue,
  encodeConsumerOffsetsKey,
  encodeConsumerOffsetsValue,
  type ConsumerGroupHeartbeatRequest,
  type ConsumerGroupHeartbeatResponse,
} from '@samsa/protocol'
import { defaultServerAssignors } from '../assignors/index.ts'
import type { CoordinatorResult, GroupConfigs, GroupRecord, Timers, TopicsImage, TopicView } from '../types.ts'
import { ConsumerGroups } from './consumer-groups.ts'

export class FakeTimers implements Timers {
  now = 0
  readonly pending = new Map<string, { due: number; fire: (now: number) => CoordinatorResult<void> }>()

  schedule(key: string, delayMs: number, fire: (now: number) => CoordinatorResult<void>): void {
    this.pending.set(key, { due: this.now + delayMs, fire })
  }

  cancel(key: string): void {
    this.pending.delete(key)
  }
}

export class FakeTopics implements TopicsImage {
  private readonly topics = new Map<string, TopicView>()
  private nextId = 1

  create(name: string, partitions: number): TopicView {
    const topic = { name, topicId: Buffer.alloc(16, this.nextId++).toString('base64url'), partitions }
    this.topics.set(name, topic)
    return topic
  }

  /** More partitions for an existing topic (its id stays). */
  grow(name: string, partitions: number): void {
    const topic = this.topics.get(name)
    if (topic !== undefined) this.topics.set(name, { ...topic, partitions })
  }

  delete(name: string): void {
    this.topics.delete(name)
  }

  id(name: string): string {
    const topic = this.topics.get(name)
    if (topic === undefined) throw new Error(`no topic ${name}`)
    return topic.topicId
  }

  byName(name: string): TopicView | undefined {
    return this.topics.get(name)
  }

  byId(topicId: string): TopicView | undefined {
    return [...this.topics.values()].find((t) => t.topicId === topicId)
  }

  all(): Iterable<TopicView> {
    return this.topics.values()
  }
}

export const testConfigs: GroupConfigs = {
  'group.initial.rebalance.delay.ms': 3000,
  'group.min.session.timeout.ms': 6000,
  'group.max.session.timeout.ms': 1_800_000,
  'group.max.size': 100,
  'group.consumer.session.timeout.ms': 45_000,
  'group.consumer.heartbeat.interval.ms': 5000,
  'group.consumer.max.size': 3,
  'group.consumer.assignors': ['uniform', 'range'],
  'offsets.retention.minutes': 10_080,
}

export type HeartbeatInput = Partial<ConsumerGroupHeartbeatRequest> & { memberId: string; memberEpoch: number }

export class Coordinator {
  readonly timers = new FakeTimers()
  readonly topics = new FakeTopics()
  /** Every record appended so far, as decoded from its encoding. */
  readonly log: GroupRecord[] = []
  readonly groups: ConsumerGroups
  readonly configs: GroupConfigs
  private memberIds = 0

  constructor(configs: GroupConfigs = testConfigs) {
    this.configs = configs
    this.groups = this.newManager()
  }

  newManager(): ConsumerGroups {
    return new ConsumerGroups({
      timers: this.timers,
      configs: () => this.configs,
      topics: () => this.topics,
      assignors: defaultServerAssignors,
      newMemberId: () => `generated-${++this.memberIds}`,
    })
  }

  /** Appends the records (through the codecs) and replays them, as the runtime does; returns the response. */
  run<T>(result: CoordinatorResult<T>): T {
    for (const record of result.records) {
      const key = encodeConsumerOffsetsKey(record.type, record.key as never)
      const value = encodeConsumerOffsetsValue(record.type, record.value as never)
      const decodedKey = decodeConsumerOffsetsKey(key)
      if (decodedKey.type === 'unknown') throw new Error('record type lost in encoding')
      const decoded = {
        type: decodedKey.type,
        key: decodedKey.key,
        value: decodeConsumerOffsetsValue(decodedKey.type, value)?.value ?? null,
      } as GroupRecord
      this.log.push(decoded)
      this.groups.replay(decoded)
    }
    return result.response
  }

  heartbeat(input: HeartbeatInput, groupId = 'g', apiVersion = 1): ConsumerGroupHeartbeatResponse {
    const req = ConsumerGroupHeartbeat.request.make({ groupId, ...input })
    const client = { clientId: `client-${input.memberId}`, clientHost: '/127.0.0.1' }
    return this.run(this.groups.heartbeat(req, apiVersion, this.timers.now, client))
  }

  /** Moves the clock, firing due timers in order as operations of the shard. */
  advance(ms: number): void {
    const until = this.timers.now + ms
    for (;;) {
      const next = [...this.timers.pending].filter(([, t]) => t.due <= until).sort(([, a], [, b]) => a.due - b.due)[0]
      if (next === undefined) break
      const [key, timer] = next
      this.timers.pending.delete(key)
      this.timers.now = timer.due
      this.run(timer.fire(timer.due))
    }
    this.timers.now = until
  }

  /** A fresh manager fed the whole log, as a broker loading the partition after a restart. */
  reloaded(): ConsumerGroups {
    const fresh = this.newManager()
    for (const record of this.log) fresh.replay(record)
    return fresh
  }
}

/** Partitions by topic name, from a response's or a describe's topic-id lists. */
export function byName(
  topics: FakeTopics,
  entries: readonly { topicId: string; partitions: readonly number[] }[] | undefined | null,
): Record<string, number[]> {
  const out: Record<string, number[]> = {}
  for (const { topicId, partitions } of entries ?? []) out[topics.byId(topicId)?.name ?? topicId] = [...partitions]
  return out
}

export interface ClientOptions {
  groupId?: string
  instanceId?: string
  serverAssignor?: string
  rebalanceTimeoutMs?: number
}

/** A KIP-848 consumer that owns exactly what its last response assigned it, and sends it back. */
export class Client {
  epoch = 0
  owned: { topicId: string; partitions: number[] }[] = []
  last: ConsumerGroupHeartbeatResponse | undefined
  readonly coordinator: Coordinator
  readonly memberId: string
  readonly options: ClientOptions

  constructor(coordinator: Coordinator, memberId: string, options: ClientOptions = {}) {
    this.coordinator = coordinator
    this.memberId = memberId
    this.options = options
  }

  join(subscription: { topics?: string[]; regex?: string }): ConsumerGroupHeartbeatResponse {
    this.epoch = 0
    this.owned = []
    return this.send({
      subscribedTopicNames: subscription.topics ?? null,
      subscribedTopicRegex: subscription.regex ?? null,
      rebalanceTimeoutMs: this.options.rebalanceTimeoutMs ?? 30_000,
      serverAssignor: this.options.serverAssignor ?? null,
      topicPartitions: [],
    })
  }

  beat(): ConsumerGroupHeartbeatResponse {
    return this.send({ topicPartitions: this.owned })
  }

  leave(epoch = -1): ConsumerGroupHeartbeatResponse {
    return this.send({ memberEpoch: epoch })
  }

  /** The partitions it owns, by topic name. */
  partitions(): Record<string, number[]> {
    return byName(this.coordinator.topics, this.owned)
  }

  private send(fields: Partial<ConsumerGroupHeartbeatRequest>): ConsumerGroupHeartbeatResponse {
    const res = this.coordinator.heartbeat(
      { memberId: this.memberId, memberEpoch: this.epoch, instanceId: this.options.instanceId ?? null, ...fields },
      this.options.groupId,
    )
    this.last = res
    if (res.errorCode === 0 && res.memberEpoch >= 0) {
      this.epoch = res.memberEpoch
      if (res.assignment !== null) this.owned = res.assignment.topicPartitions.map((t) => ({ ...t }))
    }
    return res
  }
}
