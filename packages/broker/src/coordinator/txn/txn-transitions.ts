// The decisions of Kafka's TransactionCoordinator for adding partitions and ending a transaction, as pure functions
// of the current metadata: they return the error code to answer and, when the state changes, the next TxnState
// to record. The coordinator (transaction-coordinator.ts) appends it and writes markers.
//
// Transactions v2 (KIP-890 part 2), chosen by the client per transaction (EndTxn v5+, Produce v12+ and
// TxnOffsetCommit v5+ add partitions implicitly): every EndTxn bumps the producer epoch in its Prepare record, so
// the markers and everything after them carry the new epoch and a late write of the old transaction is fenced by
// the partition. When the epoch is exhausted, Prepare names the next producer id (nextProducerId) and Complete
// switches to it with epoch 0. A retried EndTxn arrives with the previous epoch and gets the same answer again.

import { ErrorCode, TransactionStatus } from '@samsa/protocol'
import type { TxnState } from './txn-records.ts'
import { isPrepared, nextState, type TxnMetadata } from './txn-shard.ts'

/** Short.MaxValue: an epoch that cannot be bumped again means a new producer id (Kafka's isEpochExhausted). */
export const MAX_EPOCH = 32767
export const TRANSACTIONS_V2 = 2

export interface TopicPartitions {
  topic: string
  partitions: number[]
}

export interface Transition {
  errorCode: number
  /** The state to record, when it changes. */
  next?: TxnState
}

/** The checks every request of a transaction starts with (Kafka's producer id/epoch validation). */
export function producerError(m: TxnMetadata | undefined, producerId: bigint, producerEpoch: number): number {
  if (m === undefined || m.producerId !== producerId) return ErrorCode.INVALID_PRODUCER_ID_MAPPING
  if (producerEpoch !== m.producerEpoch) return ErrorCode.PRODUCER_FENCED
  return ErrorCode.NONE
}

/** AddPartitionsToTxn, explicit (v1 clients) or implicit (a v2 client's first write to a partition). */
export function addPartitions(
  m: TxnMetadata | undefined,
  producerId: bigint,
  producerEpoch: number,
  topics: readonly TopicPartitions[],
  now: number,
  transactionVersion: number,
): Transition {
  const errorCode = producerError(m, producerId, producerEpoch)
  if (errorCode !== ErrorCode.NONE || m === undefined) return { errorCode }
  if (isPrepared(m.status)) return { errorCode: ErrorCode.CONCURRENT_TRANSACTIONS }
  const ongoing = m.status === TransactionStatus.ONGOING
  const partitions = new Map<string, Set<number>>()
  if (ongoing) for (const [topic, ids] of m.partitions) partitions.set(topic, new Set(ids))
  let added = false
  for (const t of topics) {
    let ids = partitions.get(t.topic)
    if (ids === undefined) partitions.set(t.topic, (ids = new Set()))
    for (const p of t.partitions) {
      if (!ids.has(p)) added = true
      ids.add(p)
    }
  }
  if (ongoing && !added) return { errorCode: ErrorCode.NONE }
  return {
    errorCode: ErrorCode.NONE,
    next: nextState(m, {
      status: TransactionStatus.ONGOING,
      partitions,
      startTimestamp: ongoing ? m.startTimestamp : now,
      lastUpdateTimestamp: now,
      clientTransactionVersion: ongoing ? m.clientTransactionVersion : transactionVersion,
    }),
  }
}

export interface EndTxnTransition extends Transition {
  /** What EndTxn v5 answers: the producer id and epoch for the next transaction. */
  producerId: bigint
  producerEpoch: number
}

