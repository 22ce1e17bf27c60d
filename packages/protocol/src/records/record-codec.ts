// Records inside a v2 batch (Kafka's DefaultRecord): length varint, attributes int8, timestampDelta varlong,
// offsetDelta varint, key and value as varint-length bytes (-1 = null), then headers (varint count; each a
// varint-length UTF-8 key and a varint-length nullable value). Every varint here is zigzag-encoded, unlike the
// unsigned varints of flexible protocol versions. Decoded keys, values and header values are zero-copy views into
// the (decompressed) batch bytes.

import { ProtocolDecodeError } from '../primitives/codec-errors.ts'
import { Reader } from '../primitives/reader.ts'
import { varintSize, varlongSize, writeVarint, writeVarlong } from '../primitives/varint.ts'

export interface RecordHeader {
  key: string
  value: Buffer | null
}

/** A record as stored: deltas relative to its batch's baseOffset and baseTimestamp. */
export interface DecodedRecord {
  attributes: number
  timestampDelta: number
  offsetDelta: number
  key: Buffer | null
  value: Buffer | null
  headers: RecordHeader[]
}

/** A record to encode, with its deltas already resolved. */
export interface EncodableRecord {
  timestampDelta: number
  offsetDelta: number
  key: Buffer | null
  value: Buffer | null
  headers: readonly RecordHeader[]
}

/** Bytes of one record's body (everything after its length varint) and of the header keys encoded once. */
function bodySize(record: EncodableRecord, headerKeys: Buffer[]): number {
  let size = 1 + varlongSize(record.timestampDelta) + varintSize(record.offsetDelta)
  size += nullableSize(record.key) + nullableSize(record.value) + varintSize(record.headers.length)
  for (const header of record.headers) {
    const key = Buffer.from(header.key, 'utf8')
    headerKeys.push(key)
    size += varintSize(key.length) + key.length + nullableSize(header.value)
  }
  return size
}

function nullableSize(b: Buffer | null): number {
  return b === null ? 1 : varintSize(b.length) + b.length
}

/** Encodes records back to back, as they appear (before compression) after a batch's recordsCount. */
export function encodeRecords(records: readonly EncodableRecord[]): Buffer {
  const sizes = new Array<number>(records.length)
  const headerKeys: Buffer[] = []
  let total = 0
  for (let i = 0; i < records.length; i++) {
    const body = bodySize(records[i] as EncodableRecord, headerKeys)
    sizes[i] = body
    total += varintSize(body) + body
  }
  const out = Buffer.allocUnsafe(total)
  let at = 0
  let keyIndex = 0
  for (let i = 0; i < records.length; i++) {
    const record = records[i] as EncodableRecord
    at = writeVarint(out, at, sizes[i] as number)
    out[at++] = 0
    at = writeVarlong(out, at, record.timestampDelta)
    at = writeVarint(out, at, record.offsetDelta)
    at = writeNullable(out, at, record.key)
    at = writeNullable(out, at, record.value)
    at = writeVarint(out, at, record.headers.length)
    for (const header of record.headers) {
      const key = headerKeys[keyIndex++] as Buffer
      at = writeVarint(out, at, key.length)
      at += key.copy(out, at)
      at = writeNullable(out, at, header.value)
    }
  }
  return out
}

function writeNullable(out: Buffer, at: number, b: Buffer | null): number {
  if (b === null) return writeVarint(out, at, -1)
  at = writeVarint(out, at, b.length)
  return at + b.copy(out, at)
}

// The decoder below is the consumer's hot path (one call per record of every fetched batch), so it reads varints
// straight from the buffer with a module-level cursor instead of allocating a Reader per record, and only builds
// a field path once something has gone wrong.
let buf: Buffer = Buffer.alloc(0)
let pos = 0
let end = 0
const NO_HEADERS: RecordHeader[] = []
Object.freeze(NO_HEADERS)

/**
 * Decodes exactly `count` records from `data`. A record whose length disagrees with its fields, a count that
 * disagrees with the bytes, or trailing bytes are ProtocolDecodeErrors naming the record (`records[7]`);
 * the broker answers those with INVALID_RECORD or CORRUPT_MESSAGE. Records without headers share one frozen
 * empty array.
 */
