// The four codecs of Kafka's record batches (attribute bits 0–2). Only the bytes after recordsCount are compressed.
// Each codec goes through a native, well-kept npm package (LIMITS.md §3.2): gzip through node:zlib, snappy through
// napi-rs `snappy` (with copyOutputData, 4–6× faster than its default external buffers), LZ4 frames through
// `lz4-napi`, zstd through `zstd-napi`, whose raw binding lets decompression stop at a size limit.
//
// Every decompression is bounded by `maxBytes` so a small hostile batch cannot inflate into gigabytes.
// LZ4's frame API cannot stop early; a frame inflates at most ~255× and batches are capped by max.message.bytes,
// so its output is checked after the fact.

import { createRequire } from 'node:module'
import { gunzipSync, gzipSync } from 'node:zlib'
import type * as Lz4 from 'lz4-napi'
import type * as Snappy from 'snappy'
import type * as Zstd from 'zstd-napi'
import type ZstdBinding from 'zstd-napi/binding.js'
import { ProtocolDecodeError } from '../primitives/codec-errors.ts'
import { Compression, compressionName, DEFAULT_MAX_INFLATED_BYTES } from './constants.ts'

// The native codecs load on first use: most batches a broker sees are never decompressed, and each addon adds tens
// of milliseconds to start-up (the broker's cold-start target is 300 ms).
const require = createRequire(import.meta.url)
let snappyModule: typeof Snappy | undefined
let lz4Module: typeof Lz4 | undefined
let zstdModule: typeof Zstd | undefined
let zstdBindingModule: typeof ZstdBinding | undefined
const snappy = (): typeof Snappy => (snappyModule ??= require('snappy') as typeof Snappy)
const lz4 = (): typeof Lz4 => (lz4Module ??= require('lz4-napi') as typeof Lz4)
const zstd = (): typeof Zstd => (zstdModule ??= require('zstd-napi') as typeof Zstd)
const zstdBinding = (): typeof ZstdBinding =>
  (zstdBindingModule ??= require('zstd-napi/binding.js') as typeof ZstdBinding)

/** xerial snappy-java stream framing, which Java producers write: magic, version 1, compatible version 1, then chunks. */
const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00])
const XERIAL_HEADER_BYTES = 16
/** snappy-java's default block size. */
const XERIAL_BLOCK_BYTES = 32 * 1024
const ZSTD_CHUNK_BYTES = 128 * 1024

export interface CompressOptions {
  /** Codec level: gzip 1–9 (default 6, zlib's), zstd 1–22 (default 3, Kafka's); ignored by snappy and lz4. */
  level?: number
}

export function compress(codec: number, data: Buffer, options: CompressOptions = {}): Buffer {
  switch (codec) {
    case Compression.NONE:
      return data
    case Compression.GZIP:
      return gzipSync(data, { level: options.level ?? 6 })
    case Compression.SNAPPY:
      return xerialCompress(data)
    case Compression.LZ4:
      return lz4().compressFrameSync(data)
    case Compression.ZSTD:
      return zstd().compress(data, { compressionLevel: options.level ?? 3 })
    default:
      throw new ProtocolDecodeError(`unknown compression ${compressionName(codec)}`)
  }
}

/** Inflates `data` compressed with `codec`; fails with a ProtocolDecodeError on bad input or beyond `maxBytes`. */
export function decompress(codec: number, data: Buffer, maxBytes = DEFAULT_MAX_INFLATED_BYTES): Buffer {
  let out: Buffer
  try {
    switch (codec) {
      case Compression.NONE:
        out = data
        break
      case Compression.GZIP:
        out = gunzipSync(data, { maxOutputLength: maxBytes })
        break
      case Compression.SNAPPY:
        out = hasXerialHeader(data) ? xerialDecompress(data, maxBytes) : snappyBlock(data, maxBytes)
        break
      case Compression.LZ4:
        out = lz4().decompressFrameSync(data)
        break
      case Compression.ZSTD:
        out = zstdDecompress(data, maxBytes)
        break
      default:
        throw new ProtocolDecodeError(`unknown compression ${compressionName(codec)}`)
    }
  } catch (error) {
    if (error instanceof ProtocolDecodeError) throw error
    const reason = error instanceof Error ? error.message : String(error)
    throw new ProtocolDecodeError(`${compressionName(codec)} decompression failed: ${reason}`)
  }
  if (out.length > maxBytes) {
    throw new ProtocolDecodeError(`${compressionName(codec)} data inflates past the ${maxBytes}-byte limit`)
  }
  return out
}

