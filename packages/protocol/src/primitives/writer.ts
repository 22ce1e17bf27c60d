// The write half of the two-pass encoder: sizes are computed first, then a Writer fills one
// Buffer.allocUnsafe of exactly that size. Record sets are not copied in: `chunk(records)` ends the current
// slice and emits the caller's buffer as its own chunk, so a Fetch response goes to the socket as
// [header+fields, batches…, fields…] without touching log bytes.

import { ProtocolEncodeError } from './codec-errors.ts'
import { writeUVarint, writeVarint, writeVarlong } from './varint.ts'

export class Writer {
  readonly buf: Buffer
  offset = 0
  #chunkStart = 0
  readonly chunks: Buffer[] = []

  constructor(size: number) {
    this.buf = Buffer.allocUnsafe(size)
  }

  int8(v: number): void {
    this.buf.writeInt8(v, this.offset++)
  }

  uint8(v: number): void {
    this.buf[this.offset++] = v
  }

  bool(v: boolean): void {
    this.buf[this.offset++] = v ? 1 : 0
  }

  int16(v: number): void {
    this.offset = this.buf.writeInt16BE(v, this.offset)
  }

  uint16(v: number): void {
    this.offset = this.buf.writeUInt16BE(v, this.offset)
  }

  int32(v: number): void {
    this.offset = this.buf.writeInt32BE(v, this.offset)
  }

  uint32(v: number): void {
    this.offset = this.buf.writeUInt32BE(v, this.offset)
  }

  int64(v: bigint): void {
    this.offset = this.buf.writeBigInt64BE(v, this.offset)
  }

  float64(v: number): void {
    this.offset = this.buf.writeDoubleBE(v, this.offset)
  }

  uvarint(v: number): void {
    this.offset = writeUVarint(this.buf, this.offset, v)
  }

  varint(v: number): void {
    this.offset = writeVarint(this.buf, this.offset, v)
  }

  varlong(v: number): void {
    this.offset = writeVarlong(this.buf, this.offset, v)
  }

  bytes(v: Uint8Array): void {
    this.buf.set(v, this.offset)
    this.offset += v.length
  }

  /** Writes a string whose UTF-8 length the size pass already computed. */
  utf8(v: string, byteLength: number): void {
    const written = this.buf.write(v, this.offset, byteLength, 'utf8')
    this.offset += written
  }

  uuid(v: string): void {
    const written = this.buf.write(v, this.offset, 16, 'base64url')
    if (written !== 16 || v.length !== 22) throw new ProtocolEncodeError(`not a 16-byte base64url UUID: ${v}`)
    this.offset += 16
  }

  /** Emits `data` as a separate output chunk, splitting the owned buffer around it (zero-copy). */
  chunk(data: Buffer): void {
    if (data.length === 0) return
    if (this.offset > this.#chunkStart) this.chunks.push(this.buf.subarray(this.#chunkStart, this.offset))
    this.chunks.push(data)
    this.#chunkStart = this.offset
  }

  /** All output as chunks, in order. */
  finish(): Buffer[] {
    if (this.offset !== this.buf.length) {
      throw new ProtocolEncodeError(`encoder wrote ${this.offset} bytes but sized ${this.buf.length}`)
    }
    if (this.offset > this.#chunkStart || this.chunks.length === 0) {
      this.chunks.push(this.buf.subarray(this.#chunkStart, this.offset))
    }
    return this.chunks
  }
}
