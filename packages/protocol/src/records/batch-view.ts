// A zero-copy view over one v2 record batch. The broker's produce path reads a batch's header, checks its CRC,
// stamps baseOffset and partitionLeaderEpoch and appends the bytes as they came; the fetch path serves them
// as they are. None of that needs the records, so the view reads header fields straight out of the Buffer and
// never decodes (or decompresses) anything. Decoding is batch-codec.ts's job.

import { ProtocolDecodeError } from '../primitives/codec-errors.ts'
import {
  ATTRIBUTES_OFFSET,
  BASE_OFFSET_OFFSET,
  BASE_SEQUENCE_OFFSET,
  BASE_TIMESTAMP_OFFSET,
  BATCH_LENGTH_OFFSET,
  BatchAttribute,
  CRC_OFFSET,
  CRC_START,
  CURRENT_MAGIC,
  LAST_OFFSET_DELTA_OFFSET,
  LOG_OVERHEAD,
  MAGIC_OFFSET,
  MAX_TIMESTAMP_OFFSET,
  PARTITION_LEADER_EPOCH_OFFSET,
  PRODUCER_EPOCH_OFFSET,
  PRODUCER_ID_OFFSET,
  RECORD_BATCH_OVERHEAD,
  RECORDS_COUNT_OFFSET,
  TimestampType,
} from './constants.ts'
import { crc32c } from './crc32c.ts'

/** Enough to read baseOffset, batchLength and magic, which every message format has in the same place. */
const MIN_ENTRY_HEADER = MAGIC_OFFSET + 1

export class RecordBatchView {
  /** The buffer the batch lives in; the batch is buffer[byteOffset, byteOffset + byteLength). */
  readonly buffer: Buffer
  readonly byteOffset: number
  /** Bytes the view spans (which validate() checks against the declared batchLength). */
  readonly byteLength: number
  readonly #v2: boolean

  /**
   * A view over buf[offset, end). The header must be complete: 61 bytes for magic 2. Entries of the older message
   * formats (magic 0 and 1, found in record sets of old logs) are accepted so a record set can still be walked,
   * but only their baseOffset, batchLength, magic and size are readable.
   */
  constructor(buf: Buffer, offset = 0, end = buf.length) {
    if (!Number.isInteger(offset) || !Number.isInteger(end) || offset < 0 || end > buf.length || end < offset) {
      throw new ProtocolDecodeError(`record batch range [${offset}, ${end}) is outside a ${buf.length}-byte buffer`)
    }
    const size = end - offset
    if (size < MIN_ENTRY_HEADER) {
      throw new ProtocolDecodeError(`record batch is ${size} bytes, less than the ${RECORD_BATCH_OVERHEAD}-byte header`)
    }
    const magic = buf[offset + MAGIC_OFFSET] as number
    if (magic >= CURRENT_MAGIC && size < RECORD_BATCH_OVERHEAD) {
      throw new ProtocolDecodeError(`record batch is ${size} bytes, less than the ${RECORD_BATCH_OVERHEAD}-byte header`)
    }
    this.buffer = buf
    this.byteOffset = offset
    this.byteLength = size
    this.#v2 = magic >= CURRENT_MAGIC
  }

  /** The batch bytes, as a zero-copy subarray. */
  get bytes(): Buffer {
    return this.buffer.subarray(this.byteOffset, this.byteOffset + this.byteLength)
  }

  /** The bytes after recordsCount: the records, or the compressed stream that holds them. */
  get payload(): Buffer {
    this.#requireV2()
    return this.buffer.subarray(this.byteOffset + RECORD_BATCH_OVERHEAD, this.byteOffset + this.byteLength)
  }

  get baseOffset(): bigint {
    return this.buffer.readBigInt64BE(this.byteOffset + BASE_OFFSET_OFFSET)
  }

  /** Outside the CRC: the broker assigns it on append without recomputing anything. */
  set baseOffset(value: bigint) {
    this.buffer.writeBigInt64BE(value, this.byteOffset + BASE_OFFSET_OFFSET)
  }

  /** Bytes after the batchLength field. */
  get batchLength(): number {
    return this.buffer.readInt32BE(this.byteOffset + BATCH_LENGTH_OFFSET)
  }

  /** The size the batch declares (12 + batchLength), which for a valid batch equals byteLength. */
  get sizeInBytes(): number {
    return LOG_OVERHEAD + this.batchLength
  }

