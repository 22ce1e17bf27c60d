// Large appends to segment files bypass the page cache (O_DIRECT).
//
// Why: on the VMs Samsa is measured on, every new page-cache page comes from memory the guest has handed back to
// the host, and filling it runs at ~250 MB/s: plain `dd` writing a new file gets no more (bench/results/broker.md,
// LIMITS.md §2.2). The same bytes written with O_DIRECT reach ~1 GB/s and cost the guest almost no CPU, because
// the device copies them. Small writes are the other way round: an O_DIRECT write waits for the device (~100 µs
// for 4 KiB here) where a buffered one returns at once. So only appends of at least `minBytes` go direct.
// Redpanda writes its whole log this way; Kafka trusts the page cache. Reads stay buffered (the kernel drops the
// cached pages a direct write covers, so they never see stale bytes), and the broker's tail cache serves
// consumers reading near the end without touching the file.
//
// O_DIRECT wants the memory, the file position and the length aligned to the block. So the file's last partial
// block is read back, the append is copied behind it into one reusable aligned staging buffer, the whole blocks
// go direct, and the few bytes left over (less than a block) are written buffered. The file never holds padding:
// its length is always the log's length, and a crash leaves exactly what a buffered writer would have left.

import * as fs from 'node:fs'
import { alignedMemory } from './aligned-memory.ts'
import { copyBytes } from './copy-bytes.ts'

/** The alignment used for position, length and memory: the file system block, a multiple of any device's. */
export const DIRECT_ALIGN = 4096
/** Bytes handed to one O_DIRECT write at most; larger appends are written in several. */
const STAGING_BYTES = 4 * 1024 * 1024

let staging: Buffer | undefined

/** One staging buffer for every file: appends are synchronous, so no two ever use it at once. */
function stagingBuffer(): Buffer {
  staging ??= alignedMemory(STAGING_BYTES)
  return staging
}

/** Opens `path` a second time for O_DIRECT writes; undefined where the file system does not support them. */
export function openDirect(path: string): number | undefined {
  const O_DIRECT = fs.constants.O_DIRECT
  if (O_DIRECT === undefined) return undefined
  try {
    return fs.openSync(path, fs.constants.O_WRONLY | O_DIRECT)
  } catch {
    return undefined
  }
}

/**
 * Appends `data` at `position` (the file's current length) through `directFd`, with the buffered `fd` for the
 * partial blocks at both ends. Returns false, having written nothing, when the kernel refuses the direct write
 * (EINVAL: an alignment it wants and we did not guess); the caller then writes buffered and stops trying.
 */
export function appendDirect(
  fd: number,
  directFd: number,
  data: Buffer,
  position: number,
  writeDirect: typeof writeFully = writeFully,
): boolean {
  const buffer = stagingBuffer()
  let blockStart = position - (position % DIRECT_ALIGN)
  // The bytes of the last partial block already in the file go first, so that the block is rewritten whole.
  let carried = readFully(fd, buffer, position - blockStart, blockStart)
  let consumed = 0
  let wroteDirect = false
  for (;;) {
    const take = Math.min(data.length - consumed, STAGING_BYTES - carried)
    copyBytes(data, buffer, carried, consumed, consumed + take)
    consumed += take
    const filled = carried + take
    const whole = filled - (filled % DIRECT_ALIGN)
    if (whole > 0) {
      try {
        writeDirect(directFd, buffer, 0, whole, blockStart)
      } catch (error) {
        if (!wroteDirect && (error as NodeJS.ErrnoException).code === 'EINVAL') return false
        throw error
      }
      wroteDirect = true
      blockStart += whole
    }
    carried = filled - whole
    // What is left of the block goes to the front, behind which the next part of `data` is copied.
    if (carried > 0 && whole > 0) buffer.copy(buffer, 0, whole, filled)
    if (consumed === data.length) break
  }
  // Less than a block is left: it goes to the page cache, and the next direct append reads it back from there.
  if (carried > 0) writeFully(fd, buffer, 0, carried, blockStart)
  return true
}

/**
 * appendDirect without the staging copy, for bytes that already sit in page-aligned memory at an offset congruent
 * to `position` modulo DIRECT_ALIGN, with `position % DIRECT_ALIGN` bytes of room before them that may be
 * overwritten (the background writer's ring reserves such spans, background-writer.ts). The file's last partial
 * block is read into that room, then the whole blocks go direct straight from `memory`. Returns false, having
 * written nothing, on EINVAL, as appendDirect does.
 */
export function appendDirectInPlace(
  fd: number,
  directFd: number,
  memory: Buffer,
  offset: number,
  length: number,
  position: number,
): boolean {
  const head = position % DIRECT_ALIGN
  const blockStart = position - head
  const from = offset - head
  if (from < 0 || from % DIRECT_ALIGN !== 0) throw new RangeError(`offset ${offset} is not aligned like ${position}`)
  readFully(fd, memory, head, blockStart, from)
  const whole = head + length - ((head + length) % DIRECT_ALIGN)
  if (whole > 0) {
    try {
      writeFully(directFd, memory, from, whole, blockStart)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EINVAL') return false
      throw error
    }
  }
  // Less than a block is left: through the page cache, as in appendDirect.
  if (head + length > whole) writeFully(fd, memory, from + whole, head + length - whole, blockStart + whole)
  return true
}

function readFully(fd: number, target: Buffer, length: number, position: number, targetOffset = 0): number {
  let done = 0
  while (done < length) {
    const n = fs.readSync(fd, target, targetOffset + done, length - done, position + done)
    if (n === 0) throw new Error(`file shorter than expected: ${position + done} bytes`)
    done += n
  }
  return done
}

export function writeFully(fd: number, source: Buffer, offset: number, length: number, position: number): void {
  let done = 0
  while (done < length) done += fs.writeSync(fd, source, offset + done, length - done, position + done)
}
