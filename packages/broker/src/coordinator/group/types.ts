// The contract between the group coordinator's state machines and the runtime that drives them
// (coordinator/runtime). It follows Kafka's new group coordinator (KIP-848's GroupCoordinatorShard):
//
// - One shard per `__consumer_offsets` partition owns the groups that hash to it. Every operation on a shard runs
//   alone (the runtime serializes them), with the current time passed in: nothing here reads a clock.
// - An operation does not change persisted state itself. It returns the records that describe the change; the
//   runtime appends them to the shard's partition and then hands each one to `replay`, which is the only code that
//   changes persisted state. Loading a shard at start-up is replaying its partition from the beginning, so a
//   broker restart rebuilds exactly what the records say.
// - Classic groups also have transient state that Kafka never writes down (members waiting in JoinGroup, the
//   rebalance timer): operations change that directly, as Kafka's ClassicGroup does. Their persisted part (the
//   GroupMetadata record written when a generation's assignment is stored, or when the group empties) still goes
//   through records and replay, and replaying a record the operation just produced must leave the group as it is.
// - Responses that must wait (a JoinGroup held until the rebalance completes, a SyncGroup follower waiting for
//   its leader) are delivered through `reply` callbacks. Anything delivered in `then` runs only after the
//   records of the same result are durable, so no client hears of a state that a crash could take back.
// - Timers (session expiry, rebalance timeouts, the initial rebalance delay) are requested through `Timers`;
//   when one fires, the runtime runs its callback as an operation of the same shard, with the time of firing.

import type { ConsumerOffsetsRecordMap, ConsumerOffsetsRecordType } from '@samsa/protocol'

/** A typed `__consumer_offsets` record; a null value is a tombstone (the key is deleted). */
export type GroupRecord = {
  [K in ConsumerOffsetsRecordType]: {
    type: K
    key: ConsumerOffsetsRecordMap[K]['key']
    value: ConsumerOffsetsRecordMap[K]['value'] | null
  }
}[ConsumerOffsetsRecordType]

/** What an operation produced: records to make durable, then what to do once they are. */
export interface CoordinatorResult<T = void> {
  records: GroupRecord[]
  /** The answer to the request that ran the operation (sent after the records are durable). */
  response: T
  /** Deliveries to other waiting requests (held JoinGroups, waiting SyncGroups), run after the records are durable. */
  then?: (() => void)[]
}

/** Timers keyed by name; scheduling a key again replaces the earlier timer of that key. */
export interface Timers {
  /** Runs `fire(now)` as an operation of this shard after `delayMs`; its result is appended like any other. */
  schedule(key: string, delayMs: number, fire: (now: number) => CoordinatorResult<void>): void
  cancel(key: string): void
}

/** What the coordinator knows of a topic (for assignors, regex subscriptions and offset clean-up). */
export interface TopicView {
  name: string
  topicId: string
  partitions: number
}

/** The cluster's topics as the coordinator sees them at the time of the operation. */
export interface TopicsImage {
  byName(name: string): TopicView | undefined
  byId(topicId: string): TopicView | undefined
  all(): Iterable<TopicView>
}

/** The broker configs the group coordinator follows (Kafka's names, resolved once per operation). */
export interface GroupConfigs {
  'group.initial.rebalance.delay.ms': number
  'group.min.session.timeout.ms': number
  'group.max.session.timeout.ms': number
  'group.max.size': number
  'group.consumer.session.timeout.ms': number
  'group.consumer.heartbeat.interval.ms': number
  'group.consumer.max.size': number
  /** Server-side assignors by name, the first being the default ('uniform', 'range'). */
  'group.consumer.assignors': readonly string[]
  'offsets.retention.minutes': number
}

/** Kafka's group states as ListGroups/DescribeGroups spell them. */
export const ClassicGroupState = {
  Empty: 'Empty',
  PreparingRebalance: 'PreparingRebalance',
  CompletingRebalance: 'CompletingRebalance',
  Stable: 'Stable',
  Dead: 'Dead',
} as const
export type ClassicGroupState = (typeof ClassicGroupState)[keyof typeof ClassicGroupState]

export const ConsumerGroupState = {
  Empty: 'Empty',
  Assigning: 'Assigning',
  Reconciling: 'Reconciling',
  Stable: 'Stable',
  Dead: 'Dead',
} as const
export type ConsumerGroupState = (typeof ConsumerGroupState)[keyof typeof ConsumerGroupState]

/** One row of ListGroups. */
export interface GroupListing {
  groupId: string
  protocolType: string
  groupState: string
  /** 'classic' or 'consumer' (ListGroups v5, KIP-848). */
  groupType: 'classic' | 'consumer'
}
