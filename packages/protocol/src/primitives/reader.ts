// A bounds-checked cursor over a Buffer. Every read checks the remaining length first and throws a
// ProtocolDecodeError (never a RangeError), and every length-prefixed read checks the declared length against
// the bytes that remain before slicing, so a hostile length can never cause a large allocation.
// Byte strings are returned as zero-copy subarrays of the input.

import { ProtocolDecodeError } from './codec-errors.ts'
import { unzigzag32 } from './varint.ts'

const TWO_32 = 4294967296

export class Reader {
  readonly buf: Buffer
  offset: number
  readonly end: number

  constructor(buf: Buffer, offset = 0, end = buf.length) {
    this.buf = buf
    this.offset = offset
    this.end = end
  }

  get remaining(): number {
    return this.end - this.offset
  }

  /** Throws unless `n` more bytes are available. */
  need(n: number): void {
    if (n > this.end - this.offset) {
      throw new ProtocolDecodeError(`needs ${n} bytes but only ${this.end - this.offset} remain`)
    }
  }

  int8(): number {
    this.need(1)
    return this.buf.readInt8(this.offset++)
  }

  uint8(): number {
    this.need(1)
    return this.buf[this.offset++] as number
  }

  bool(): boolean {
    return this.uint8() !== 0
  }

  int16(): number {
    this.need(2)
    const v = this.buf.readInt16BE(this.offset)
    this.offset += 2
    return v
  }

  uint16(): number {
    this.need(2)
    const v = this.buf.readUInt16BE(this.offset)
    this.offset += 2
    return v
  }

  int32(): number {
    this.need(4)
    const v = this.buf.readInt32BE(this.offset)
    this.offset += 4
    return v
  }

  uint32(): number {
    this.need(4)
    const v = this.buf.readUInt32BE(this.offset)
    this.offset += 4
    return v
  }

  int64(): bigint {
    this.need(8)
    const v = this.buf.readBigInt64BE(this.offset)
    this.offset += 8
    return v
  }

  float64(): number {
    this.need(8)
    const v = this.buf.readDoubleBE(this.offset)
    this.offset += 8
    return v
  }

  /** Unsigned varint of at most 5 bytes (a uint32), as used by compact lengths and tags. */
  uvarint(): number {
    const buf = this.buf
    let result = 0
    let shift = 0
    for (let i = 0; i < 5; i++) {
      if (this.offset >= this.end) throw new ProtocolDecodeError('varint runs past the end of the buffer')
      const b = buf[this.offset++] as number
      if (i === 4 && b > 0x0f) throw new ProtocolDecodeError('varint is longer than 32 bits')
      result += (b & 0x7f) * 2 ** shift
      if (b < 0x80) return result
      shift += 7
    }
    throw new ProtocolDecodeError('varint is longer than 5 bytes')
  }

  /** Zigzag varint (int32). */
  varint(): number {
    return unzigzag32(this.uvarint() >>> 0) | 0
  }

  /** Zigzag varlong as a Number; values beyond ±2^53 lose precision but never throw (Kafka timestamps fit). */
  varlong(): number {
    const buf = this.buf
    let lo = 0
    let hi = 0
    let shift = 0
    for (let i = 0; i < 10; i++) {
      if (this.offset >= this.end) throw new ProtocolDecodeError('varlong runs past the end of the buffer')
      const b = buf[this.offset++] as number
      const bits = b & 0x7f
      if (shift < 28) lo |= bits << shift
      else if (shift === 28) {
        lo |= (bits & 0x0f) << 28
        hi |= bits >>> 4
      } else hi |= bits << (shift - 32)
      if (b < 0x80) {
        lo >>>= 0
        hi >>>= 0
        // unzigzag on the 64-bit value (hi:lo)
        const negative = (lo & 1) === 1
        const zLo = ((lo >>> 1) | ((hi & 1) << 31)) >>> 0
        const zHi = hi >>> 1
        const magnitude = zHi * TWO_32 + zLo
        return negative ? -magnitude - 1 : magnitude
      }
      shift += 7
    }
    throw new ProtocolDecodeError('varlong is longer than 10 bytes')
  }

  /** `n` bytes as a zero-copy view. */
  bytes(n: number): Buffer {
    if (n < 0) throw new ProtocolDecodeError(`negative length ${n}`)
    this.need(n)
    const out = this.buf.subarray(this.offset, this.offset + n)
    this.offset += n
    return out
  }

  utf8(n: number): string {
    if (n < 0) throw new ProtocolDecodeError(`negative length ${n}`)
    this.need(n)
    const s = this.buf.toString('utf8', this.offset, this.offset + n)
    this.offset += n
    return s
  }

  /** Kafka UUID (16 bytes) in Kafka's URL-safe base64 text form, as its tools print it. */
  uuid(): string {
    this.need(16)
    const s = this.buf.toString('base64url', this.offset, this.offset + 16)
    this.offset += 16
    return s
  }

  /** A sub-reader over the next `n` bytes (used for tagged fields, whose size is known up front). */
  sub(n: number): Reader {
    this.need(n)
    const r = new Reader(this.buf, this.offset, this.offset + n)
    this.offset += n
    return r
  }
}