  get partitionLeaderEpoch(): number {
    this.#requireV2()
    return this.buffer.readInt32BE(this.byteOffset + PARTITION_LEADER_EPOCH_OFFSET)
  }

  /** Outside the CRC, like baseOffset: the leader stamps its epoch on append. */
  set partitionLeaderEpoch(value: number) {
    this.#requireV2()
    this.buffer.writeInt32BE(value, this.byteOffset + PARTITION_LEADER_EPOCH_OFFSET)
  }

  get magic(): number {
    return this.buffer[this.byteOffset + MAGIC_OFFSET] as number
  }

  /** The stored CRC-32C (unsigned). */
  get crc(): number {
    this.#requireV2()
    return this.buffer.readUInt32BE(this.byteOffset + CRC_OFFSET)
  }

  get attributes(): number {
    this.#requireV2()
    return this.buffer.readInt16BE(this.byteOffset + ATTRIBUTES_OFFSET)
  }

  /** Codec id from attribute bits 0–2 (see Compression); 5–7 are not assigned, so this is a plain number. */
  get compression(): number {
    return this.attributes & BatchAttribute.COMPRESSION_MASK
  }

  get timestampType(): TimestampType {
    return this.attributes & BatchAttribute.TIMESTAMP_TYPE ? TimestampType.LOG_APPEND_TIME : TimestampType.CREATE_TIME
  }

  get isTransactional(): boolean {
    return (this.attributes & BatchAttribute.TRANSACTIONAL) !== 0
  }

  get isControlBatch(): boolean {
    return (this.attributes & BatchAttribute.CONTROL) !== 0
  }

  /** Set by compaction: baseTimestamp then holds the delete horizon, not the first record's timestamp. */
  get hasDeleteHorizonMs(): boolean {
    return (this.attributes & BatchAttribute.DELETE_HORIZON) !== 0
  }

  get lastOffsetDelta(): number {
    this.#requireV2()
    return this.buffer.readInt32BE(this.byteOffset + LAST_OFFSET_DELTA_OFFSET)
  }

  get baseTimestamp(): bigint {
    this.#requireV2()
    return this.buffer.readBigInt64BE(this.byteOffset + BASE_TIMESTAMP_OFFSET)
  }

  get maxTimestamp(): bigint {
    this.#requireV2()
    return this.buffer.readBigInt64BE(this.byteOffset + MAX_TIMESTAMP_OFFSET)
  }

  get producerId(): bigint {
    this.#requireV2()
    return this.buffer.readBigInt64BE(this.byteOffset + PRODUCER_ID_OFFSET)
  }

  get producerEpoch(): number {
    this.#requireV2()
    return this.buffer.readInt16BE(this.byteOffset + PRODUCER_EPOCH_OFFSET)
  }

  get baseSequence(): number {
    this.#requireV2()
    return this.buffer.readInt32BE(this.byteOffset + BASE_SEQUENCE_OFFSET)
  }

  get recordsCount(): number {
    this.#requireV2()
    return this.buffer.readInt32BE(this.byteOffset + RECORDS_COUNT_OFFSET)
  }

  get lastOffset(): bigint {
    return this.baseOffset + BigInt(this.lastOffsetDelta)
  }

  get nextOffset(): bigint {
    return this.lastOffset + 1n
  }

  /** CRC-32C over [attributes, end of batch), computed now. */
  computeCrc(): number {
    this.#requireV2()
    return crc32c(this.buffer.subarray(this.byteOffset + CRC_START, this.byteOffset + this.byteLength))
  }

  /**
   * What a broker does for a topic with message.timestamp.type=LogAppendTime: set the timestamp-type bit and
   * maxTimestamp (consumers then use maxTimestamp as every record's timestamp). Both are inside the CRC, so the
   * CRC is recomputed; the records are untouched.
   */
  setLogAppendTime(timestampMs: number | bigint): void {
    this.#requireV2()
    const at = this.byteOffset
    const attributes = this.buffer.readInt16BE(at + ATTRIBUTES_OFFSET) | BatchAttribute.TIMESTAMP_TYPE
    this.buffer.writeInt16BE(attributes, at + ATTRIBUTES_OFFSET)
    this.buffer.writeBigInt64BE(BigInt(timestampMs), at + MAX_TIMESTAMP_OFFSET)
    this.buffer.writeUInt32BE(this.computeCrc(), at + CRC_OFFSET)
  }

