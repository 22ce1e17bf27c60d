// Choosing a partition for a record. An explicit partition wins; otherwise the configured partitioner decides,
// and the default one follows Kafka's Java client: keyed records go to toPositive(murmur2(key)) % numPartitions
// (over all partitions, available or not, so a key's partition never moves while the count stays the same), and
// keyless records stick to one partition until its batch is closed, then move to another (KIP-480). Sticking fills
// batches faster than round-robin, which lowers latency at the same linger.ms.

import { keyPartition } from './murmur2.ts'

export interface PartitionerArgs {
  topic: string
  key: Buffer | null
  value: Buffer | null
  numPartitions: number
  /** Partitions whose leader is known right now. */
  availablePartitions: readonly number[]
}

/** A custom partitioner returns a partition in [0, numPartitions). */
export type Partitioner = (args: PartitionerArgs) => number

export class StickyPartitionCache {
  readonly #sticky = new Map<string, number>()
  readonly #random: () => number

  constructor(random: () => number = Math.random) {
    this.#random = random
  }

  partition(topic: string, numPartitions: number, available: readonly number[]): number {
    const current = this.#sticky.get(topic)
    if (current !== undefined && current < numPartitions) return current
    return this.#choose(topic, numPartitions, available, -1)
  }

  /** Called when the batch of `closedPartition` closes: the topic's next keyless records go elsewhere. */
  onBatchClosed(topic: string, closedPartition: number, numPartitions: number, available: readonly number[]): void {
    if (this.#sticky.get(topic) !== closedPartition) return
    this.#choose(topic, numPartitions, available, closedPartition)
  }

  #choose(topic: string, numPartitions: number, available: readonly number[], previous: number): number {
    const pool = available.length > 0 ? available : Array.from({ length: numPartitions }, (_, i) => i)
    const others = pool.length > 1 ? pool.filter((p) => p !== previous) : pool
    const next = others[Math.floor(this.#random() * others.length)] as number
    this.#sticky.set(topic, next)
    return next
  }
}

/** The default partitioner's choice for a record without an explicit partition. */
export function defaultPartition(args: PartitionerArgs, sticky: StickyPartitionCache): number {
  if (args.key !== null) return keyPartition(args.key, args.numPartitions)
  return sticky.partition(args.topic, args.numPartitions, args.availablePartitions)
}
