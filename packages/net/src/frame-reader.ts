// Frames read from a socket that hands its bytes to us in memory we choose (net.Socket's `onread` option), instead
// of FrameDecoder's chunks. Two kinds of memory take the reads:
// - A scratch buffer, shared by every connection of the thread, takes size prefixes and small frames. Complete
//   small frames are copied out (they must outlive the next read), several in one allocation, and an incomplete rest
//   is copied aside until the connection's next read. Sharing is safe because libuv hands out a read buffer, reads
//   and reports one socket's read at a time, on the event loop's thread; an idle connection holds no read memory.
// - A frame too large to finish in the scratch buffer gets a buffer of exactly its size as soon as its prefix is
//   known (unless a peer claims far more than it has sent: CLAIM_FACTOR), and the socket reads the rest of it
//   straight in: no per-read chunk for the GC, no concatenation. A 1 MiB
//   Produce request is then one allocation and no user-space copy, where 'data' events cost sixteen 64 KiB chunks
//   (each an ArrayBuffer for the GC) and a Buffer.concat. Measured on 1 KB-record ingest with kcat (issue 3): the
//   event loop's CPU per 300 MB went from ~0.57 to ~0.39 s.
// Kafka's NetworkReceive does much the same: it allocates the whole request once the size is read.
//
// The size is checked against maxFrameBytes before anything is allocated, as FrameDecoder does. With a FramePool,
// large frames come from it, and a handler done with one gives it back (recycle).

import type { FramePool } from './frame-pool.ts'
import { FrameTooLargeError, SIZE_PREFIX_BYTES } from './framing.ts'

/** Bytes of the shared read buffer. */
const SCRATCH_BYTES = 64 * 1024
/** Taken apart after every read, before any other connection reads into it (see the top). */
const scratch = Buffer.allocUnsafeSlow(SCRATCH_BYTES)
/** A frame (prefix included) larger than this that is not complete in the scratch buffer is read into its own. */
const OWN_BUFFER_MIN_BYTES = 16 * 1024
/**
 * A frame's buffer starts at most this many times the bytes of it already received, and doubles as more arrive:
 * memory follows what a peer sends, not what it claims (up to socket.request.max.bytes, 100 MiB; every allocation
 * also counts towards V8's external memory and can start a full GC). A client's request usually arrives at once, so
 * the first read of a 1 MiB produce request (up to 64 KiB of it) already gets the whole buffer.
 */
const CLAIM_FACTOR = 32

export interface FrameSink {
  frames(frames: Buffer[]): void
  error(error: FrameTooLargeError): void
}

export class FrameReader {
  readonly maxFrameBytes: number
  /** The start of a small frame (or of a size prefix) not complete yet: it goes back to the scratch buffer's start. */
  #carry: Buffer | null = null
  /** The large frame being read into its own buffer (maybe only its start so far), its size, how much arrived. */
  #frame: Buffer | null = null
  #frameSize = 0
  #filled = 0
  #sink: FrameSink | null = null
  /** A refused size: the connection is done, nothing more is read. */
  #failure: FrameTooLargeError | null = null

  readonly #pool: FramePool | undefined

  constructor(maxFrameBytes: number, pool?: FramePool) {
    this.#pool = pool
    if (!Number.isInteger(maxFrameBytes) || maxFrameBytes < 0) {
      throw new RangeError(`maxFrameBytes must be a non-negative integer, got ${maxFrameBytes}`)
    }
    this.maxFrameBytes = maxFrameBytes
  }

  /** Where complete frames (and a refused size) go. Frames that arrive before there is a sink are dropped. */
  attach(sink: FrameSink): void {
    this.#sink = sink
  }

  /** The memory the socket's next read goes into (onread.buffer). */
  nextBuffer(): Buffer {
    if (this.#frame !== null) return this.#frame.subarray(this.#filled)
    if (this.#carry === null) return scratch
    return scratch.subarray(this.#carry.copy(scratch, 0))
  }

  /** The socket read `nread` bytes into the last buffer nextBuffer() returned (onread.callback). */
  received(nread: number): void {
    if (this.#failure !== null) return
    const sink = this.#sink
    const frame = this.#frame
    if (frame !== null) {
      this.#filled += nread
      if (this.#filled < this.#frameSize) {
        if (this.#filled === frame.length) this.#grow(frame)
        return
      }
      this.#frame = null
      this.#filled = 0
      sink?.frames([frame])
      return
    }
    const frames = this.#takeFromScratch((this.#carry?.length ?? 0) + nread)
    if (frames.length > 0) sink?.frames(frames)
    if (this.#failure !== null) sink?.error(this.#failure)
  }

  /**
   * The caller is done with `frame` (one this reader handed out): nothing may read or keep it any more. Frames from
   * the pool go back to it; others are left to the GC.
   */
  recycle(frame: Buffer): void {
    this.#pool?.recycle(frame)
  }

  /** The frame's buffer is full and more of it is announced: twice the room (at most the frame's size). */
  #grow(frame: Buffer): void {
    const larger = Buffer.allocUnsafeSlow(Math.min(this.#frameSize, frame.length * 2))
    frame.copy(larger, 0, 0, this.#filled)
    this.#frame = larger
  }

  /** Hands out the frames complete in scratch[0, end) and keeps what is left for the next reads. */
  #takeFromScratch(end: number): Buffer[] {
    let pos = 0
    let size = -1
    while (end - pos >= SIZE_PREFIX_BYTES) {
      size = scratch.readInt32BE(pos)
      if (size < 0 || size > this.maxFrameBytes) {
        // The frames before it are still handed out; nothing after it is read.
        this.#failure = new FrameTooLargeError(size, this.maxFrameBytes)
        return copyOutFrames(scratch, pos)
      }
      if (end - pos - SIZE_PREFIX_BYTES < size) break
      pos += SIZE_PREFIX_BYTES + size
      size = -1
    }
    const frames = copyOutFrames(scratch, pos)
    const left = end - pos
    if (size >= 0 && SIZE_PREFIX_BYTES + size > OWN_BUFFER_MIN_BYTES) {
      const room = Math.min(size, Math.max(OWN_BUFFER_MIN_BYTES, CLAIM_FACTOR * (end - pos - SIZE_PREFIX_BYTES)))
      const frame =
        room === size ? (this.#pool?.take(size) ?? Buffer.allocUnsafeSlow(size)) : Buffer.allocUnsafeSlow(room)
      this.#filled = scratch.copy(frame, 0, pos + SIZE_PREFIX_BYTES, end)
      this.#frame = frame
      this.#frameSize = size
      this.#carry = null
    } else {
      this.#carry = left > 0 ? Buffer.from(scratch.subarray(pos, end)) : null
    }
    return frames
  }
}

/** The frames in scratch[0, end), copied out in one allocation (the scratch buffer is reused by the next read). */
function copyOutFrames(scratch: Buffer, end: number): Buffer[] {
  if (end === 0) return []
  const block = Buffer.allocUnsafe(end)
  scratch.copy(block, 0, 0, end)
  const frames: Buffer[] = []
  let pos = 0
  while (pos < end) {
    const size = block.readInt32BE(pos)
    frames.push(block.subarray(pos + SIZE_PREFIX_BYTES, pos + SIZE_PREFIX_BYTES + size))
    pos += SIZE_PREFIX_BYTES + size
  }
  return frames
}
