// The transactional producer, client side (KIP-98), shaped after the Java client's TransactionManager:
//
//   UNINITIALIZED --initTransactions--> READY --beginTransaction--> IN_TRANSACTION --commitTransaction--> COMMITTING
//   --EndTxn(commit)--> READY;  IN_TRANSACTION | ABORTABLE_ERROR --abortTransaction--> ABORTING --EndTxn(abort)--> READY
//
// initTransactions() finds the transaction coordinator (FindCoordinator key type 1) and gets the producer id and
// epoch for the transactional id (InitProducerId; the coordinator fences older producers with the same id by
// bumping the epoch, and answers CONCURRENT_TRANSACTIONS while it aborts what they left open: retried). Before the
// first batch to a partition goes out, the partition is enlisted with AddPartitionsToTxn (v0-3, the client shape);
// partitions that appear together go in one request (transactions.ts in the sender holds batches until then).
// sendOffsetsToTransaction() enlists the group (AddOffsetsToTxn) and sends the offsets to the group coordinator
// (TxnOffsetCommit, v3+ with the consumer's member id and generation, KIP-447). commitTransaction() flushes, then
// EndTxn(commit); abortTransaction() drops batches not sent yet, waits for those in flight, then EndTxn(abort).
//
// Errors, as in Java: PRODUCER_FENCED, INVALID_PRODUCER_EPOCH (reported as PRODUCER_FENCED), INVALID_TXN_STATE and
// the authorization failures are fatal: the producer refuses everything afterwards with that error and can only be
// closed. Anything else that fails a transaction (a batch, an enlisting, an offset commit) is abortable: the
// transaction must be aborted, after which the producer carries on. A batch that failed after it was sent leaves a
// hole in its partition's sequence numbers, so the abort then bumps the epoch with InitProducerId v3+ (KIP-360),
// which restarts every sequence at 0; otherwise sequences simply continue after the abort.
//
// Transactions v2 (KIP-890 part 2) are not spoken: EndTxn v5 would hand back a new epoch after every transaction
// (#completed is where it would be applied), and Produce v12 / TxnOffsetCommit v5 would enlist implicitly.

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
import {
  isKafkaProtocolError,
  isRetriableError,
  isSamsaError,
  KafkaProtocolError,
  SamsaError,
  SamsaErrorCode,
} from '../errors.ts'
import { CoordinatorKeyType, GroupCoordinator } from '../group/coordinator.ts'
import type { OffsetToCommit } from '../group/offsets.ts'
import type { ProducerBatch } from './accumulator.ts'
import type { IdempotenceState, ProducerIdentity } from './idempotence.ts'

export const TransactionState = {
  UNINITIALIZED: 'UNINITIALIZED',
  INITIALIZING: 'INITIALIZING',
  READY: 'READY',
  IN_TRANSACTION: 'IN_TRANSACTION',
  COMMITTING: 'COMMITTING',
  ABORTING: 'ABORTING',
  ABORTABLE_ERROR: 'ABORTABLE_ERROR',
  FATAL_ERROR: 'FATAL_ERROR',
} as const
export type TransactionState = (typeof TransactionState)[keyof typeof TransactionState]

/** Who commits offsets in a transaction: the consumer's groupMetadata(), or just a group id. */
export interface ConsumerGroupMetadata {
  groupId: string | null
  memberId: string
  generationId: number
  groupInstanceId: string | null
}

export interface TransactionManagerOptions {
  transactionalId: string
  transactionTimeoutMs: number
  /** How long initTransactions, sendOffsetsToTransaction, commit and abort may block (Java: max.block.ms). */
  maxBlockMs: number
}

/** What the manager needs from the producer around it. */
export interface TransactionHooks {
  /** Sends everything buffered and waits for every batch to settle. */
  flush(): Promise<void>
  /** Fails the batches the sender has not taken yet. */
  failUndrained(error: Error): void
  /** The sender should look at the queue again (a partition was enlisted, or the state changed). */
  wakeup(): void
}

/** Errors after which the producer cannot go on (Java's fatal errors). */
const FATAL: ReadonlySet<number> = new Set([
  ErrorCode.PRODUCER_FENCED,
  ErrorCode.INVALID_PRODUCER_EPOCH,
  ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
  ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
  ErrorCode.INVALID_TXN_STATE,
  ErrorCode.INVALID_TRANSACTION_TIMEOUT,
])

