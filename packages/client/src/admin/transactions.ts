// Transactions and producers (KIP-664, what kafka-transactions.sh shows): DescribeProducers asks each partition's
// leader for the producer state its log keeps, DescribeTransactions asks each transactional id's coordinator
// (FindCoordinator key type 1) for the transaction's state, and ListTransactions asks every broker for the
// transactions it coordinates (with KIP-994's duration filter from v1).

import {
  DescribeProducers,
  DescribeTransactions,
  ErrorCode,
  ListTransactions,
  type DescribeTransactionsResponse,
} from '@samsa/protocol'
import type { Cluster } from '../cluster/cluster.ts'
import { shardByLeader, throwIfAny, type ShardOutcome, type TopicPartition } from '../cluster/sharding.ts'
import { KafkaProtocolError, SamsaError, SamsaErrorCode } from '../errors.ts'
import { isCoordinatorMovedError } from '../group/coordinator.ts'
import { groupByTopic } from '../group/membership.ts'
import { checkList, invalidArgument, requireName } from './arguments.ts'
import { CoordinatorKeyType, onEveryBroker, withCoordinator } from './routing.ts'

/** Kafka's transaction states (TransactionState in its admin client). */
export const TRANSACTION_STATES = [
  'Empty',
  'Ongoing',
  'PrepareCommit',
  'PrepareAbort',
  'CompleteCommit',
  'CompleteAbort',
  'Dead',
  'PrepareEpochFence',
] as const
export type TransactionStateName = (typeof TRANSACTION_STATES)[number]

export interface ProducerState {
  producerId: bigint
  producerEpoch: number
  /** -1 before the producer's first batch to the partition. */
  lastSequence: number
  lastTimestamp: bigint
  /** null when the leader has not seen a transaction marker from the producer's coordinator. */
  coordinatorEpoch: number | null
  /** The offset of the producer's first batch in its open transaction; null without one. */
  currentTransactionStartOffset: bigint | null
}

export interface PartitionProducers extends TopicPartition {
  activeProducers: ProducerState[]
}

export interface TransactionDescription {
  transactionalId: string
  /** The broker coordinating the transactional id. */
  coordinatorId: number
  /** A Kafka state name (see TRANSACTION_STATES); newer brokers may add states. */
  state: string
  producerId: bigint
  producerEpoch: number
  transactionTimeoutMs: number
  /** When the current transaction started (ms); null outside a transaction. */
  transactionStartTimeMs: number | null
  /** The partitions enlisted in the current transaction. */
  topicPartitions: TopicPartition[]
}

export interface TransactionListing {
  transactionalId: string
  producerId: bigint
  state: string
  /** The broker that answered for it: its coordinator. */
  coordinatorId: number
}

export interface ListTransactionsFilter {
  /** Only transactions in these states. */
  states?: readonly TransactionStateName[]
  /** Only transactions of these producer ids. */
  producerIds?: readonly bigint[]
  /** Only transactions running for longer than this (ListTransactions v1+, KIP-994). */
  durationFilterMs?: number
}

/** Per partition, the producers its leader keeps state for (idempotent and transactional ones). */
export async function describeProducersOn(
  cluster: Cluster,
  partitions: readonly TopicPartition[],
  deadline: number,
): Promise<PartitionProducers[]> {
  checkList('partitions', partitions)
  partitions.forEach((p, i) => {
    if (typeof p?.topic !== 'string' || p.topic === '')
      throw invalidArgument(`partitions[${i}].topic must be a topic name`)
    if (!Number.isInteger(p.partition) || p.partition < 0) {
      throw invalidArgument(`partitions[${i}].partition must be a partition number`)
    }
  })
  return shardByLeader(cluster, partitions, deadline, async (connection, shard) => {
    const { response, version } = await connection.request(DescribeProducers, () =>
      DescribeProducers.request.make({
        topics: groupByTopic(shard).map(({ topic, partitions }) => ({ name: topic, partitionIndexes: partitions })),
      }),
    )
    return shard.map((p): ShardOutcome<PartitionProducers> => {
      const answer = response.topics
        .find((t) => t.name === p.topic)
        ?.partitions.find((x) => x.partitionIndex === p.partition)
      const errorCode = answer?.errorCode ?? ErrorCode.UNKNOWN_SERVER_ERROR
      if (answer === undefined || errorCode !== ErrorCode.NONE) {
        const error = new KafkaProtocolError({
          errorCode,
          apiKey: DescribeProducers.key,
          apiVersion: version,
          topic: p.topic,
          partition: p.partition,
          brokerMessage: answer?.errorMessage ?? null,
        })
        return { error }
      }
      return {
        result: {
          topic: p.topic,
          partition: p.partition,
          activeProducers: answer.activeProducers.map((s) => ({
            producerId: s.producerId,
            producerEpoch: s.producerEpoch,
            lastSequence: s.lastSequence,
            lastTimestamp: s.lastTimestamp,
            coordinatorEpoch: s.coordinatorEpoch < 0 ? null : s.coordinatorEpoch,
            currentTransactionStartOffset: s.currentTxnStartOffset < 0n ? null : s.currentTxnStartOffset,
          })),
        },
      }
    })
  })
}