export function decodeRecords(data: Buffer, count: number): DecodedRecord[] {
  // Each record takes at least 7 bytes, so a count that the bytes cannot hold is refused before allocating.
  if (count < 0 || count * 7 > data.length) {
    throw new ProtocolDecodeError(`recordsCount ${count} does not fit in ${data.length} bytes of records`)
  }
  const records = new Array<DecodedRecord>(count)
  buf = data
  pos = 0
  let i = 0
  try {
    for (; i < count; i++) records[i] = decodeRecord(data.length)
  } catch (error) {
    throw asDecodeError(error).within(`records[${i}]`)
  } finally {
    buf = EMPTY
  }
  if (pos !== data.length)
    throw new ProtocolDecodeError(`${data.length - pos} bytes follow the last of ${count} records`)
  return records
}

const EMPTY = Buffer.alloc(0)

function decodeRecord(limit: number): DecodedRecord {
  end = limit
  const length = varint()
  if (length < 0 || length > limit - pos) throw new ProtocolDecodeError(`record length ${length} overruns the batch`)
  const recordEnd = pos + length
  end = recordEnd
  if (pos >= end) throw new ProtocolDecodeError('record is empty')
  const attributes = buf.readInt8(pos++)
  const timestampDelta = varlong()
  const offsetDelta = varint()
  const key = nullableBytes()
  const value = nullableBytes()
  const headerCount = varint()
  // A header takes at least two bytes (empty key, null value).
  if (headerCount < 0 || headerCount * 2 > end - pos) {
    throw new ProtocolDecodeError(`header count ${headerCount} does not fit in the record`)
  }
  let headers = NO_HEADERS
  if (headerCount > 0) {
    headers = new Array<RecordHeader>(headerCount)
    for (let h = 0; h < headerCount; h++) {
      const keyLength = varint()
      if (keyLength < 0 || keyLength > end - pos)
        throw new ProtocolDecodeError(`header ${h} key length ${keyLength} is invalid`)
      const headerKey = buf.toString('utf8', pos, pos + keyLength)
      pos += keyLength
      headers[h] = { key: headerKey, value: nullableBytes() }
    }
  }
  if (pos !== recordEnd) throw new ProtocolDecodeError(`record length ${length} leaves ${recordEnd - pos} bytes unread`)
  return { attributes, timestampDelta, offsetDelta, key, value, headers }
}

function nullableBytes(): Buffer | null {
  const n = varint()
  if (n === -1) return null
  if (n < 0 || n > end - pos) throw new ProtocolDecodeError(`length ${n} overruns the record`)
  const out = buf.subarray(pos, pos + n)
  pos += n
  return out
}

/** Zigzag varint of at most 5 bytes. */
function varint(): number {
  let result = 0
  let shift = 0
  for (;;) {
    if (pos >= end) throw new ProtocolDecodeError('varint runs past the end of the record')
    const b = buf[pos++] as number
    if (shift === 28) {
      if (b > 0x0f) throw new ProtocolDecodeError('varint is longer than 32 bits')
      result |= b << 28
      break
    }
    result |= (b & 0x7f) << shift
    if (b < 0x80) break
    shift += 7
  }
  return (result >>> 1) ^ -(result & 1)
}

/** Zigzag varlong; the common small case (≤ 4 bytes) stays in int32 arithmetic, the rest goes through Reader. */
function varlong(): number {
  const start = pos
  let result = 0
  for (let shift = 0; shift < 28; shift += 7) {
    if (pos >= end) throw new ProtocolDecodeError('varlong runs past the end of the record')
    const b = buf[pos++] as number
    result |= (b & 0x7f) << shift
    if (b < 0x80) return (result >>> 1) ^ -(result & 1)
  }
  const reader = new Reader(buf, start, end)
  const value = reader.varlong()
  pos = reader.offset
  return value
}

function asDecodeError(error: unknown): ProtocolDecodeError {
  return error instanceof ProtocolDecodeError
    ? error
    : new ProtocolDecodeError(error instanceof Error ? error.message : String(error))
}
