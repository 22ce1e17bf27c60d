// Test records for the compatibility scenarios: deterministic generation, the JSON-lines files that carry them to
// and from client processes (Python, Node 22), and the checks that compare what a client consumed with what it
// produced.

import assert from 'node:assert/strict'
import { readFile, writeFile } from 'node:fs/promises'
import { xorshift32 } from '@samsa/protocol/testing'

export type Header = [name: string, value: Buffer]

export interface TestRecord {
  key: Buffer
  value: Buffer
  headers: Header[]
}

/** A record as a consumer handed it back, with the position it was read from. */
export interface ConsumedRecord extends TestRecord {
  partition: number
  offset: number
}

/** Where the producer's delivery report said record `index` (its position in the produced list) was written. */
export interface Delivery {
  index: number
  partition: number
  offset: number
}

export interface PartitionOffsets {
  partition: number
  earliest: number
  latest: number
}

export interface RecordShape {
  /** Keys and values are arbitrary bytes (0x00-0xff); otherwise printable ASCII without tab, newline, ',' or '='. */
  binary: boolean
  /** 'per-record': each record has its own headers; 'fixed': the same headers on every record (kcat -H); 'none'. */
  headers: 'per-record' | 'fixed' | 'none'
}

export const RECORD_COUNT = 10_000
export const PARTITIONS = 3
/** Distinct keys: every key recurs RECORD_COUNT / KEY_COUNT times, which checks that a key sticks to a partition. */
export const KEY_COUNT = 100
export const FIXED_HEADERS: Header[] = [
  ['compat-suite', Buffer.from('samsa')],
  ['empty', Buffer.alloc(0)],
]

const ASCII = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.:;!?#%&()[]{}<>/+*@~^$|'

function bytes(next: () => number, length: number, binary: boolean): Buffer {
  const out = Buffer.alloc(length)
  for (let i = 0; i < length; i++) {
    // a run-heavy mix so that every codec has something to compress
    const r = next()
    const byte = r % 4 === 0 ? (i * 7) & 0xff : (r >>> 8) & 0xff
    out[i] = binary ? byte : ASCII.charCodeAt(byte % ASCII.length)
  }
  return out
}

/**
 * `count` records. Record i's value starts with "#i " so that a consumed record can be traced back to the record
 * it should equal; the rest of the value, the key suffix and the headers vary with i.
 */
export function makeRecords(shape: RecordShape, count = RECORD_COUNT, seed = 0x5a45a): TestRecord[] {
  // xorshift32: the same records on every run, so a failure can be reproduced byte for byte.
  const next = xorshift32(seed)
  const records: TestRecord[] = []
  for (let i = 0; i < count; i++) {
    const k = i % KEY_COUNT
    const key = shape.binary
      ? Buffer.concat([Buffer.from(`key-${k}`), Buffer.from([0x00, k & 0xff, 0xff])])
      : Buffer.from(`key-${k}`)
    const value = Buffer.concat([Buffer.from(`#${i} `), bytes(next, 1 + (next() % 300), shape.binary)])
    let headers: Header[] = []
    if (shape.headers === 'fixed') headers = FIXED_HEADERS
    else if (shape.headers === 'per-record' && i % 3 !== 0) {
      headers = [['index', Buffer.from(String(i))]]
      if (i % 3 === 2) headers.push(['blob', bytes(next, next() % 40, shape.binary)])
    }
    records.push({ key, value, headers })
  }
  return records
}

/** The produced index a value carries ("#123 …" → 123), or -1. */
export function indexOf(value: Buffer): number {
  if (value[0] !== 0x23) return -1
  const space = value.indexOf(0x20)
  if (space < 2) return -1
  const n = Number(value.subarray(1, space).toString('latin1'))
  return Number.isInteger(n) ? n : -1
}

// ---- JSON-lines files for client processes: byte fields are base64 ----

interface RecordLine {
  k: string
  v: string
  h: [string, string][]
  p?: number
  o?: number
}

export async function writeRecordsFile(path: string, records: readonly TestRecord[]): Promise<void> {
  const lines = records.map((r) =>
    JSON.stringify({
      k: r.key.toString('base64'),
      v: r.value.toString('base64'),
      h: r.headers.map(([n, v]) => [n, v.toString('base64')]),
    } satisfies RecordLine),
  )
  await writeFile(path, lines.join('\n') + '\n')
}

/** For client programs written in TypeScript (run under Node 22): the records a produce step must send. */
export async function readRecordsFile(path: string): Promise<TestRecord[]> {
  return parseLines<RecordLine>(await readFile(path, 'utf8')).map((line) => ({
    key: Buffer.from(line.k, 'base64'),
    value: Buffer.from(line.v, 'base64'),
    headers: line.h.map(([n, v]): Header => [n, Buffer.from(v, 'base64')]),
  }))
}

/** One line of a consumed-records file (see readConsumedFile). */
export function consumedLine(r: ConsumedRecord): string {
  const line: RecordLine = {
    p: r.partition,
    o: r.offset,
    k: r.key.toString('base64'),
    v: r.value.toString('base64'),
    h: r.headers.map(([n, v]) => [n, v.toString('base64')]),
  }
  return JSON.stringify(line) + '\n'
}

