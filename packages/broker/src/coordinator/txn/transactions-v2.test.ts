// Transactions v2 (KIP-890 part 2) over the wire: the feature advertised in ApiVersions, Produce v12 adding its
// partition to the transaction, EndTxn v5 bumping the epoch every time (and answering a retry with the same
// epoch), TxnOffsetCommit v5 without AddOffsetsToTxn, and late writes of a finished transaction fenced.

import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import type { Connection } from '@samsa/net'
import { ApiVersions, DescribeTransactions, ErrorCode, OffsetFetch, TxnOffsetCommit } from '@samsa/protocol'
import { createTopic, produce, startTestBroker, type TestBroker } from '../../testing.ts'
import { endTxnV2, initProducer, latest, readCommitted, txnBatch, type Producer } from './txn-testing.ts'

describe('transactions v2', () => {
  let tb: TestBroker
  let conn: Connection
  before(async () => {
    tb = await startTestBroker({
      config: { 'transaction.state.log.num.partitions': 3, 'offsets.topic.num.partitions': 3 },
    })
    conn = await tb.connect()
  })
  after(() => tb.stop())

  const write = (p: Producer, topic: string, values: string[]) =>
    produce(conn, topic, 0, txnBatch(p, 0, values), { version: 12 })

  test('ApiVersions finalizes transaction.version 2', async () => {
    const res = await conn.request(
      ApiVersions,
      3,
      ApiVersions.request.make({ clientSoftwareName: 't', clientSoftwareVersion: '1' }),
    )
    assert.deepEqual(res.finalizedFeatures, [{ name: 'transaction.version', minVersionLevel: 2, maxVersionLevel: 2 }])
    assert.deepEqual(res.supportedFeatures, [{ name: 'transaction.version', minVersion: 0, maxVersion: 2 }])
  })

  test('Produce v12 adds the partition; every EndTxn v5 bumps the epoch; late writes are fenced', async () => {
    await createTopic(conn, 'v2-out')
    const p = await initProducer(conn, 'tx-v2')
    const epoch0 = p.producerEpoch
    assert.equal((await write(p, 'v2-out', ['one'])).errorCode, ErrorCode.NONE)
    const described = await conn.request(
      DescribeTransactions,
      0,
      DescribeTransactions.request.make({ transactionalIds: ['tx-v2'] }),
    )
    assert.deepEqual(described.transactionStates[0]?.topics, [{ topic: 'v2-out', partitions: [0] }])
    const stale = { ...p, sequence: new Map(p.sequence) }
    assert.equal(await endTxnV2(conn, p, true), ErrorCode.NONE)
    assert.equal(p.producerEpoch, epoch0 + 1)
    assert.deepEqual(await readCommitted(conn, 'v2-out'), ['one'])

    // The finished transaction's epoch can no longer write, even with the next sequence number.
    assert.equal((await write(stale, 'v2-out', ['late'])).errorCode, ErrorCode.INVALID_PRODUCER_EPOCH)
    // A retry of the commit, with the epoch from before it, gets the same answer.
    const retry = { ...stale }
    assert.equal(await endTxnV2(conn, retry, true), ErrorCode.NONE)
    assert.equal(retry.producerEpoch, epoch0 + 1)
    assert.equal(await endTxnV2(conn, { ...stale }, false), ErrorCode.INVALID_TXN_STATE)

    assert.equal((await write(p, 'v2-out', ['two'])).errorCode, ErrorCode.NONE)
    assert.equal(await endTxnV2(conn, p, false), ErrorCode.NONE)
    assert.equal(p.producerEpoch, epoch0 + 2)
    assert.deepEqual(await readCommitted(conn, 'v2-out'), ['one'])
    assert.equal(await latest(conn, 'v2-out', 1), 4n, 'two records, two markers')

    // An empty transaction is ended on the coordinator too, and moves the epoch on.
    assert.equal(await endTxnV2(conn, p, true), ErrorCode.NONE)
    assert.equal(p.producerEpoch, epoch0 + 3)
  })

  test('TxnOffsetCommit v5 adds the group partition itself; the offsets commit with the transaction', async () => {
    await createTopic(conn, 'v2-in')
    const p = await initProducer(conn, 'tx-v2-offsets')
    const commit = await conn.request(
      TxnOffsetCommit,
      5,
      TxnOffsetCommit.request.make({
        transactionalId: p.transactionalId,
        groupId: 'v2-group',
        producerId: p.producerId,
        producerEpoch: p.producerEpoch,
        topics: [{ name: 'v2-in', partitions: [{ partitionIndex: 0, committedOffset: 7n, committedMetadata: null }] }],
      }),
    )
    assert.equal(commit.topics[0]?.partitions[0]?.errorCode, ErrorCode.NONE)
    assert.equal(await endTxnV2(conn, p, true), ErrorCode.NONE)
    const fetched = await conn.request(
      OffsetFetch,
      7,
      OffsetFetch.request.make({
        groupId: 'v2-group',
        topics: [{ name: 'v2-in', partitionIndexes: [0] }],
        requireStable: true,
      }),
    )
    assert.equal(fetched.topics[0]?.partitions[0]?.committedOffset, 7n)
  })
})
