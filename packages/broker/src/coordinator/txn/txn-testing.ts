// Raw-protocol helpers for the transaction tests: a transactional producer's requests, built by hand so each test
// sees exactly what the broker answers. Test-only; nothing in the broker imports this file.

import assert from 'node:assert/strict'
import type { Connection } from '@samsa/net'
import {
  AddPartitionsToTxn,
  EndTxn,
  ErrorCode,
  FindCoordinator,
  InitProducerId,
  ListOffsets,
  buildRecordBatch,
  decodeBatchRecords,
  splitBatches,
} from '@samsa/protocol'
import { fetchOnce } from '../../testing.ts'

export interface Producer {
  transactionalId: string
  producerId: bigint
  producerEpoch: number
  sequence: Map<number, number>
}

export async function initProducer(conn: Connection, transactionalId: string, timeoutMs = 60_000): Promise<Producer> {
  await conn.request(
    FindCoordinator,
    4,
    FindCoordinator.request.make({ keyType: 1, coordinatorKeys: [transactionalId] }),
  )
  for (;;) {
    const res = await conn.request(
      InitProducerId,
      4,
      InitProducerId.request.make({ transactionalId, transactionTimeoutMs: timeoutMs }),
    )
    if (res.errorCode === ErrorCode.CONCURRENT_TRANSACTIONS) continue
    assert.equal(res.errorCode, ErrorCode.NONE)
    return { transactionalId, producerId: res.producerId, producerEpoch: res.producerEpoch, sequence: new Map() }
  }
}

export async function addPartitions(conn: Connection, p: Producer, topic: string, partitions: number[], version = 3) {
  const res = await conn.request(
    AddPartitionsToTxn,
    version,
    AddPartitionsToTxn.request.make({
      v3AndBelowTransactionalId: p.transactionalId,
      v3AndBelowProducerId: p.producerId,
      v3AndBelowProducerEpoch: p.producerEpoch,
      v3AndBelowTopics: [{ name: topic, partitions }],
    }),
  )
  return res.resultsByTopicV3AndBelow.flatMap((t) => t.resultsByPartition.map((r) => r.partitionErrorCode))
}

export function txnBatch(p: Producer, partition: number, values: string[]): Buffer {
  const baseSequence = p.sequence.get(partition) ?? 0
  p.sequence.set(partition, baseSequence + values.length)
  return buildRecordBatch({
    timestamp: Date.now(),
    producerId: p.producerId,
    producerEpoch: p.producerEpoch,
    baseSequence,
    isTransactional: true,
    records: values.map((v) => ({ key: null, value: Buffer.from(v) })),
  })
}

export async function endTxn(conn: Connection, p: Producer, committed: boolean, version = 3): Promise<number> {
  const res = await conn.request(
    EndTxn,
    version,
    EndTxn.request.make({
      transactionalId: p.transactionalId,
      producerId: p.producerId,
      producerEpoch: p.producerEpoch,
      committed,
    }),
  )
  return res.errorCode
}

export async function latest(conn: Connection, topic: string, isolationLevel: number): Promise<bigint> {
  const res = await conn.request(
    ListOffsets,
    7,
    ListOffsets.request.make({
      replicaId: -1,
      isolationLevel,
      topics: [{ name: topic, partitions: [{ partitionIndex: 0, timestamp: -1n }] }],
    }),
  )
  return res.topics[0]?.partitions[0]?.offset ?? -99n
}

/** The data records a read_committed consumer keeps: aborted producers' batches and control batches dropped. */
export async function readCommitted(conn: Connection, topic: string): Promise<string[]> {
  const fetched = await fetchOnce(conn, topic, 0, 0n, { isolationLevel: 1 })
  const aborted = fetched.abortedTransactions ?? []
  const records = fetched.records === null ? Buffer.alloc(0) : Buffer.concat([fetched.records].flat())
  const out: string[] = []
  const abortedOpen = new Set<bigint>()
  for (const view of splitBatches(records).batches) {
    for (const a of aborted) if (a.firstOffset <= view.baseOffset) abortedOpen.add(a.producerId)
    if (view.isControlBatch) {
      abortedOpen.delete(view.producerId)
      continue
    }
    if (abortedOpen.has(view.producerId)) continue
    out.push(...decodeBatchRecords(view).map((r) => r.value?.toString() ?? ''))
  }
  return out
}

/** EndTxn v5 (transactions v2): on success the producer continues with the epoch (and id) the answer names. */
export async function endTxnV2(conn: Connection, p: Producer, committed: boolean): Promise<number> {
  const res = await conn.request(
    EndTxn,
    5,
    EndTxn.request.make({
      transactionalId: p.transactionalId,
      producerId: p.producerId,
      producerEpoch: p.producerEpoch,
      committed,
    }),
  )
  if (res.errorCode === ErrorCode.NONE) {
    if (res.producerId !== p.producerId || res.producerEpoch !== p.producerEpoch) p.sequence.clear()
    p.producerId = res.producerId
    p.producerEpoch = res.producerEpoch
  }
  return res.errorCode
}
