// Transactions over the wire (KIP-98), with raw requests so every answer is checked exactly: the transaction
// state machine, markers, the last stable offset and aborted lists of read_committed fetches, transactional offset
// commits, fencing by a new producer instance, timeouts, DescribeTransactions/ListTransactions, and a restart.

import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import type { Connection } from '@samsa/net'
import {
  AddOffsetsToTxn,
  DescribeTransactions,
  ErrorCode,
  ListTransactions,
  OffsetFetch,
  TxnOffsetCommit,
} from '@samsa/protocol'
import { createTopic, fetchOnce, produce, startTestBroker, type TestBroker } from '../../testing.ts'
import { addPartitions, endTxn, initProducer, latest, readCommitted, txnBatch } from './txn-testing.ts'

describe('transactions', () => {
  let tb: TestBroker
  let conn: Connection
  before(async () => {
    tb = await startTestBroker({
      config: {
        'transaction.abort.timed.out.transaction.cleanup.interval.ms': 100,
        'transaction.state.log.num.partitions': 5,
        'offsets.topic.num.partitions': 5,
      },
    })
    conn = await tb.connect()
  })
  after(() => tb.stop())

  test('commit and abort: LSO holds read_committed back, markers end transactions, aborted ones are listed', async () => {
    await createTopic(conn, 'txn-out')
    const p = await initProducer(conn, 'tx-basic')
    assert.deepEqual(await addPartitions(conn, p, 'txn-out', [0]), [ErrorCode.NONE])
    assert.equal((await produce(conn, 'txn-out', 0, txnBatch(p, 0, ['c1', 'c2']))).errorCode, ErrorCode.NONE)
    assert.equal(await latest(conn, 'txn-out', 0), 2n)
    assert.equal(await latest(conn, 'txn-out', 1), 0n, 'read_committed stops at the open transaction')
    assert.deepEqual(await readCommitted(conn, 'txn-out'), [])
    assert.equal(await endTxn(conn, p, true), ErrorCode.NONE)
    assert.equal(await endTxn(conn, p, true), ErrorCode.NONE, 'a retried commit succeeds again')
    assert.equal(await latest(conn, 'txn-out', 1), 3n, 'data and the COMMIT marker')
    assert.deepEqual(await readCommitted(conn, 'txn-out'), ['c1', 'c2'])

    assert.deepEqual(await addPartitions(conn, p, 'txn-out', [0]), [ErrorCode.NONE])
    await produce(conn, 'txn-out', 0, txnBatch(p, 0, ['a1']))
    assert.equal(await endTxn(conn, p, false), ErrorCode.NONE)
    assert.equal(await endTxn(conn, p, true), ErrorCode.INVALID_TXN_STATE, 'commit after abort')
    const fetched = await fetchOnce(conn, 'txn-out', 0, 0n, { isolationLevel: 1 })
    assert.deepEqual(fetched.abortedTransactions, [{ producerId: p.producerId, firstOffset: 3n }])
    assert.equal(fetched.lastStableOffset, 5n)
    assert.deepEqual(await readCommitted(conn, 'txn-out'), ['c1', 'c2'])
    assert.equal((await fetchOnce(conn, 'txn-out', 0, 0n)).abortedTransactions, null, 'read_uncommitted gets null')
    assert.equal(await endTxn(conn, p, true), ErrorCode.INVALID_TXN_STATE)
  })

  test('a parked read_committed fetch waits through transactional appends and answers at the commit', async () => {
    await createTopic(conn, 'txn-longpoll')
    const p = await initProducer(conn, 'tx-longpoll')
    await addPartitions(conn, p, 'txn-longpoll', [0])
    const reader = await tb.connect()
    let answered = false
    const parked = fetchOnce(reader, 'txn-longpoll', 0, 0n, { isolationLevel: 1, maxWaitMs: 20_000 }).finally(
      () => (answered = true),
    )
    await produce(conn, 'txn-longpoll', 0, txnBatch(p, 0, ['first']))
    await produce(conn, 'txn-longpoll', 0, txnBatch(p, 0, ['second']))
    await new Promise((resolve) => setTimeout(resolve, 300))
    assert.equal(answered, false, 'invisible appends must not end the wait')
    assert.equal(await endTxn(conn, p, true), ErrorCode.NONE)
    const fetched = await parked
    assert.equal(fetched.lastStableOffset, 3n)
    assert.ok((fetched.records?.length ?? 0) > 0)
  })

  test('a transactional write to a partition not in the transaction is INVALID_TXN_STATE', async () => {
    await createTopic(conn, 'txn-unadded', 2)
    const p = await initProducer(conn, 'tx-unadded')
    await addPartitions(conn, p, 'txn-unadded', [0])
    const stray = await produce(conn, 'txn-unadded', 1, txnBatch(p, 1, ['x']))
    assert.equal(stray.errorCode, ErrorCode.INVALID_TXN_STATE)
    const unknown = await addPartitions(conn, p, 'no-such-topic', [0])
    assert.deepEqual(unknown, [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION])
    assert.equal(await endTxn(conn, p, false), ErrorCode.NONE)
  })

  test('a new instance fences the old one and aborts its open transaction', async () => {
    await createTopic(conn, 'txn-fence')
    const old = await initProducer(conn, 'tx-fence')
    await addPartitions(conn, old, 'txn-fence', [0])
    await produce(conn, 'txn-fence', 0, txnBatch(old, 0, ['zombie']))
    const fresh = await initProducer(conn, 'tx-fence')
    assert.equal(fresh.producerId, old.producerId)
    assert.equal(fresh.producerEpoch, old.producerEpoch + 2, 'one bump to abort, one for the new instance')
    assert.deepEqual(await addPartitions(conn, old, 'txn-fence', [0]), [ErrorCode.PRODUCER_FENCED])
    assert.deepEqual(await addPartitions(conn, old, 'txn-fence', [0], 1), [ErrorCode.INVALID_PRODUCER_EPOCH])
    assert.equal(await endTxn(conn, old, true), ErrorCode.PRODUCER_FENCED)
    const late = await produce(conn, 'txn-fence', 0, txnBatch(old, 0, ['late']))
    assert.equal(late.errorCode, ErrorCode.INVALID_PRODUCER_EPOCH)
    assert.deepEqual(await readCommitted(conn, 'txn-fence'), [])
    assert.equal(await latest(conn, 'txn-fence', 1), 2n, 'the aborted transaction no longer holds the LSO')
  })

  test('TxnOffsetCommit: needs AddOffsetsToTxn, is pending until the commit, UNSTABLE with requireStable', async () => {
    await createTopic(conn, 'txn-in')
    const p = await initProducer(conn, 'tx-offsets')
    const commit = async () => {
      const res = await conn.request(
        TxnOffsetCommit,
        3,
        TxnOffsetCommit.request.make({
          transactionalId: p.transactionalId,
          groupId: 'eos-group',
          producerId: p.producerId,
          producerEpoch: p.producerEpoch,
          topics: [
            { name: 'txn-in', partitions: [{ partitionIndex: 0, committedOffset: 42n, committedMetadata: '' }] },
          ],
        }),
      )
      return res.topics[0]?.partitions[0]?.errorCode
    }
    const fetchOffset = async (requireStable: boolean) => {
      const res = await conn.request(
        OffsetFetch,
        7,
        OffsetFetch.request.make({
          groupId: 'eos-group',
          topics: [{ name: 'txn-in', partitionIndexes: [0] }],
          requireStable,
        }),
      )
      const partition = res.topics[0]?.partitions[0]
      return [partition?.committedOffset, partition?.errorCode]
    }
    assert.equal(await commit(), ErrorCode.INVALID_TXN_STATE, 'no AddOffsetsToTxn yet')
    const added = await conn.request(
      AddOffsetsToTxn,
      2,
      AddOffsetsToTxn.request.make({
        transactionalId: p.transactionalId,
        producerId: p.producerId,
        producerEpoch: p.producerEpoch,
        groupId: 'eos-group',
      }),
    )
    assert.equal(added.errorCode, ErrorCode.NONE)
    assert.equal(await commit(), ErrorCode.NONE)
    assert.deepEqual(await fetchOffset(false), [-1n, ErrorCode.NONE])
    assert.deepEqual(await fetchOffset(true), [-1n, ErrorCode.UNSTABLE_OFFSET_COMMIT])
    assert.equal(await endTxn(conn, p, true), ErrorCode.NONE)
    assert.deepEqual(await fetchOffset(true), [42n, ErrorCode.NONE])
  })

  test('a transaction open past its timeout is aborted with a bumped epoch', async () => {
    await createTopic(conn, 'txn-timeout')
    const p = await initProducer(conn, 'tx-timeout', 200)
    await addPartitions(conn, p, 'txn-timeout', [0])
    await produce(conn, 'txn-timeout', 0, txnBatch(p, 0, ['slow']))
    const describe = async () =>
      (
        await conn.request(
          DescribeTransactions,
          0,
          DescribeTransactions.request.make({ transactionalIds: ['tx-timeout', 'never-seen'] }),
        )
      ).transactionStates
    const [open, unknown] = await describe()
    assert.equal(open?.transactionState, 'Ongoing')
    assert.deepEqual(open?.topics, [{ topic: 'txn-timeout', partitions: [0] }])
    assert.equal(unknown?.errorCode, ErrorCode.TRANSACTIONAL_ID_NOT_FOUND)
    const deadline = Date.now() + 10_000
    while ((await describe())[0]?.transactionState !== 'CompleteAbort' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    const [aborted] = await describe()
    assert.equal(aborted?.transactionState, 'CompleteAbort')
    assert.equal(aborted?.producerEpoch, p.producerEpoch + 1)
    assert.equal(await endTxn(conn, p, true), ErrorCode.PRODUCER_FENCED)
    assert.equal(await latest(conn, 'txn-timeout', 1), 2n)
    const listed = await conn.request(
      ListTransactions,
      1,
      ListTransactions.request.make({ stateFilters: ['CompleteAbort', 'Bogus'], producerIdFilters: [p.producerId] }),
    )
    assert.deepEqual(listed.unknownStateFilters, ['Bogus'])
    assert.deepEqual(listed.transactionStates, [
      { transactionalId: 'tx-timeout', producerId: p.producerId, transactionState: 'CompleteAbort' },
    ])
  })
})

test('an open transaction survives a restart: the LSO still waits, and the transaction can then commit', async () => {
  let tb = await startTestBroker({ config: { 'transaction.state.log.num.partitions': 3 } })
  try {
    let conn = await tb.connect()
    await createTopic(conn, 'txn-restart')
    const p = await initProducer(conn, 'tx-restart')
    await addPartitions(conn, p, 'txn-restart', [0])
    await produce(conn, 'txn-restart', 0, txnBatch(p, 0, ['before']))
    await tb.stop(false)
    tb = await startTestBroker({ dir: tb.dir, config: { 'transaction.state.log.num.partitions': 3 } })
    conn = await tb.connect()
    assert.equal(await latest(conn, 'txn-restart', 1), 0n)
    const described = await conn.request(
      DescribeTransactions,
      0,
      DescribeTransactions.request.make({ transactionalIds: ['tx-restart'] }),
    )
    assert.equal(described.transactionStates[0]?.transactionState, 'Ongoing')
    assert.equal(await endTxn(conn, p, true), ErrorCode.NONE)
    assert.deepEqual(await readCommitted(conn, 'txn-restart'), ['before'])
  } finally {
    await tb.stop()
  }
})
