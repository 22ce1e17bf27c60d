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

/**
 * Decodes exactly `count` records from `data`. A record whose length disagrees with its fields, a count that
 * disagrees with the bytes, or trailing bytes are ProtocolDecodeErrors naming the record (`records[7].key`);
 * the broker answers those with INVALID_RECORD or CORRUPT_MESSAGE.
 */
export function decodeRecords(data: Buffer, count: number): DecodedRecord[] {
  // Each record takes at least 7 bytes, so a count that the bytes cannot hold is refused before allocating.
  if (count < 0 || count * 7 > data.length) {
    throw new ProtocolDecodeError(`recordsCount ${count} does not fit in ${data.length} bytes of records`)
  }
  const reader = new Reader(data)
  const records = new Array<DecodedRecord>(count)
  for (let i = 0; i < count; i++) {
    try {
      records[i] = decodeRecord(reader)
    } catch (error) {
      throw asDecodeError(error).within(`records[${i}]`)
    }
  }
  if (reader.remaining !== 0) {
    throw new ProtocolDecodeError(`${reader.remaining} bytes follow the last of ${count} records`)
  }
  return records
}

function decodeRecord(reader: Reader): DecodedRecord {
  const length = reader.varint()
  if (length < 0) throw new ProtocolDecodeError(`negative record length ${length}`)
  const start = reader.offset
  reader.need(length)
  const end = start + length
  const body = new Reader(reader.buf, start, end)
  const attributes = body.int8()
  const timestampDelta = body.varlong()
  const offsetDelta = body.varint()
  const key = readNullable(body, 'key')
  const value = readNullable(body, 'value')
  const headerCount = body.varint()
  // A header takes at least two bytes (empty key, null value).
  if (headerCount < 0 || headerCount * 2 > body.remaining) {
    throw new ProtocolDecodeError(`header count ${headerCount} does not fit in the record`).within('headers')
  }
  const headers = new Array<RecordHeader>(headerCount)
  for (let h = 0; h < headerCount; h++) {
    const keyLength = body.varint()
    if (keyLength < 0) throw new ProtocolDecodeError('null header key').within(`headers[${h}]`)
    headers[h] = { key: body.utf8(keyLength), value: readNullable(body, `headers[${h}].value`) }
  }
  if (body.remaining !== 0) {
    throw new ProtocolDecodeError(`record length ${length} leaves ${body.remaining} bytes unread`)
  }
  reader.offset = end
  return { attributes, timestampDelta, offsetDelta, key, value, headers }
}

function readNullable(reader: Reader, field: string): Buffer | null {
  try {
    const n = reader.varint()
    if (n === -1) return null
    return reader.bytes(n)
  } catch (error) {
    throw asDecodeError(error).within(field)
  }
}

function asDecodeError(error: unknown): ProtocolDecodeError {
  return error instanceof ProtocolDecodeError
    ? error
    : new ProtocolDecodeError(error instanceof Error ? error.message : String(error))
}