  /** Rewrites the stored CRC from the current bytes (after editing a field inside the CRC range). */
  updateCrc(): void {
    this.buffer.writeUInt32BE(this.computeCrc(), this.byteOffset + CRC_OFFSET)
  }

  /** Why the batch is not a valid v2 batch, or null: the broker's integrity check (CORRUPT_MESSAGE on failure). */
  problem(): string | null {
    const size = this.byteLength
    if (!this.#v2 || this.magic !== CURRENT_MAGIC) return `unsupported record batch magic ${this.magic}`
    const declared = LOG_OVERHEAD + this.batchLength
    if (declared !== size) return `batchLength declares ${declared} bytes but the batch has ${size}`
    const stored = this.crc
    const computed = this.computeCrc()
    if (stored !== computed) return `CRC-32C mismatch: stored 0x${hex32(stored)}, computed 0x${hex32(computed)}`
    return null
  }

  isValid(): boolean {
    return this.problem() === null
  }

  /** Throws a ProtocolDecodeError unless the batch is a complete v2 batch whose CRC matches. */
  validate(): void {
    const problem = this.problem()
    if (problem !== null) throw new ProtocolDecodeError(problem)
  }

  #requireV2(): void {
    if (!this.#v2) throw new ProtocolDecodeError(`not a v2 record batch (magic ${this.magic})`)
  }
}

function hex32(n: number): string {
  return n.toString(16).padStart(8, '0')
}

/**
 * The entries of a record set (the `records` bytes of a Produce request or Fetch response) as views, plus the
 * trailing bytes that do not form a whole batch. Kafka cuts Fetch responses at the byte limit, so the last
 * batch may be partial; that is normal and reported here for the caller to skip (or, if nothing complete came
 * back, to fetch again with a larger limit).
 */
export class RecordSet implements Iterable<RecordBatchView> {
  readonly batches: RecordBatchView[]
  /** Bytes after the last complete batch; 0 when the set ends on a batch boundary. */
  readonly partialBytes: number
  /** The size the partial batch declares (12 + batchLength), or -1 when even its length was cut off. */
  readonly partialBatchSize: number

  constructor(batches: RecordBatchView[], partialBytes: number, partialBatchSize: number) {
    this.batches = batches
    this.partialBytes = partialBytes
    this.partialBatchSize = partialBatchSize
  }

  [Symbol.iterator](): Iterator<RecordBatchView> {
    return this.batches[Symbol.iterator]()
  }
}

/** The smallest legacy (magic 0) message after the log overhead; anything declaring less is corrupt. */
const MIN_ENTRY_LENGTH = 14
const MIN_V2_BATCH_LENGTH = RECORD_BATCH_OVERHEAD - LOG_OVERHEAD

/**
 * Splits a record set into batch views without copying or checking CRCs (call validate() on each view for that).
 * Entries of the old message formats appear as views whose magic is 0 or 1; callers that only accept v2 check
 * `view.magic`. A declared length that no entry can have is a ProtocolDecodeError; a cut-off tail is not.
 */
export function splitBatches(buf: Buffer, offset = 0, end = buf.length): RecordSet {
  if (!Number.isInteger(offset) || !Number.isInteger(end) || offset < 0 || end > buf.length || end < offset) {
    throw new ProtocolDecodeError(`record set range [${offset}, ${end}) is outside a ${buf.length}-byte buffer`)
  }
  const batches: RecordBatchView[] = []
  let pos = offset
  while (pos < end) {
    const remaining = end - pos
    if (remaining < LOG_OVERHEAD) return new RecordSet(batches, remaining, -1)
    const length = buf.readInt32BE(pos + BATCH_LENGTH_OFFSET)
    if (length < MIN_ENTRY_LENGTH) {
      throw new ProtocolDecodeError(`record batch length ${length} is below the minimum`).within(`[${batches.length}]`)
    }
    const size = LOG_OVERHEAD + length
    if (size > remaining) return new RecordSet(batches, remaining, size)
    if ((buf[pos + MAGIC_OFFSET] as number) >= CURRENT_MAGIC && length < MIN_V2_BATCH_LENGTH) {
      throw new ProtocolDecodeError(`record batch length ${length} is below the 49-byte minimum of magic 2`).within(
        `[${batches.length}]`,
      )
    }
    batches.push(new RecordBatchView(buf, pos, pos + size))
    pos += size
  }
  return new RecordSet(batches, 0, -1)
}
