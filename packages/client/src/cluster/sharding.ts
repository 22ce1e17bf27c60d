// Multi-partition requests are split per partition leader and the answers merged (franz-go's sharder): each shard
// is one request to one broker, sent in parallel. Partitions whose answer says the metadata is stale (leader
// moved, topic unknown) are retried after a metadata refresh, with back-off, until the deadline; other failures
// are collected, and more than one surfaces as an AggregateError.

import { isRetriableError, SamsaError, SamsaErrorCode } from '../errors.ts'
import { backoffMs, delay } from '../retry.ts'
import type { BrokerConnection } from './broker-connection.ts'
import type { Cluster } from './cluster.ts'

export interface TopicPartition {
  topic: string
  partition: number
}

/** What one shard reports for one of its items: a result, or an error (retried if retriable). */
export type ShardOutcome<R> = { result: R } | { error: unknown }

export type ShardRequest<I, R> = (connection: BrokerConnection, items: readonly I[]) => Promise<ShardOutcome<R>[]>

/** Runs `send` per leader for `items`; resolves with the results in the order of `items`. */
export async function shardByLeader<I extends TopicPartition, R>(
  cluster: Cluster,
  items: readonly I[],
  deadline: number,
  send: ShardRequest<I, R>,
): Promise<R[]> {
  const results = new Map<I, R>()
  const failures: unknown[] = []
  let pending = [...items]
  for (let attempt = 0; pending.length > 0; attempt++) {
    const retry: I[] = []
    let lastRetriable: unknown
    await cluster.topicMetadata([...new Set(pending.map((i) => i.topic))], deadline)
    const byLeader = new Map<number, I[]>()
    for (const item of pending) {
      const leader = cluster.metadata.leaderOf(item.topic, item.partition)
      if (cluster.metadata.partitionCount(item.topic)! <= item.partition) {
        failures.push(
          new SamsaError(SamsaErrorCode.INVALID_ARGUMENT, `${item.topic} has no partition ${item.partition}`),
        )
        continue
      }
      if (leader < 0) {
        retry.push(item)
        continue
      }
      byLeader.set(leader, [...(byLeader.get(leader) ?? []), item])
    }
    await Promise.all(
      [...byLeader].map(async ([leader, shard]) => {
        let outcomes: ShardOutcome<R>[]
        try {
          outcomes = await send(cluster.broker(leader), shard)
        } catch (error) {
          outcomes = shard.map(() => ({ error }))
        }
        shard.forEach((item, i) => {
          const outcome = outcomes[i] as ShardOutcome<R>
          if ('result' in outcome) results.set(item, outcome.result)
          else if (isRetriableError(outcome.error)) {
            retry.push(item)
            lastRetriable = outcome.error
          } else failures.push(outcome.error)
        })
      }),
    )
    if (retry.length === 0) break
    const wait = backoffMs(attempt, cluster.options)
    if (Date.now() + wait >= deadline || attempt >= cluster.options.retries) {
      const message = `${retry.length} partition(s) still failing at the deadline`
      failures.push(new SamsaError(SamsaErrorCode.TIMEOUT, message, { cause: lastRetriable }))
      break
    }
    await delay(wait)
    await cluster.refreshMetadata().catch(() => undefined)
    pending = retry
  }
  throwIfAny(failures, 'partitions')
  return items.map((i) => results.get(i) as R)
}

/** Throws the single failure as is, several as one AggregateError. */
export function throwIfAny(failures: readonly unknown[], what: string): void {
  if (failures.length === 1) throw failures[0]
  if (failures.length > 1) throw new AggregateError(failures, `${failures.length} ${what} failed`)
}
