// The partitions a consumer reads and where it is in each: the position (the next offset to hand to the
// application), whether it is paused, and whether its position must first be reset (no offset given, or the
// offset fell out of range). assign() is the only way partitions arrive today; group membership (classic and
// KIP-848) will call the same assign() with what the coordinator hands out, so the fetcher needs no change.

import type { TopicPartition } from '../cluster/sharding.ts'

export interface PartitionState extends TopicPartition {
  /** Next offset to deliver; null until reset by auto.offset.reset. */
  position: bigint | null
  isPaused: boolean
  /** No fetch for this partition before this time (back-off after an error). */
  retryAt: number
  /** Bumped on every seek/assign, so answers to fetches sent before it are dropped. */
  generation: number
  /** The high watermark of the last fetch answer (consumer lag = highWatermark − position). */
  highWatermark: bigint
  /** The last stable offset of the last fetch answer (-1n until one arrived); read_committed lag counts to it. */
  lastStableOffset: bigint
}

export const partitionKey = (topic: string, partition: number): string => `${partition}:${topic}`

export class SubscriptionState {
  readonly #partitions = new Map<string, PartitionState>()
  #generation = 0

  /** Replaces the assignment. Partitions that stay keep their position unless an offset is given. */
  assign(partitions: readonly (TopicPartition & { offset?: bigint })[]): void {
    const next = new Map<string, PartitionState>()
    for (const p of partitions) {
      const key = partitionKey(p.topic, p.partition)
      const kept = this.#partitions.get(key)
      const state: PartitionState = kept ?? {
        topic: p.topic,
        partition: p.partition,
        position: null,
        isPaused: false,
        retryAt: 0,
        generation: 0,
        highWatermark: -1n,
        lastStableOffset: -1n,
      }
      if (p.offset !== undefined) this.#seek(state, p.offset)
      next.set(key, state)
    }
    this.#partitions.clear()
    for (const [key, state] of next) this.#partitions.set(key, state)
  }

  get(topic: string, partition: number): PartitionState | undefined {
    return this.#partitions.get(partitionKey(topic, partition))
  }

  all(): PartitionState[] {
    return [...this.#partitions.values()]
  }

  seek(topic: string, partition: number, offset: bigint): boolean {
    const state = this.get(topic, partition)
    if (state === undefined) return false
    this.#seek(state, offset)
    return true
  }

  /** Forgets the position so auto.offset.reset decides it again. */
  requestReset(state: PartitionState): void {
    state.position = null
    state.generation = ++this.#generation
  }

  setPaused(partitions: readonly TopicPartition[], isPaused: boolean): void {
    for (const p of partitions) {
      const state = this.get(p.topic, p.partition)
      if (state !== undefined) state.isPaused = isPaused
    }
  }

  /** Partitions a fetch may include now. */
  fetchable(now: number): PartitionState[] {
    return this.all().filter((s) => s.position !== null && !s.isPaused && s.retryAt <= now)
  }

  /** Partitions waiting for auto.offset.reset. */
  needingReset(): PartitionState[] {
    return this.all().filter((s) => s.position === null)
  }

  #seek(state: PartitionState, offset: bigint): void {
    state.position = offset
    state.retryAt = 0
    state.generation = ++this.#generation
  }
}
