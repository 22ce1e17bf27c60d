// The transaction coordinator's requests for the transactional producer (transaction-manager.ts holds the state
// machine): InitProducerId, AddPartitionsToTxn (v0-3, the client shape), AddOffsetsToTxn and EndTxn to the
// transaction coordinator (FindCoordinator key type 1), TxnOffsetCommit to the group's coordinator. Each is retried
// until max.block.ms while the answer is retriable (CONCURRENT_TRANSACTIONS, COORDINATOR_LOAD_IN_PROGRESS, and
// NOT_COORDINATOR / COORDINATOR_NOT_AVAILABLE after looking the coordinator up again); anything else is thrown as
// a KafkaProtocolError for the manager to classify as fatal or abortable.

import {
  AddOffsetsToTxn,
  AddPartitionsToTxn,
  EndTxn,
  ErrorCode,
  InitProducerId,
  TxnOffsetCommit,
  type ApiSchema,
} from '@samsa/protocol'
import type { Cluster } from '../cluster/cluster.ts'
import { isKafkaProtocolError, isSamsaError, KafkaProtocolError, SamsaError, SamsaErrorCode } from '../errors.ts'
import { CoordinatorKeyType, GroupCoordinator, isCoordinatorMovedError } from '../group/coordinator.ts'
import type { OffsetToCommit } from '../group/offsets.ts'
import type { IdempotenceState, ProducerIdentity } from './idempotence.ts'

/** Who commits offsets in a transaction: the consumer's groupMetadata(), or just a group id. */
export interface ConsumerGroupMetadata {
  groupId: string | null
  memberId: string
  generationId: number
  groupInstanceId: string | null
}

export interface TxnRequestOptions {
  transactionalId: string
  transactionTimeoutMs: number
  /** How long a request is retried (Java: max.block.ms). */
  maxBlockMs: number
}

/** Errors after which the producer cannot go on (Java's fatal errors). */
export const FATAL: ReadonlySet<number> = new Set([
  ErrorCode.PRODUCER_FENCED,
  ErrorCode.INVALID_PRODUCER_EPOCH,
  ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
  ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
  ErrorCode.INVALID_TXN_STATE,
  ErrorCode.INVALID_TRANSACTION_TIMEOUT,
])

export function isFatal(error: unknown): boolean {
  if (isKafkaProtocolError(error)) return FATAL.has(error.errorCode)
  return isSamsaError(error) && error.code === SamsaErrorCode.UNSUPPORTED_VERSION
}

/** INVALID_PRODUCER_EPOCH is how older API versions say PRODUCER_FENCED (KIP-588); Java reports both as fenced. */
export function asFatal(error: unknown): unknown {
  if (!isKafkaProtocolError(error) || error.errorCode !== ErrorCode.INVALID_PRODUCER_EPOCH) return error
  return new KafkaProtocolError({
    errorCode: ErrorCode.PRODUCER_FENCED,
    apiKey: error.apiKey,
    apiVersion: error.apiVersion,
    ...(error.topic === undefined ? {} : { topic: error.topic }),
    ...(error.partition === undefined ? {} : { partition: error.partition }),
    brokerMessage: 'the broker answered INVALID_PRODUCER_EPOCH: a newer producer with this transactional.id exists',
  })
}

export function illegalState(message: string): SamsaError {
  return new SamsaError(SamsaErrorCode.ILLEGAL_STATE, message)
}

export function partitionKey(topic: string, partition: number): string {
  return `${partition}:${topic}`
}

/** The first non-NONE code of per-partition answers, fatal ones first, then retriable ones (to retry all). */
export function worstCode(codes: readonly number[]): number {
  const failed = codes.filter((c) => c !== ErrorCode.NONE && c !== ErrorCode.OPERATION_NOT_ATTEMPTED)
  return (
    failed.find((c) => FATAL.has(c)) ??
    failed[0] ??
    (codes.includes(ErrorCode.OPERATION_NOT_ATTEMPTED) ? ErrorCode.OPERATION_NOT_ATTEMPTED : ErrorCode.NONE)
  )
}

