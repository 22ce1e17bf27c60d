// The transactional producer, client side (KIP-98), shaped after the Java client's TransactionManager:
//
//   UNINITIALIZED --initTransactions--> READY --beginTransaction--> IN_TRANSACTION --commitTransaction--> COMMITTING
//   --EndTxn(commit)--> READY;  IN_TRANSACTION | ABORTABLE_ERROR --abortTransaction--> ABORTING --EndTxn(abort)--> READY
//
// initTransactions() finds the transaction coordinator (FindCoordinator key type 1) and gets the producer id and
// epoch for the transactional id (InitProducerId; the coordinator fences older producers with the same id by
// bumping the epoch, and answers CONCURRENT_TRANSACTIONS while it aborts what they left open: retried). Before the
// first batch to a partition goes out, the partition is enlisted with AddPartitionsToTxn (v0-3, the client shape);
// partitions that appear together go in one request, and the sender holds their batches until then. The requests
// themselves are in txn-requests.ts.
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

import { ErrorCode } from '@samsa/protocol'
import type { Cluster } from '../cluster/cluster.ts'
import { isKafkaProtocolError, isRetriableError, isSamsaError, SamsaError, SamsaErrorCode } from '../errors.ts'
import type { OffsetToCommit } from '../group/offsets.ts'
import type { ProducerBatch } from './accumulator.ts'
import type { IdempotenceState } from './idempotence.ts'
import {
  asFatal,
  illegalState,
  isFatal,
  partitionKey,
  TxnRequests,
  type ConsumerGroupMetadata,
  type TxnRequestOptions,
} from './txn-requests.ts'

export type { ConsumerGroupMetadata } from './txn-requests.ts'

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

/** maxBlockMs bounds initTransactions, sendOffsetsToTransaction, commit and abort (Java: max.block.ms). */
export type TransactionManagerOptions = TxnRequestOptions

/** What the manager needs from the producer around it. */
export interface TransactionHooks {
  /** Sends everything buffered and waits for every batch to settle. */
  flush(): Promise<void>
  /** Fails the batches the sender has not taken yet. */
  failUndrained(error: Error): void
  /** The sender should look at the queue again (a partition was enlisted, or the state changed). */
  wakeup(): void
}

export class TransactionManager {
  readonly transactionalId: string
  readonly #idempotence: IdempotenceState
  readonly #hooks: TransactionHooks
  readonly #requests: TxnRequests
  #state: TransactionState = TransactionState.UNINITIALIZED
  #fatalError: unknown = null
  #abortableError: unknown = null
  /** A batch with a sequence number failed: the abort must bump the epoch (KIP-360). */
  #isEpochBumpRequired = false
  /** Something may have been enlisted with the coordinator in this transaction, so it must be ended there. */
  #isStarted = false
  /** The coordinator confirmed an enlisting: the transaction is Ongoing there. */
  #isConfirmed = false
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
    this.#idempotence = idempotence
    this.#hooks = hooks
    this.transactionalId = options.transactionalId
    this.#requests = new TxnRequests(cluster, idempotence, options)
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
      const identity = await this.#requests.initProducerId(null)
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
    this.#isConfirmed = false
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
        await this.#requests.addOffsets(groupId)
        this.#isConfirmed = true
        await this.#requests.commitOffsets(offsets, metadata, groupId)
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
    await this.#requests.close()
  }

  /** EndTxn, then (after an abort that needs it) the epoch bump; READY when done. */
  async #end(commit: boolean): Promise<void> {
    try {
      if (this.#isStarted) await this.#endTxn(commit)
      if (!commit && this.#isEpochBumpRequired) {
        const current = this.#idempotence.identity
        this.#idempotence.setIdentity(await this.#requests.initProducerId(current))
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

  /**
   * EndTxn. An abort of a transaction whose enlisting was never confirmed (it failed, or its answer was lost) may
   * find nothing open on the coordinator, which answers INVALID_TXN_STATE: then there is nothing to abort.
   */
  async #endTxn(commit: boolean): Promise<void> {
    try {
      await this.#requests.endTxn(commit)
    } catch (error) {
      const isNothingOpen = isKafkaProtocolError(error) && error.errorCode === ErrorCode.INVALID_TXN_STATE
      if (commit || this.#isConfirmed || !isNothingOpen) throw error
    }
  }

  /** The transaction is over. With EndTxn v5 (KIP-890 part 2) the new epoch from its answer would be applied here. */
  #completed(): void {
    this.#added.clear()
    this.#pending.clear()
    this.#isStarted = false
    this.#isConfirmed = false
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
          await this.#requests.addPartitions(batch.map(([, tp]) => tp))
          this.#isConfirmed = true
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