function hasXerialHeader(data: Buffer): boolean {
  return data.length >= XERIAL_HEADER_BYTES && data.subarray(0, XERIAL_MAGIC.length).equals(XERIAL_MAGIC)
}

/** Raw snappy declares its uncompressed length up front (a uvarint), so the limit is checked before inflating. */
function snappyBlock(data: Buffer, maxBytes: number): Buffer {
  let length = 0
  let shift = 0
  for (let i = 0; i < 5 && i < data.length; i++) {
    const b = data[i] as number
    length += (b & 0x7f) * 2 ** shift
    if (b < 0x80) break
    shift += 7
  }
  if (length > maxBytes)
    throw new ProtocolDecodeError(`snappy block declares ${length} bytes, past the ${maxBytes} limit`)
  return snappy().uncompressSync(data, { asBuffer: true, copyOutputData: true }) as Buffer
}

function xerialCompress(data: Buffer): Buffer {
  const parts: Buffer[] = [XERIAL_MAGIC, int32(1), int32(1)]
  for (let at = 0; at < data.length; at += XERIAL_BLOCK_BYTES) {
    const block = snappy().compressSync(data.subarray(at, at + XERIAL_BLOCK_BYTES), { copyOutputData: true })
    parts.push(int32(block.length), block)
  }
  return Buffer.concat(parts)
}

function xerialDecompress(data: Buffer, maxBytes: number): Buffer {
  const parts: Buffer[] = []
  let total = 0
  let at = XERIAL_HEADER_BYTES
  while (at < data.length) {
    if (at + 4 > data.length) throw new ProtocolDecodeError('xerial snappy chunk length is cut off')
    const length = data.readInt32BE(at)
    at += 4
    if (length < 0 || at + length > data.length) {
      throw new ProtocolDecodeError(`xerial snappy chunk of ${length} bytes overruns the data`)
    }
    const block = snappyBlock(data.subarray(at, at + length), maxBytes - total)
    parts.push(block)
    total += block.length
    at += length
  }
  return parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts, total)
}

let zstdContext: InstanceType<typeof ZstdBinding.DCtx> | undefined

function zstdDecompress(data: Buffer, maxBytes: number): Buffer {
  const binding = zstdBinding()
  const declared = binding.getFrameContentSize(data)
  if (declared !== null && declared > maxBytes) {
    throw new ProtocolDecodeError(`zstd frame declares ${declared} bytes, past the ${maxBytes} limit`)
  }
  zstdContext ??= new binding.DCtx()
  const dctx = zstdContext
  dctx.reset(binding.ResetDirective.sessionOnly)
  const parts: Buffer[] = []
  let total = 0
  let input = data
  for (;;) {
    // A frame that declares its size (what producers write) inflates in one call into one exact buffer: no chunks
    // to concatenate on the consumer's path.
    const wanted = total === 0 && declared !== null && declared > 0 ? declared : ZSTD_CHUNK_BYTES
    const chunk = Buffer.allocUnsafe(Math.min(wanted, maxBytes - total + 1))
    const [hint, produced, consumed] = dctx.decompressStream(chunk, input)
    total += produced
    if (total > maxBytes) throw new ProtocolDecodeError(`zstd data inflates past the ${maxBytes}-byte limit`)
    parts.push(chunk.subarray(0, produced))
    input = input.subarray(consumed)
    // A hint of 0 means the current frame is decoded and flushed; more input means another frame follows.
    if (hint === 0 && input.length === 0) break
    if (input.length === 0 && produced < chunk.length) throw new ProtocolDecodeError('zstd frame is cut off')
    if (consumed === 0 && produced === 0) throw new ProtocolDecodeError('zstd decoder made no progress')
  }
  return parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts, total)
}

function int32(n: number): Buffer {
  const b = Buffer.allocUnsafe(4)
  b.writeInt32BE(n, 0)
  return b
}
