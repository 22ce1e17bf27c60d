// Walks the batches of a segment file with few, large reads: a block of at least 64 KiB is read at a time and
// batches are viewed inside it, so scanning headers (recovery, the cleaner) costs one read per block, not one per
// batch (LIMITS.md §2.3). A batch larger than the block gets a block of its own. Offset lookups, one per partition
// of every Fetch, read only as much as they need (findBatchLocation).

import {
  BASE_OFFSET_OFFSET,
  BATCH_LENGTH_OFFSET,
  LAST_OFFSET_DELTA_OFFSET,
  LOG_OVERHEAD,
  RECORD_BATCH_OVERHEAD,
  RecordBatchView,
} from '@samsa/protocol'
import type { FileHandle } from '../fs/file-system.ts'

const DEFAULT_BLOCK_BYTES = 64 * 1024
/** batchLength can never be smaller than the rest of a v2 header. */
const MIN_BATCH_LENGTH = RECORD_BATCH_OVERHEAD - LOG_OVERHEAD

/**
 * A whole batch at `position`, viewed inside the scanner's block: valid until the scan moves on (copy `view.bytes`
 * to keep it). Or, where the bytes stop making sense, `problem` says why and the scan ends there.
 */
export type ScannedBatch =
  { position: number; view: RecordBatchView; problem: null } | { position: number; view: null; problem: string }

/** Batches in file[from, end). The CRC is not checked here; recovery calls view.problem() for that. */
export function* scanBatches(
  file: FileHandle,
  from: number,
  end: number,
  blockBytes = DEFAULT_BLOCK_BYTES,
): Generator<ScannedBatch, void, undefined> {
  let block = Buffer.allocUnsafe(blockBytes)
  let blockStart = from
  let blockLength = 0
  const fill = (position: number, needed: number): void => {
    if (needed > block.length) block = Buffer.allocUnsafe(needed)
    blockStart = position
    blockLength = file.read(block, position, Math.min(block.length, end - position))
  }
  let position = from
  while (position < end) {
    if (end - position < LOG_OVERHEAD) {
      yield { position, view: null, problem: `${end - position} bytes at the end are less than a batch header` }
      return
    }
    if (position + LOG_OVERHEAD > blockStart + blockLength) fill(position, LOG_OVERHEAD)
    const batchLength = block.readInt32BE(position - blockStart + 8)
    if (batchLength < MIN_BATCH_LENGTH) {
      yield { position, view: null, problem: `batchLength ${batchLength} is below the v2 minimum` }
      return
    }
    const size = LOG_OVERHEAD + batchLength
    if (size > end - position) {
      yield { position, view: null, problem: `a ${size}-byte batch runs past the end (${end - position} bytes left)` }
      return
    }
    if (position + size > blockStart + blockLength) fill(position, size)
    if (blockLength < position - blockStart + size) {
      yield { position, view: null, problem: `the file ended while reading a ${size}-byte batch` }
      return
    }
    yield {
      position,
      view: new RecordBatchView(block, position - blockStart, position - blockStart + size),
      problem: null,
    }
    position += size
  }
}

/** Where a batch sits and which offsets it holds, read from its header alone. */
export interface BatchLocation {
  position: number
  size: number
  baseOffset: bigint
  lastOffset: bigint
}

/** Shared by findBatchLocation, which runs to completion without yielding: no two searches use it at once. */
const searchBlock = Buffer.allocUnsafe(DEFAULT_BLOCK_BYTES)
/** An offset index entry lies at most index.interval.bytes (4 KiB by default) before the batch it leads to. */
const FIRST_SEARCH_READ = 4096

/**
 * The first batch in file[from, end) whose last offset is ≥ offset, from headers alone: offset lookups skip over
 * megabyte batches without reading their records (the Fetch path would otherwise read each batch twice). Every Fetch
 * makes one lookup per partition, and the index usually points at the batch itself, so the first read is 4 KiB;
 * reads grow to 64 KiB only while a run of small batches continues. Null at the end of the data or at the first
 * header that makes no sense (recovery, which must say why, uses scanBatches).
 */
export function findBatchLocation(file: FileHandle, from: number, end: number, offset: bigint): BatchLocation | null {
  let readBytes = 0
  let headersInBlock = 0
  let blockStart = from
  let blockLength = 0
  let position = from
  while (end - position >= RECORD_BATCH_OVERHEAD) {
    if (position + RECORD_BATCH_OVERHEAD > blockStart + blockLength) {
      // A block that held several headers means small batches: read more next time. One header (a large batch)
      // means the next header is as likely to be just as far away, so stay small.
      readBytes = headersInBlock > 1 ? Math.min(readBytes * 4, searchBlock.length) : FIRST_SEARCH_READ
      headersInBlock = 0
      blockStart = position
      blockLength = file.read(searchBlock, position, Math.min(readBytes, end - position))
      if (blockLength < RECORD_BATCH_OVERHEAD) return null
    }
    const at = position - blockStart
    headersInBlock++
    const size = LOG_OVERHEAD + searchBlock.readInt32BE(at + BATCH_LENGTH_OFFSET)
    if (size < RECORD_BATCH_OVERHEAD || size > end - position) return null
    const baseOffset = searchBlock.readBigInt64BE(at + BASE_OFFSET_OFFSET)
    const lastOffset = baseOffset + BigInt(searchBlock.readInt32BE(at + LAST_OFFSET_DELTA_OFFSET))
    if (lastOffset >= offset) return { position, size, baseOffset, lastOffset }
    position += size
  }
  return null
}
