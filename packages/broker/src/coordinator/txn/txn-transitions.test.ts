// The pure transaction transitions where going over the wire would take too long: transactions-v2 epoch
// exhaustion (a new producer id after 32,766 transactions) and its retries, and v1 EndTxn answers by state.

import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ErrorCode, TransactionStatus } from '@samsa/protocol'
import { TxnShard, type TxnMetadata } from './txn-shard.ts'
import { completed, endTransaction, MAX_EPOCH, TRANSACTIONS_V2 } from './txn-transitions.ts'

const noTimers = { schedule() {}, cancel() {} }

function metadata(overrides: Partial<TxnMetadata>): TxnMetadata {
  return {
    transactionalId: 't',
    producerId: 10n,
    previousProducerId: -1n,
    nextProducerId: -1n,
    producerEpoch: 5,
    lastProducerEpoch: -1,
    clientTransactionVersion: TRANSACTIONS_V2,
    timeoutMs: 60_000,
    status: TransactionStatus.ONGOING,
    partitions: new Map([['out', new Set([0])]]),
    startTimestamp: 1,
    lastUpdateTimestamp: 1,
    ...overrides,
  }
}

test('v2: an exhausted epoch rolls over to a new producer id at Complete; a retry gets the new id', () => {
  const shard = new TxnShard(0, noTimers, new Map())
  const replay = (m: TxnMetadata) => shard.replay({ transactionalId: 't', value: m })
  replay(metadata({ producerEpoch: MAX_EPOCH - 1 }))
  const request = { producerId: 10n, producerEpoch: MAX_EPOCH - 1, commit: true, transactionVersion: TRANSACTIONS_V2 }
  const prepared = endTransaction(shard.get('t'), request, 2, () => 77n)
  assert.equal(prepared.errorCode, ErrorCode.NONE)
  assert.deepEqual([prepared.producerId, prepared.producerEpoch], [77n, 0])
  assert.deepEqual([prepared.next?.producerEpoch, prepared.next?.nextProducerId], [MAX_EPOCH, 77n])
  shard.replay({ transactionalId: 't', value: prepared.next ?? null })
  const retryWhilePrepared = endTransaction(shard.get('t'), request, 3, () => 99n)
  assert.deepEqual(
    [retryWhilePrepared.errorCode, retryWhilePrepared.producerId, retryWhilePrepared.producerEpoch],
    [0, 77n, 0],
  )
  shard.replay({ transactionalId: 't', value: completed(shard.get('t') as TxnMetadata, 4) })
  const done = shard.get('t')
  assert.deepEqual([done?.producerId, done?.producerEpoch, done?.previousProducerId], [77n, 0, 10n])
  const retryAfter = endTransaction(done, request, 5, () => 99n)
  assert.deepEqual([retryAfter.errorCode, retryAfter.producerId, retryAfter.producerEpoch], [0, 77n, 0])
})

test('v1 EndTxn: answers by state, and never bumps the epoch', () => {
  const v1 = { producerId: 10n, producerEpoch: 5, transactionVersion: 0 }
  const end = (status: TransactionStatus, commit: boolean) =>
    endTransaction(metadata({ status, clientTransactionVersion: 0 }), { ...v1, commit }, 2, () => 1n)
  assert.equal(end(TransactionStatus.ONGOING, true).next?.status, TransactionStatus.PREPARE_COMMIT)
  assert.equal(end(TransactionStatus.ONGOING, true).next?.producerEpoch, 5)
  assert.equal(end(TransactionStatus.EMPTY, true).errorCode, ErrorCode.INVALID_TXN_STATE)
  assert.equal(end(TransactionStatus.COMPLETE_ABORT, false).errorCode, ErrorCode.NONE)
  assert.equal(end(TransactionStatus.COMPLETE_ABORT, true).errorCode, ErrorCode.INVALID_TXN_STATE)
  assert.equal(end(TransactionStatus.PREPARE_COMMIT, true).errorCode, ErrorCode.CONCURRENT_TRANSACTIONS)
  const fenced = endTransaction(
    metadata({ clientTransactionVersion: 0 }),
    { ...v1, producerEpoch: 4, commit: true },
    2,
    () => 1n,
  )
  assert.equal(fenced.errorCode, ErrorCode.PRODUCER_FENCED)
  const stranger = endTransaction(metadata({}), { ...v1, producerId: 11n, commit: true }, 2, () => 1n)
  assert.equal(stranger.errorCode, ErrorCode.INVALID_PRODUCER_ID_MAPPING)
})