/** EndTxn: the next state (Prepare*), or the answer to a retry or a refused request. */
export function endTransaction(
  m: TxnMetadata | undefined,
  request: { producerId: bigint; producerEpoch: number; commit: boolean; transactionVersion: number },
  now: number,
  generateProducerId: () => bigint,
): EndTxnTransition {
  const answer = (errorCode: number, current = m): EndTxnTransition => ({
    errorCode,
    producerId: current?.producerId ?? -1n,
    producerEpoch: current?.producerEpoch ?? -1,
  })
  const { commit } = request
  const prepare = commit ? TransactionStatus.PREPARE_COMMIT : TransactionStatus.PREPARE_ABORT
  const complete = commit ? TransactionStatus.COMPLETE_COMMIT : TransactionStatus.COMPLETE_ABORT
  const v2 = request.transactionVersion >= TRANSACTIONS_V2
  if (m === undefined) return answer(ErrorCode.INVALID_PRODUCER_ID_MAPPING)
  if (v2 && isRetryOfV2EndTxn(m, request)) {
    if (m.status !== prepare && m.status !== complete) return answer(ErrorCode.INVALID_TXN_STATE)
    // While a rollover's Prepare is recorded, the next transaction already belongs to the next producer id.
    if (m.nextProducerId >= 0n) return { errorCode: ErrorCode.NONE, producerId: m.nextProducerId, producerEpoch: 0 }
    return answer(ErrorCode.NONE)
  }
  const errorCode = producerError(m, request.producerId, request.producerEpoch)
  if (errorCode !== ErrorCode.NONE) return answer(errorCode)
  switch (m.status) {
    case TransactionStatus.ONGOING:
      return prepared(m, prepare, now, v2, generateProducerId)
    case TransactionStatus.EMPTY:
    case TransactionStatus.COMPLETE_COMMIT:
    case TransactionStatus.COMPLETE_ABORT:
      // v2 clients end every transaction on the coordinator, even one that wrote nothing (the epoch must move on).
      if (v2) return prepared(m, prepare, now, v2, generateProducerId)
      // v1: a retried EndTxn of a transaction already committed (or aborted) succeeds again; the other one cannot.
      if (m.status === complete) return answer(ErrorCode.NONE)
      return answer(ErrorCode.INVALID_TXN_STATE)
    case TransactionStatus.PREPARE_COMMIT:
    case TransactionStatus.PREPARE_ABORT:
      return answer(m.status === prepare ? ErrorCode.CONCURRENT_TRANSACTIONS : ErrorCode.INVALID_TXN_STATE)
    default:
      return answer(ErrorCode.INVALID_TXN_STATE)
  }
}

/** The Complete* state after every marker is written (a v2 rollover switches to the next producer id here). */
export function completed(m: TxnMetadata, now: number): TxnState {
  const rollover = m.nextProducerId >= 0n
  return nextState(m, {
    status:
      m.status === TransactionStatus.PREPARE_COMMIT
        ? TransactionStatus.COMPLETE_COMMIT
        : TransactionStatus.COMPLETE_ABORT,
    partitions: new Map(),
    startTimestamp: -1,
    lastUpdateTimestamp: now,
    ...(rollover
      ? { producerId: m.nextProducerId, producerEpoch: 0, previousProducerId: m.producerId, nextProducerId: -1n }
      : {}),
  })
}

function prepared(
  m: TxnMetadata,
  status: TransactionStatus,
  now: number,
  v2: boolean,
  generateProducerId: () => bigint,
): EndTxnTransition {
  if (!v2) {
    const next = nextState(m, { status, lastUpdateTimestamp: now })
    return { errorCode: ErrorCode.NONE, next, producerId: m.producerId, producerEpoch: m.producerEpoch }
  }
  const exhausted = m.producerEpoch + 1 >= MAX_EPOCH
  const next = nextState(m, {
    status,
    lastUpdateTimestamp: now,
    producerEpoch: exhausted ? MAX_EPOCH : m.producerEpoch + 1,
    previousProducerId: m.producerId,
    nextProducerId: exhausted ? generateProducerId() : -1n,
    clientTransactionVersion: TRANSACTIONS_V2,
  })
  return exhausted
    ? { errorCode: ErrorCode.NONE, next, producerId: next.nextProducerId, producerEpoch: 0 }
    : { errorCode: ErrorCode.NONE, next, producerId: m.producerId, producerEpoch: next.producerEpoch }
}

/** A v2 EndTxn sent again after its epoch bump was recorded: the caller still has the epoch before it. */
function isRetryOfV2EndTxn(m: TxnMetadata, request: { producerId: bigint; producerEpoch: number }): boolean {
  if (m.clientTransactionVersion < TRANSACTIONS_V2) return false
  const samePreviousEpoch = request.producerId === m.producerId && request.producerEpoch === m.producerEpoch - 1
  // After a rollover the new id is current; the retry names the old id with the epoch before the maximum.
  const rolledOver = request.producerId === m.previousProducerId && m.previousProducerId !== m.producerId
  return samePreviousEpoch || (rolledOver && request.producerEpoch === MAX_EPOCH - 1)
}
