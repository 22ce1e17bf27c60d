// Consumer lag per partition, as the Java consumer's fetch-manager metrics name it: records-lag (now),
// records-lag-avg and records-lag-max (over every sample). A sample is taken whenever a Fetch answer's high
// watermark meets the position: lag = high watermark − position, never below zero. Under read_committed the lag
// counts to the last stable offset instead, as the Java consumer's does: records past it cannot be read yet.

import type { TopicPartition } from '../cluster/sharding.ts'
import { partitionKey } from './subscription-state.ts'

export interface PartitionLagMetrics extends TopicPartition {
  /** The next offset to deliver (null until known). */
  position: bigint | null
  /** From the last Fetch answer; -1n until one arrived. */
  highWatermark: bigint
  /** From the last Fetch answer; -1n until one arrived (or from a broker without Fetch v4). */
  lastStableOffset: bigint
  'records-lag': number | null
  'records-lag-avg': number | null
  'records-lag-max': number | null
}

export interface ConsumerMetrics {
  /** The largest current lag over the assigned partitions. */
  'records-lag-max': number | null
  'records-consumed-total': number
  partitions: PartitionLagMetrics[]
}

interface LogEnd {
  highWatermark: bigint
  lastStableOffset: bigint
}

interface LagSamples {
  count: number
  sum: number
  max: number
}

export class LagMetrics {
  readonly #samples = new Map<string, LagSamples>()
  readonly #isReadCommitted: boolean
  #recordsConsumed = 0

  constructor(isReadCommitted = false) {
    this.#isReadCommitted = isReadCommitted
  }

  record(end: LogEnd & TopicPartition, position: bigint, records: number): void {
    this.#recordsConsumed += records
    const lag = this.#lag(end, position)
    if (lag === null) return
    const key = partitionKey(end.topic, end.partition)
    const samples = this.#samples.get(key) ?? { count: 0, sum: 0, max: 0 }
    samples.count++
    samples.sum += lag
    samples.max = Math.max(samples.max, lag)
    this.#samples.set(key, samples)
  }

  /** Drops the history of partitions no longer assigned. */
  forget(partitions: readonly TopicPartition[]): void {
    for (const p of partitions) this.#samples.delete(partitionKey(p.topic, p.partition))
  }

  snapshot(partitions: readonly (TopicPartition & LogEnd & { position: bigint | null })[]): ConsumerMetrics {
    const out = partitions.map((p): PartitionLagMetrics => {
      const samples = this.#samples.get(partitionKey(p.topic, p.partition))
      const lag = p.position === null ? null : this.#lag(p, p.position)
      return {
        topic: p.topic,
        partition: p.partition,
        position: p.position,
        highWatermark: p.highWatermark,
        lastStableOffset: p.lastStableOffset,
        'records-lag': lag,
        'records-lag-avg': samples === undefined ? null : samples.sum / samples.count,
        'records-lag-max': samples === undefined ? null : samples.max,
      }
    })
    const lags = out.flatMap((p) => (p['records-lag'] === null ? [] : [p['records-lag']]))
    return {
      'records-lag-max': lags.length === 0 ? null : Math.max(...lags),
      'records-consumed-total': this.#recordsConsumed,
      partitions: out,
    }
  }

  /** How far the position is behind what can be read: the LSO under read_committed, else the high watermark. */
  #lag(end: LogEnd, position: bigint): number | null {
    const readable = this.#isReadCommitted && end.lastStableOffset >= 0n ? end.lastStableOffset : end.highWatermark
    if (readable < 0n) return null
    return Number(readable > position ? readable - position : 0n)
  }
}