export class TxnRequests {
  readonly transactionalId: string
  readonly #cluster: Cluster
  readonly #idempotence: IdempotenceState
  readonly #options: TxnRequestOptions
  readonly #coordinator: GroupCoordinator
  readonly #groupCoordinators = new Map<string, GroupCoordinator>()

  constructor(cluster: Cluster, idempotence: IdempotenceState, options: TxnRequestOptions) {
    this.#cluster = cluster
    this.#idempotence = idempotence
    this.#options = options
    this.transactionalId = options.transactionalId
    this.#coordinator = new GroupCoordinator(cluster, options.transactionalId, CoordinatorKeyType.TRANSACTION)
  }

  async close(): Promise<void> {
    await Promise.all([this.#coordinator, ...this.#groupCoordinators.values()].map((c) => c.close()))
  }

  async addPartitions(partitions: readonly { topic: string; partition: number }[]): Promise<void> {
    const topics = new Map<string, number[]>()
    for (const { topic, partition } of partitions) topics.set(topic, [...(topics.get(topic) ?? []), partition])
    await this.#request(AddPartitionsToTxn, (identity) =>
      AddPartitionsToTxn.request.make({
        v3AndBelowTransactionalId: this.transactionalId,
        v3AndBelowProducerId: identity.producerId,
        v3AndBelowProducerEpoch: identity.producerEpoch,
        v3AndBelowTopics: [...topics].map(([name, ids]) => ({ name, partitions: ids })),
      }),
    ).then(({ response, version }) => {
      const answers = response.resultsByTopicV3AndBelow.flatMap((t) =>
        t.resultsByPartition.map((p) => ({ topic: t.name, ...p })),
      )
      const errorCode = worstCode(answers.map((a) => a.partitionErrorCode))
      if (errorCode === ErrorCode.NONE && answers.length > 0) return
      const failed = answers.find((a) => a.partitionErrorCode === errorCode)
      throw new KafkaProtocolError({
        errorCode: errorCode === ErrorCode.NONE ? ErrorCode.UNKNOWN_SERVER_ERROR : errorCode,
        apiKey: AddPartitionsToTxn.key,
        apiVersion: version,
        ...(failed === undefined ? {} : { topic: failed.topic, partition: failed.partitionIndex }),
      })
    })
  }

  async addOffsets(groupId: string): Promise<void> {
    const { response, version } = await this.#request(AddOffsetsToTxn, (identity) =>
      AddOffsetsToTxn.request.make({
        transactionalId: this.transactionalId,
        producerId: identity.producerId,
        producerEpoch: identity.producerEpoch,
        groupId,
      }),
    )
    if (response.errorCode !== ErrorCode.NONE) {
      throw new KafkaProtocolError({ errorCode: response.errorCode, apiKey: AddOffsetsToTxn.key, apiVersion: version })
    }
  }

