// The compat checks themselves: each must pass on a faithful read-back and fail on the defects it exists to catch.
// No broker or client here; this runs in milliseconds.

import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  makeRecords,
  verifyConsumed,
  verifyDeliveries,
  verifyOffsets,
  type ConsumedRecord,
  type TestRecord,
} from './records.ts'
import { assertReadsExactly, expectedTokens, recordsFor, type ReadRecord } from './txn-scenario.ts'
import { verifyStoredBatches, type StoredBatch } from './wire.ts'

const PARTITIONS = 3
const produced = makeRecords({ binary: true, headers: 'per-record' }, 300)

/** What a correct broker and client hand back: keys hashed to partitions, offsets 0.. in produce order. */
function faithful(records: readonly TestRecord[]): ConsumedRecord[] {
  const next = [0, 0, 0]
  return records.map((r) => {
    const partition = r.key.reduce((h, b) => (h * 31 + b) >>> 0, 7) % PARTITIONS
    const offset = next[partition] ?? 0
    next[partition] = offset + 1
    return { ...r, headers: r.headers.map(([n, v]): [string, Buffer] => [n, Buffer.from(v)]), partition, offset }
  })
}

function mutate(change: (records: ConsumedRecord[]) => void): ConsumedRecord[] {
  const records = faithful(produced)
  change(records)
  return records
}

const at = (records: ConsumedRecord[], i: number): ConsumedRecord => records[i] as ConsumedRecord

describe('verifyConsumed', () => {
  it('accepts a faithful read-back in any order across partitions', () => {
    const counts = verifyConsumed(produced, faithful(produced).reverse(), PARTITIONS)
    assert.equal(
      counts.reduce((a, b) => a + b, 0),
      produced.length,
    )
  })

  const defects: [string, (records: ConsumedRecord[]) => void, RegExp][] = [
    ['a lost record', (rs) => void rs.pop(), /consumed 299 records, produced 300/],
    ['a duplicate', (rs) => void rs.push(at(rs, 5)), /consumed twice/],
    [
      'a changed value byte',
      (rs) => void (at(rs, 7).value = Buffer.concat([at(rs, 7).value, Buffer.from([0])])),
      /value differs/,
    ],
    ['a changed key', (rs) => void (at(rs, 8).key = Buffer.from('other')), /key/],
    ['a lost header', (rs) => void (at(rs, 1).headers = []), /headers differ/],
    ['a changed header value', (rs) => void (at(rs, 2).headers = [['index', Buffer.from('x')]]), /headers differ/],
    [
      'a key in two partitions',
      (rs) => void (at(rs, 0).partition = (at(rs, 0).partition + 1) % PARTITIONS),
      /is in partitions|not contiguous/,
    ],
    ['an offset gap', (rs) => void (at(rs, rs.length - 1).offset += 1), /not contiguous/],
    [
      'records out of produce order',
      (rs) => {
        const [a, b] = rs.filter((r) => r.partition === 0)
        assert.ok(a && b)
        ;[a.offset, b.offset] = [b.offset, a.offset]
      },
      /out of produce order/,
    ],
  ]
  for (const [defect, change, message] of defects) {
    it(`rejects ${defect}`, () => {
      assert.throws(() => verifyConsumed(produced, mutate(change), PARTITIONS), message)
    })
  }
})

describe('verifyDeliveries and verifyOffsets', () => {
  const consumed = faithful(produced)
  const deliveries = consumed.map((r, index) => ({ index, partition: r.partition, offset: r.offset }))
  const counts = verifyConsumed(produced, consumed, PARTITIONS)

  it('accept matching reports', () => {
    verifyDeliveries(deliveries, consumed, produced.length)
    verifyOffsets(
      counts.map((latest, partition) => ({ partition, earliest: 0, latest })),
      counts,
    )
  })

  it('reject a delivery report at another offset', () => {
    const wrong = deliveries.map((d) => (d.index === 3 ? { ...d, offset: d.offset + 1 } : d))
    assert.throws(() => verifyDeliveries(wrong, consumed, produced.length), /delivery report vs consumed position/)
  })

  it('reject an end offset past the records', () => {
    const offsets = counts.map((latest, partition) => ({
      partition,
      earliest: 0,
      latest: latest + (partition === 1 ? 1 : 0),
    }))
    assert.throws(() => verifyOffsets(offsets, counts), /ListOffsets/)
  })
})

describe('verifyStoredBatches', () => {
  const batch = (compression: number, magic = 2): StoredBatch => ({
    partition: 0,
    baseOffset: 0n,
    magic,
    compression,
    control: false,
  })

  it('accepts the chosen codec, with uncompressed batches beside it', () => {
    verifyStoredBatches([batch(3), batch(0), batch(3)], 3)
    verifyStoredBatches([batch(0)], 0)
  })

  it('rejects a client that never compressed', () => {
    assert.throws(() => verifyStoredBatches([batch(0), batch(0)], 3), /expected magic 2 codec 3/)
  })

  it('rejects another codec or an old message format', () => {
    assert.throws(() => verifyStoredBatches([batch(3), batch(1)], 3), /codec 1/)
    assert.throws(() => verifyStoredBatches([batch(1, 1)], 1), /magic 1/)
  })
})

describe('transactions: assertReadsExactly and expectedTokens', () => {
  const committed = [...recordsFor('c1', PARTITIONS, 3), ...recordsFor('c3', PARTITIONS, 3)]
  const aborted = recordsFor('a2', PARTITIONS, 3)
  /** What a read_committed consumer of commit c1, abort a2, commit c3 reads: offsets skip a2 and the markers. */
  const faithfulRead = (): ReadRecord[] => {
    const offsets = [0, 0, 0]
    return committed.map((r) => {
      const offset = offsets[r.partition] ?? 0
      offsets[r.partition] = offset + (offset === 2 ? 6 : 1) // after c1's last record (2): its marker, a2's 3 and marker
      return { ...r, offset }
    })
  }

  it('accepts exactly the committed records, in order per partition', () => {
    assertReadsExactly(faithfulRead(), committed, PARTITIONS)
    assertReadsExactly(
      faithfulRead()
        .reverse()
        .sort((x, y) => x.partition - y.partition || x.offset - y.offset),
      committed,
      PARTITIONS,
    )
  })

  it('rejects an aborted record, a lost or reordered committed record, and offsets that do not increase', () => {
    const read = faithfulRead()
    const leaked = [...read, { ...(aborted[0] as ReadRecord), offset: 99 }]
    assert.throws(() => assertReadsExactly(leaked, committed, PARTITIONS), /exactly the committed records/)
    assert.throws(() => assertReadsExactly(read.slice(1), committed, PARTITIONS), /exactly the committed records/)
    const swapped = read.map((r) => ({ ...r }))
    ;[swapped[0]!.value, swapped[3]!.value] = [swapped[3]!.value, swapped[0]!.value]
    assert.throws(() => assertReadsExactly(swapped, committed, PARTITIONS), /exactly the committed records/)
    const stuck = read.map((r) => ({ ...r, offset: 0 }))
    assert.throws(() => assertReadsExactly(stuck, committed, PARTITIONS), /offsets increase/)
  })

  it('expects each transaction on each partition to end with its marker', () => {
    const tokens = expectedTokens(
      [
        { records: recordsFor('c1', 2, 2), outcome: 'commit' },
        { records: recordsFor('a2', 2, 1).filter((r) => r.partition === 1), outcome: 'abort' },
      ],
      1,
    )
    assert.deepEqual(tokens, ['c1-p1-0', 'c1-p1-1', '<COMMIT>', 'a2-p1-0', '<ABORT>'])
  })
})
