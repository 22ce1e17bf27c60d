// Kafka's framing: every request and response is an int32 size followed by that many bytes. The decoder turns
// the arbitrary chunks a socket delivers into whole frames. A frame that sits inside one chunk is handed out as
// a subarray of it (no copy); only frames that straddle chunks are assembled into a fresh buffer.
//
// The size is checked before anything is buffered: a peer announcing more than `maxFrameBytes` (Kafka's
// socket.request.max.bytes, 100 MiB by default) is refused outright, as Kafka's NetworkReceive does, so one
// connection cannot make the process allocate whatever it claims.

/** Bytes of the size prefix. */
export const SIZE_PREFIX_BYTES = 4

/** Thrown by FrameDecoder.push when a frame announces a size the receiver will not accept. */
export class FrameTooLargeError extends Error {
  readonly frameBytes: number
  readonly maxFrameBytes: number

  constructor(frameBytes: number, maxFrameBytes: number) {
    super(
      frameBytes < 0
        ? `invalid frame size ${frameBytes}`
        : `frame of ${frameBytes} bytes is larger than the limit of ${maxFrameBytes} bytes`,
    )
    this.name = 'FrameTooLargeError'
    this.frameBytes = frameBytes
    this.maxFrameBytes = maxFrameBytes
  }
}

export class FrameDecoder {
  readonly maxFrameBytes: number
  /** Bytes received but not yet part of a complete frame. */
  #pending: Buffer[] = []
  #pendingBytes = 0
  /** Size of the frame being assembled, or -1 while its size prefix is incomplete. */
  #frameSize = -1

  constructor(maxFrameBytes: number) {
    if (!Number.isInteger(maxFrameBytes) || maxFrameBytes < 0) {
      throw new RangeError(`maxFrameBytes must be a non-negative integer, got ${maxFrameBytes}`)
    }
    this.maxFrameBytes = maxFrameBytes
  }

  /** Bytes buffered towards the next frame. */
  get bufferedBytes(): number {
    return this.#pendingBytes
  }

  /**
   * Feeds one chunk and returns the frames (without their size prefix) it completes, in order.
   * Throws FrameTooLargeError on an oversized or negative size; the decoder is then unusable.
   */
  push(chunk: Buffer): Buffer[] {
    const frames: Buffer[] = []
    let buf = chunk
    let pos = 0
    if (this.#pendingBytes > 0) {
      // Finish the frame that straddles chunks first.
      this.#pending.push(chunk)
      this.#pendingBytes += chunk.length
      if (this.#frameSize < 0) {
        if (this.#pendingBytes < SIZE_PREFIX_BYTES) return frames
        this.#frameSize = this.#checkSize(readPrefix(this.#pending))
      }
      const total = SIZE_PREFIX_BYTES + this.#frameSize
      if (this.#pendingBytes < total) return frames
      const joined = this.#pending.length === 1 ? (this.#pending[0] as Buffer) : Buffer.concat(this.#pending)
      frames.push(joined.subarray(SIZE_PREFIX_BYTES, total))
      this.#pending = []
      this.#pendingBytes = 0
      this.#frameSize = -1
      buf = joined
      pos = total
    }
    // Frames wholly inside this buffer are zero-copy subarrays.
    const end = buf.length
    while (end - pos >= SIZE_PREFIX_BYTES) {
      const size = this.#checkSize(buf.readInt32BE(pos))
      if (end - pos - SIZE_PREFIX_BYTES < size) {
        this.#frameSize = size
        break
      }
      frames.push(buf.subarray(pos + SIZE_PREFIX_BYTES, pos + SIZE_PREFIX_BYTES + size))
      pos += SIZE_PREFIX_BYTES + size
    }
    if (pos < end) {
      // Keep the tail; copy it when it is a small part of a large chunk, so the chunk can be collected.
      const tail = buf.subarray(pos)
      this.#pending.push(tail.length * 4 < buf.length ? Buffer.from(tail) : tail)
      this.#pendingBytes = tail.length
    }
    return frames
  }

  #checkSize(size: number): number {
    if (size < 0 || size > this.maxFrameBytes) throw new FrameTooLargeError(size, this.maxFrameBytes)
    return size
  }
}

function readPrefix(chunks: Buffer[]): number {
  const first = chunks[0] as Buffer
  if (first.length >= SIZE_PREFIX_BYTES) return first.readInt32BE(0)
  const head = Buffer.concat(chunks).subarray(0, SIZE_PREFIX_BYTES)
  return head.readInt32BE(0)
}

/** The size prefix for a frame whose bytes after the prefix total `size`. */
export function sizePrefix(size: number): Buffer {
  const prefix = Buffer.allocUnsafe(SIZE_PREFIX_BYTES)
  prefix.writeInt32BE(size, 0)
  return prefix
}