function isFatal(error: unknown): boolean {
  if (isKafkaProtocolError(error)) return FATAL.has(error.errorCode)
  return isSamsaError(error) && error.code === SamsaErrorCode.UNSUPPORTED_VERSION
}

/** INVALID_PRODUCER_EPOCH is how older API versions say PRODUCER_FENCED (KIP-588); Java reports both as fenced. */
function asFatal(error: unknown): unknown {
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

function illegalState(message: string): SamsaError {
  return new SamsaError(SamsaErrorCode.ILLEGAL_STATE, message)
}

function partitionKey(topic: string, partition: number): string {
  return `${partition}:${topic}`
}

/** The first non-NONE code of per-partition answers, fatal ones first, then retriable ones (to retry all). */
function worstCode(codes: readonly number[]): number {
  const failed = codes.filter((c) => c !== ErrorCode.NONE && c !== ErrorCode.OPERATION_NOT_ATTEMPTED)
  return (
    failed.find((c) => FATAL.has(c)) ??
    failed[0] ??
    (codes.includes(ErrorCode.OPERATION_NOT_ATTEMPTED) ? ErrorCode.OPERATION_NOT_ATTEMPTED : ErrorCode.NONE)
  )
}

export class TransactionManager {
  readonly transactionalId: string
  readonly #cluster: Cluster
  readonly #idempotence: IdempotenceState
  readonly #options: TransactionManagerOptions
  readonly #hooks: TransactionHooks
  readonly #coordinator: GroupCoordinator
  readonly #groupCoordinators = new Map<string, GroupCoordinator>()
  #state: TransactionState = TransactionState.UNINITIALIZED
  #fatalError: unknown = null
  #abortableError: unknown = null
  /** A batch with a sequence number failed: the abort must bump the epoch (KIP-360). */
  #isEpochBumpRequired = false
  /** Something may have been enlisted with the coordinator in this transaction, so it must be ended there. */
  #isStarted = false
  /** Enlisted partitions of the open transaction. */
  readonly #added = new Set<string>()
  /** Partitions waiting to be enlisted, and those in the AddPartitionsToTxn request under way. */
  readonly #pending = new Map<string, { topic: string; partition: number }>()
  readonly #adding = new Set<string>()
  #addLoop: Promise<void> | null = null
  /** A method call under way (one at a time, as Java's pending transactional request). */
  #operation: string | null = null

  constructor(
    cluster: Cluster,
    idempotence: IdempotenceState,
    options: TransactionManagerOptions,
    hooks: TransactionHooks,
  ) {
    this.#cluster = cluster
    this.#idempotence = idempotence
    this.#options = options
    this.#hooks = hooks
    this.transactionalId = options.transactionalId
    this.#coordinator = new GroupCoordinator(cluster, options.transactionalId, CoordinatorKeyType.TRANSACTION)
  }

  get state(): TransactionState {
    return this.#state
  }

  /** The error batches not sent yet fail with, when the transaction can no longer take them; else null. */
  undrainedError(): Error | null {
    if (this.#state === TransactionState.FATAL_ERROR) return this.#fatalError as Error
    if (this.#state === TransactionState.ABORTABLE_ERROR) return this.#abortableErrorForCaller('send')
    if (this.#state === TransactionState.ABORTING) return abortedError()
    return null
  }

  /** Throws unless send() may append records now. */
  checkCanSend(): void {
    if (this.#state === TransactionState.IN_TRANSACTION) return
    this.#throwIfFailed('send')
    throw illegalState(
      `send() on a transactional producer needs an open transaction (state ${this.#state}): call beginTransaction() first`,
    )
  }

  async initTransactions(): Promise<void> {
    this.#throwIfFatal()
    if (this.#state !== TransactionState.UNINITIALIZED) {
      throw illegalState(`initTransactions() was already called (state ${this.#state})`)
    }
    this.#state = TransactionState.INITIALIZING
    try {
      const identity = await this.#initProducerId(null)
      this.#idempotence.setIdentity(identity)
      this.#state = TransactionState.READY
    } catch (error) {
      if (isFatal(error)) throw this.#fatal(error)
      this.#state = TransactionState.UNINITIALIZED
      throw error
    }
  }

  beginTransaction(): void {
    this.#throwIfFailed('beginTransaction')
    if (this.#state === TransactionState.UNINITIALIZED) throw illegalState('call initTransactions() first')
    if (this.#state !== TransactionState.READY) {
      throw illegalState(`beginTransaction() needs no transaction open or ending (state ${this.#state})`)
    }
    this.#added.clear()
    this.#isStarted = false
    this.#state = TransactionState.IN_TRANSACTION
  }

  /** Records for this partition were appended: enlist it before its first batch goes out. */
  maybeAddPartition(topic: string, partition: number): void {
    const key = partitionKey(topic, partition)
    if (this.#added.has(key) || this.#pending.has(key) || this.#adding.has(key)) return
    if (this.#state !== TransactionState.IN_TRANSACTION && this.#state !== TransactionState.COMMITTING) return
    this.#pending.set(key, { topic, partition })
    // Every partition of the same send() (and of sends in the same turn) goes in one request.
    this.#addLoop ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.#addPending())
  }

  /** Whether batches of the partition may be sent: it is enlisted in the open transaction. */
  isPartitionAdded(topic: string, partition: number): boolean {
    return this.#added.has(partitionKey(topic, partition))
  }

  /** A batch failed for good: the transaction fails with it (fatal or abortable). Returns the error to report. */
  batchFailed(batch: ProducerBatch, error: unknown): unknown {
    if (this.#state === TransactionState.FATAL_ERROR) return isFatal(error) ? this.#fatalError : error
    if (isSamsaError(error) && error.code === SamsaErrorCode.CLOSED) return error
    if (isFatal(error)) return this.#fatal(error)
    if (batch.encoded !== null) this.#isEpochBumpRequired = true
    this.#abortable(error)
    return error
  }

  async sendOffsetsToTransaction(
    offsets: readonly OffsetToCommit[],
    group: ConsumerGroupMetadata | string,
  ): Promise<void> {
    const metadata: ConsumerGroupMetadata =
      typeof group === 'string'
        ? { groupId: group, memberId: '', generationId: -1, groupInstanceId: null }
        : { ...group, groupInstanceId: group.groupInstanceId ?? null }
    const groupId = metadata.groupId
    if (typeof groupId !== 'string' || groupId === '') {
      throw new SamsaError(SamsaErrorCode.INVALID_ARGUMENT, 'sendOffsetsToTransaction() needs a group id')
    }
    this.#throwIfFailed('sendOffsetsToTransaction')
    if (this.#state !== TransactionState.IN_TRANSACTION) {
      throw illegalState(`sendOffsetsToTransaction() needs an open transaction (state ${this.#state})`)
    }
    if (offsets.length === 0) return
    await this.#exclusive('sendOffsetsToTransaction', async () => {
      try {
        this.#isStarted = true
        await this.#addOffsets(groupId)
        await this.#commitOffsets(offsets, metadata, groupId)
      } catch (error) {
        throw isFatal(error) ? this.#fatal(error) : this.#abortable(error)
      }
    })
  }

  async commitTransaction(): Promise<void> {
    this.#throwIfFatal()
    if (this.#state === TransactionState.ABORTABLE_ERROR) throw this.#abortableErrorForCaller('commitTransaction')
    // COMMITTING again: the previous commit timed out and is retried (EndTxn is idempotent on the coordinator).
    if (this.#state !== TransactionState.IN_TRANSACTION && this.#state !== TransactionState.COMMITTING) {
      throw illegalState(`commitTransaction() needs an open transaction (state ${this.#state})`)
    }
    await this.#exclusive('commitTransaction', async () => {
      this.#state = TransactionState.COMMITTING
      await this.#hooks.flush()
      await this.#addLoop
      // A batch or an enlisting failed while flushing: the transaction can only be aborted now.
      this.#throwIfFailed('commitTransaction')
      await this.#end(true)
    })
  }

  async abortTransaction(): Promise<void> {
    this.#throwIfFatal()
    if (this.#state === TransactionState.COMMITTING) {
      throw illegalState('commitTransaction() is under way or timed out: call commitTransaction() again')
    }
    const abortable: TransactionState[] = [
      TransactionState.IN_TRANSACTION,
      TransactionState.ABORTABLE_ERROR,
      TransactionState.ABORTING,
    ]
    if (!abortable.includes(this.#state)) {
      throw illegalState(`abortTransaction() needs an open transaction (state ${this.#state})`)
    }
    await this.#exclusive('abortTransaction', async () => {
      this.#state = TransactionState.ABORTING
      this.#pending.clear()
      this.#hooks.failUndrained(abortedError())
      this.#hooks.wakeup()
      // Batches already sent carry sequence numbers: their outcome decides whether the epoch must be bumped.
      await this.#hooks.flush()
      await this.#addLoop
      this.#throwIfFatal()
      await this.#end(false)
    })
  }

  async close(): Promise<void> {
    await Promise.all([this.#coordinator, ...this.#groupCoordinators.values()].map((c) => c.close()))
  }

  /** EndTxn, then (after an abort that needs it) the epoch bump; READY when done. */
  async #end(commit: boolean): Promise<void> {
    try {
      if (this.#isStarted) await this.#endTxn(commit)
      if (!commit && this.#isEpochBumpRequired) {
        const current = this.#idempotence.identity
        this.#idempotence.setIdentity(await this.#initProducerId(current))
      }
    } catch (error) {
      // Retriable failures that ran out of time leave the state as it is, so the same call can be made again.
      if (isFatal(error)) throw this.#fatal(error)
      if (!isRetriableError(error) && !(isSamsaError(error) && error.code === SamsaErrorCode.TIMEOUT)) {
        throw this.#abortable(error)
      }
      throw error
    }
    this.#completed()
  }

  /** The transaction is over. With EndTxn v5 (KIP-890 part 2) the new epoch from its answer would be applied here. */
  #completed(): void {
    this.#added.clear()
    this.#pending.clear()
    this.#isStarted = false
    this.#isEpochBumpRequired = false
    this.#abortableError = null
    this.#state = TransactionState.READY
  }

  /** Sends AddPartitionsToTxn for the pending partitions until none is left, one request at a time. */
  async #addPending(): Promise<void> {
    try {
      while (this.#pending.size > 0) {
        const batch = [...this.#pending]
        this.#pending.clear()
        for (const [key] of batch) this.#adding.add(key)
        try {
          this.#isStarted = true
          await this.#addPartitions(batch.map(([, tp]) => tp))
          for (const [key] of batch) this.#added.add(key)
        } catch (error) {
          if (isFatal(error)) this.#fatal(error)
          else this.#abortable(error)
          this.#pending.clear()
        } finally {
          for (const [key] of batch) this.#adding.delete(key)
          this.#hooks.wakeup()
        }
      }
    } finally {
      this.#addLoop = null
    }
  }

  async #addPartitions(partitions: readonly { topic: string; partition: number }[]): Promise<void> {
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

  async #addOffsets(groupId: string): Promise<void> {
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

  async #commitOffsets(
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
      if (error.retriable && errorCode !== ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) group.markUnknown()
      throw error
    })
  }

  async #endTxn(commit: boolean): Promise<void> {
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
  async #initProducerId(current: ProducerIdentity | null): Promise<ProducerIdentity> {
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

  async #exclusive(name: string, run: () => Promise<void>): Promise<void> {
    if (this.#operation !== null) throw illegalState(`${name}() while ${this.#operation}() is under way`)
    this.#operation = name
    try {
      await run()
    } finally {
      this.#operation = null
    }
  }

  #fatal(error: unknown): unknown {
    if (this.#state === TransactionState.FATAL_ERROR) return this.#fatalError
    this.#fatalError = asFatal(error)
    this.#state = TransactionState.FATAL_ERROR
    this.#pending.clear()
    this.#hooks.failUndrained(this.#fatalError as Error)
    this.#hooks.wakeup()
    return this.#fatalError
  }

  #abortable(error: unknown): unknown {
    if (this.#state === TransactionState.FATAL_ERROR) return this.#fatalError
    if (this.#state === TransactionState.ABORTING) return error
    if (this.#state !== TransactionState.ABORTABLE_ERROR) this.#abortableError = error
    this.#state = TransactionState.ABORTABLE_ERROR
    this.#hooks.wakeup()
    return error
  }

  #abortableErrorForCaller(what: string): SamsaError {
    const cause = this.#abortableError
    const why = cause instanceof Error ? cause.message : String(cause)
    return new SamsaError(
      SamsaErrorCode.TRANSACTION_ABORTABLE,
      `${what}: the transaction failed and must be aborted with abortTransaction(): ${why}`,
      { cause },
    )
  }

  #throwIfFatal(): void {
    if (this.#state === TransactionState.FATAL_ERROR) throw this.#fatalError
  }

  #throwIfFailed(what: string): void {
    this.#throwIfFatal()
    if (this.#state === TransactionState.ABORTABLE_ERROR) throw this.#abortableErrorForCaller(what)
  }
}

function abortedError(): SamsaError {
  return new SamsaError(SamsaErrorCode.TRANSACTION_ABORTED, 'the transaction was aborted before the record was sent')
}
