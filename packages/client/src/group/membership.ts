// What a group member (classic or KIP-848) needs from the consumer it serves, and what it offers back. The member
// decides which partitions the consumer owns; the consumer fetches, delivers and commits. Heartbeats never wait
// for the application: they run on their own timer, so a slow message handler cannot cost the member its place
// in the group (kafkajs heartbeats only between messages, which makes a slow handler rebalance in a loop).

import type { TopicPartition } from '../cluster/sharding.ts'
import type { CommitIdentity } from './offsets.ts'

export interface MembershipHost {
  /** The topics subscribed to now (a pattern subscription is resolved against the cluster's topics). */
  subscribedTopics(): Promise<string[]>
  /** The partitions the consumer owns now. */
  owned(): TopicPartition[]
  /** New partitions: the consumer starts them from their committed offsets. */
  assigned(partitions: TopicPartition[]): Promise<void>
  /** Partitions given up in an orderly way: the consumer commits them (with auto commit) and drops them. */
  revoked(partitions: TopicPartition[]): Promise<void>
  /** Partitions already owned by someone else (session expired, fenced): dropped without a commit. */
  lost(partitions: TopicPartition[]): Promise<void>
  /** A failure the member cannot recover from (e.g. FENCED_INSTANCE_ID), for the application to see. */
  failed(error: unknown): void
}

export interface GroupMembership {
  readonly memberId: string
  /** The classic generation, or the KIP-848 member epoch. */
  readonly generationId: number
  /** How commits identify this member to the coordinator. */
  commitIdentity(): CommitIdentity
  /** Whether a commit now would race a rebalance (the coordinator would reject or the request would queue). */
  readonly isRebalancing: boolean
  start(): void
  /** The subscription changed: tell the coordinator soon. */
  subscriptionChanged(): void
  /** Stops heartbeating and leaves the group (static members stay, KIP-345). */
  leave(): Promise<void>
}

export function partitionKeyOf(p: TopicPartition): string {
  return `${p.topic}\u0000${p.partition}`
}

/** `a` without the partitions in `b`. */
export function withoutPartitions(a: readonly TopicPartition[], b: readonly TopicPartition[]): TopicPartition[] {
  const drop = new Set(b.map(partitionKeyOf))
  return a.filter((p) => !drop.has(partitionKeyOf(p)))
}

export function groupByTopic(partitions: readonly TopicPartition[]): { topic: string; partitions: number[] }[] {
  const out = new Map<string, number[]>()
  for (const p of partitions) out.set(p.topic, [...(out.get(p.topic) ?? []), p.partition])
  return [...out]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([topic, list]) => ({ topic, partitions: list.sort((x, y) => x - y) }))
}

/** A sleep that something else can cut short. */
export class Wakeable {
  readonly #sleepers = new Set<() => void>()

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer)
        this.#sleepers.delete(done)
        resolve()
      }
      const timer = setTimeout(done, ms)
      this.#sleepers.add(done)
    })
  }

  wake(): void {
    for (const done of [...this.#sleepers]) done()
  }
}