/** One transactional id, asked of its coordinator; a coordinator that moved is looked up again. */
function describeTransaction(
  cluster: Cluster,
  transactionalId: string,
  deadline: number,
): Promise<TransactionDescription> {
  return withCoordinator(cluster, transactionalId, CoordinatorKeyType.TRANSACTION, deadline, async (coordinator) => {
    const stateOf = (r: DescribeTransactionsResponse) =>
      r.transactionStates.find((s) => s.transactionalId === transactionalId)
    const { response, version } = await coordinator.request(
      DescribeTransactions,
      () => DescribeTransactions.request.make({ transactionalIds: [transactionalId] }),
      {
        errorCodeOf: (r) => {
          const errorCode = stateOf(r)?.errorCode ?? ErrorCode.NONE
          return isCoordinatorMovedError(errorCode) ? errorCode : ErrorCode.NONE
        },
      },
    )
    const state = stateOf(response)
    const errorCode = state?.errorCode ?? ErrorCode.UNKNOWN_SERVER_ERROR
    if (state === undefined || errorCode !== ErrorCode.NONE) {
      throw new KafkaProtocolError({
        errorCode,
        apiKey: DescribeTransactions.key,
        apiVersion: version,
        brokerMessage: `transactional.id ${transactionalId}`,
      })
    }
    const connection = await coordinator.connection()
    return {
      transactionalId,
      coordinatorId: connection.nodeId,
      state: state.transactionState,
      producerId: state.producerId,
      producerEpoch: state.producerEpoch,
      transactionTimeoutMs: state.transactionTimeoutMs,
      transactionStartTimeMs: state.transactionStartTimeMs < 0n ? null : Number(state.transactionStartTimeMs),
      topicPartitions: state.topics.flatMap((t) => t.partitions.map((partition) => ({ topic: t.topic, partition }))),
    }
  })
}

/** Each id is asked of its own coordinator, in parallel; every failure is reported (several: AggregateError). */
export async function describeTransactionsOn(
  cluster: Cluster,
  transactionalIds: readonly string[],
  deadline: number,
): Promise<TransactionDescription[]> {
  checkList('transactionalIds', transactionalIds)
  transactionalIds.forEach((id, i) => requireName(`transactionalIds[${i}]`, id))
  const settled = await Promise.allSettled(transactionalIds.map((id) => describeTransaction(cluster, id, deadline)))
  throwIfAny(
    settled.flatMap((s) => (s.status === 'rejected' ? [s.reason as unknown] : [])),
    'transactional ids',
  )
  return settled.map((s) => (s as PromiseFulfilledResult<TransactionDescription>).value)
}

function checkFilter(filter: ListTransactionsFilter): void {
  filter.states?.forEach((s, i) => {
    if (!(TRANSACTION_STATES as readonly string[]).includes(s)) {
      throw invalidArgument(`states[${i}] must be one of ${TRANSACTION_STATES.join(', ')}, got ${JSON.stringify(s)}`)
    }
  })
  filter.producerIds?.forEach((id, i) => {
    if (typeof id !== 'bigint' || id < 0n) throw invalidArgument(`producerIds[${i}] must be a non-negative bigint`)
  })
  const duration = filter.durationFilterMs
  if (duration !== undefined && (!Number.isSafeInteger(duration) || duration < 0)) {
    throw invalidArgument(`durationFilterMs must be a non-negative integer, got ${String(duration)}`)
  }
}

/** The transactions every broker coordinates, merged. */
export async function listTransactionsOn(
  cluster: Cluster,
  filter: ListTransactionsFilter,
  deadline: number,
): Promise<TransactionListing[]> {
  checkFilter(filter)
  const durationFilter = filter.durationFilterMs === undefined ? -1n : BigInt(filter.durationFilterMs)
  const perBroker = await onEveryBroker(cluster, deadline, async (connection) => {
    const { response, version } = await connection.request(ListTransactions, (v) => {
      // v0 has no durationFilter; sending the request without it would list transactions the caller excluded.
      if (v < 1 && durationFilter >= 0n) {
        throw new SamsaError(
          SamsaErrorCode.UNSUPPORTED_VERSION,
          `broker ${connection.nodeId} (${connection.host}:${connection.port}) speaks ListTransactions v${v}; ` +
            'durationFilterMs needs v1 (KIP-994)',
        )
      }
      return ListTransactions.request.make({
        stateFilters: [...(filter.states ?? [])],
        producerIdFilters: [...(filter.producerIds ?? [])],
        durationFilter,
      })
    })
    if (response.errorCode !== ErrorCode.NONE) {
      throw new KafkaProtocolError({
        errorCode: response.errorCode,
        apiKey: ListTransactions.key,
        apiVersion: version,
        brokerMessage: `broker ${connection.nodeId}`,
      })
    }
    return response.transactionStates.map((t) => ({
      transactionalId: t.transactionalId,
      producerId: t.producerId,
      state: t.transactionState,
      coordinatorId: connection.nodeId,
    }))
  })
  return perBroker.flat()
}