  async commitOffsets(
    offsets: readonly OffsetToCommit[],
    metadata: ConsumerGroupMetadata,
    groupId: string,
  ): Promise<void> {
    let coordinator = this.#groupCoordinators.get(groupId)
    if (coordinator === undefined) {
      coordinator = new GroupCoordinator(this.#cluster, groupId)
      this.#groupCoordinators.set(groupId, coordinator)
    }
    const topics = new Map<string, OffsetToCommit[]>()
    for (const o of offsets) topics.set(o.topic, [...(topics.get(o.topic) ?? []), o])
    const group = coordinator
    await this.#cluster.retrying(this.#deadline(), async () => {
      const identity = this.#identity()
      const { response, version } = await group.request(TxnOffsetCommit, () =>
        TxnOffsetCommit.request.make({
          transactionalId: this.transactionalId,
          groupId,
          producerId: identity.producerId,
          producerEpoch: identity.producerEpoch,
          generationId: metadata.generationId,
          memberId: metadata.memberId,
          groupInstanceId: metadata.groupInstanceId,
          topics: [...topics].map(([name, list]) => ({
            name,
            partitions: list.map((o) => ({
              partitionIndex: o.partition,
              committedOffset: o.offset,
              committedLeaderEpoch: o.leaderEpoch ?? -1,
              committedMetadata: o.metadata ?? null,
            })),
          })),
        }),
      )
      const answers = response.topics.flatMap((t) => t.partitions.map((p) => ({ topic: t.name, ...p })))
      const errorCode = worstCode(answers.map((a) => a.errorCode))
      if (errorCode === ErrorCode.NONE) return
      const failed = answers.find((a) => a.errorCode === errorCode)
      const error = new KafkaProtocolError({
        errorCode,
        apiKey: TxnOffsetCommit.key,
        apiVersion: version,
        ...(failed === undefined ? {} : { topic: failed.topic, partition: failed.partitionIndex }),
      })
      if (isCoordinatorMovedError(errorCode)) group.markUnknown()
      throw error
    })
  }

  async endTxn(commit: boolean): Promise<void> {
    const { response, version } = await this.#request(EndTxn, (identity) =>
      EndTxn.request.make({
        transactionalId: this.transactionalId,
        producerId: identity.producerId,
        producerEpoch: identity.producerEpoch,
        committed: commit,
      }),
    )
    if (response.errorCode !== ErrorCode.NONE) {
      throw new KafkaProtocolError({ errorCode: response.errorCode, apiKey: EndTxn.key, apiVersion: version })
    }
  }

  /** InitProducerId for the transactional id; `current` asks to bump that producer's epoch (KIP-360, v3+). */
  async initProducerId(current: ProducerIdentity | null): Promise<ProducerIdentity> {
    const { response, version } = await this.#request(
      InitProducerId,
      () =>
        InitProducerId.request.make({
          transactionalId: this.transactionalId,
          transactionTimeoutMs: this.#options.transactionTimeoutMs,
          producerId: current?.producerId ?? -1n,
          producerEpoch: current?.producerEpoch ?? -1,
        }),
      { needsIdentity: false, minVersion: current === null ? 0 : 3 },
    )
    if (response.errorCode !== ErrorCode.NONE) {
      throw new KafkaProtocolError({ errorCode: response.errorCode, apiKey: InitProducerId.key, apiVersion: version })
    }
    return { producerId: response.producerId, producerEpoch: response.producerEpoch }
  }

  /**
   * One request to the transaction coordinator, retried until max.block.ms while the answer is retriable
   * (CONCURRENT_TRANSACTIONS, COORDINATOR_LOAD_IN_PROGRESS; NOT_COORDINATOR and COORDINATOR_NOT_AVAILABLE look the
   * coordinator up again first).
   */
  #request<Rq, Rs extends { errorCode?: number }>(
    api: ApiSchema<Rq, Rs>,
    build: (identity: ProducerIdentity) => Rq,
    options: { needsIdentity?: boolean; minVersion?: number } = {},
  ): Promise<{ response: Rs; version: number }> {
    return this.#cluster.retrying(this.#deadline(), () => {
      const identity = options.needsIdentity === false ? { producerId: -1n, producerEpoch: -1 } : this.#identity()
      return this.#coordinator.request(
        api,
        (version) => {
          if (version < (options.minVersion ?? 0)) {
            throw new SamsaError(
              SamsaErrorCode.UNSUPPORTED_VERSION,
              `the transaction coordinator has no ${api.name} v${options.minVersion} (epoch bump, KIP-360)`,
            )
          }
          return build(identity)
        },
        { errorCodeOf: (r) => r.errorCode ?? ErrorCode.NONE },
      )
    })
  }

  #identity(): ProducerIdentity {
    const identity = this.#idempotence.identity
    if (identity === null) throw illegalState('the producer has no producer id: call initTransactions() first')
    return identity
  }

  #deadline(): number {
    return Date.now() + this.#options.maxBlockMs
  }
}