function parseLines<T>(text: string): T[] {
  return text
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as T)
}

/** Reads records a client process wrote: one JSON object per line with p, o, k, v (base64, null allowed), h. */
export async function readConsumedFile(path: string): Promise<ConsumedRecord[]> {
  return parseLines<Omit<RecordLine, 'k' | 'v'> & { k: string | null; v: string | null }>(
    await readFile(path, 'utf8'),
  ).map((line) => ({
    partition: line.p ?? -1,
    offset: line.o ?? -1,
    key: Buffer.from(line.k ?? '', 'base64'),
    value: Buffer.from(line.v ?? '', 'base64'),
    headers: line.h.map(([n, v]): Header => [n, Buffer.from(v, 'base64')]),
  }))
}

/** Reads delivery reports a client process wrote: one {"i","p","o"} per line. */
export async function readDeliveriesFile(path: string): Promise<Delivery[]> {
  return parseLines<{ i: number; p: number; o: number }>(await readFile(path, 'utf8')).map((d) => ({
    index: d.i,
    partition: d.p,
    offset: d.o,
  }))
}

// ---- checks ----

function show(buffer: Buffer): string {
  return JSON.stringify(buffer.toString('latin1').slice(0, 60))
}

/**
 * Everything produced came back exactly once and byte-equal (key, value, headers in order), every key stayed in one
 * partition, every partition holds records, and within a partition offsets run 0, 1, 2, … in produce order.
 * Returns the record count per partition.
 */
export function verifyConsumed(
  produced: readonly TestRecord[],
  consumed: readonly ConsumedRecord[],
  partitions: number,
): number[] {
  const seen = new Map<number, ConsumedRecord>()
  for (const record of consumed) {
    const index = indexOf(record.value)
    assert.ok(
      index >= 0 && index < produced.length,
      `consumed a record that was not produced: value ${show(record.value)}`,
    )
    const earlier = seen.get(index)
    assert.equal(
      earlier,
      undefined,
      `record #${index} consumed twice (p${record.partition}@${record.offset} and p${earlier?.partition}@${earlier?.offset})`,
    )
    seen.set(index, record)
    const want = produced[index] as TestRecord
    const where = `record #${index} at p${record.partition}@${record.offset}`
    assert.ok(record.key.equals(want.key), `${where}: key ${show(record.key)} != ${show(want.key)}`)
    assert.ok(
      record.value.equals(want.value),
      `${where}: value differs (${record.value.length} vs ${want.value.length} bytes)`,
    )
    assert.deepEqual(
      record.headers.map(([n, v]) => [n, v.toString('hex')]),
      want.headers.map(([n, v]) => [n, v.toString('hex')]),
      `${where}: headers differ`,
    )
  }
  assert.equal(consumed.length, produced.length, `consumed ${consumed.length} records, produced ${produced.length}`)

  const partitionOfKey = new Map<string, number>()
  const byPartition: ConsumedRecord[][] = Array.from({ length: partitions }, () => [])
  for (const record of consumed) {
    assert.ok(record.partition >= 0 && record.partition < partitions, `record in partition ${record.partition}`)
    const key = record.key.toString('hex')
    const first = partitionOfKey.get(key)
    if (first === undefined) partitionOfKey.set(key, record.partition)
    else
      assert.equal(record.partition, first, `key ${show(record.key)} is in partitions ${first} and ${record.partition}`)
    byPartition[record.partition]?.push(record)
  }
  return byPartition.map((records, partition) => {
    assert.ok(records.length > 0, `partition ${partition} got no records: the keys did not spread`)
    records.sort((a, b) => a.offset - b.offset)
    records.forEach((record, i) => {
      assert.equal(record.offset, i, `partition ${partition}: offsets are not contiguous from 0 (position ${i})`)
      if (i > 0) {
        const before = indexOf((records[i - 1] as ConsumedRecord).value)
        assert.ok(
          indexOf(record.value) > before,
          `partition ${partition}@${i}: #${indexOf(record.value)} after #${before}, out of produce order`,
        )
      }
    })
    return records.length
  })
}

/** The producer's delivery reports name the same partition and offset the consumer found each record at. */
export function verifyDeliveries(
  deliveries: readonly Delivery[],
  consumed: readonly ConsumedRecord[],
  count: number,
): void {
  assert.equal(deliveries.length, count, `${deliveries.length} delivery reports for ${count} records`)
  const at = new Map(consumed.map((r) => [indexOf(r.value), r]))
  for (const d of deliveries) {
    const record = at.get(d.index)
    assert.ok(record, `delivery report for #${d.index}, which was not consumed`)
    assert.deepEqual(
      [d.partition, d.offset],
      [record.partition, record.offset],
      `record #${d.index}: delivery report vs consumed position`,
    )
  }
}

/** ListOffsets agrees with what was produced: earliest 0 and latest = record count, for every partition. */
export function verifyOffsets(offsets: readonly PartitionOffsets[], counts: readonly number[]): void {
  const sorted = [...offsets].sort((a, b) => a.partition - b.partition)
  assert.deepEqual(
    sorted,
    counts.map((latest, partition) => ({ partition, earliest: 0, latest })),
    'ListOffsets earliest/latest per partition',
  )
}
