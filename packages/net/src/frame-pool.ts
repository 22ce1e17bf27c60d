// Memory for large request frames, given back by the handler that read them, so the next one reuses it.
//
// Why: a fresh 1 MiB buffer per Produce request costs twice. Its pages are new to the process, and the socket's
// copy into it faults each one in (15 % of the event loop on 1 KB-record ingest, issue 3). And V8 counts it as
// external memory, which starts a full collection every ~64 MiB allocated (five or six per 300 MB). A handler that
// has copied what it needs out of a frame (Produce, when storage copies appends into its writer ring) hands the
// frame back (Session.recycleFrame), and the next large frame of any connection is read into the same memory.
//
// Only frames this pool handed out, and each only once, are taken back; anything else is ignored. A frame given back
// must not be read or written by anyone afterwards: with `poison` (tests run with it, SAMSA_POISON_RECYCLED_FRAMES=1)
// its bytes are overwritten at once, so a reader that kept a view sees garbage (a CRC error, a wrong record) instead
// of the plausible bytes of a later request.

/** Capacities are multiples of this, so frames of slightly different sizes share buffers. */
const GRANULE_BYTES = 64 * 1024
const POISON_BYTE = 0xdb

export interface FramePoolOptions {
  /** Bytes kept in spare buffers at most (the rest go to the GC). */
  maxSpareBytes: number
  /** Overwrite frames as they come back (see above). */
  poison?: boolean
}

export class FramePool {
  readonly #maxSpareBytes: number
  readonly #poison: boolean
  /** Spare memory, most recently returned last. */
  readonly #spares: ArrayBuffer[] = []
  #spareBytes = 0
  /** Memory handed out and not back yet: what recycle() takes. */
  readonly #out = new WeakSet<ArrayBuffer>()

  constructor(options: FramePoolOptions) {
    this.#maxSpareBytes = options.maxSpareBytes
    this.#poison = options.poison === true
  }

  get spareBytes(): number {
    return this.#spareBytes
  }

  /** A buffer of `size` bytes (contents undefined), in spare memory when one fits without wasting half of it. */
  take(size: number): Buffer {
    let memory: ArrayBuffer | undefined
    for (let i = this.#spares.length - 1; i >= 0; i--) {
      const spare = this.#spares[i] as ArrayBuffer
      if (spare.byteLength >= size && spare.byteLength <= 2 * size + GRANULE_BYTES) {
        memory = spare
        this.#spares.splice(i, 1)
        this.#spareBytes -= spare.byteLength
        break
      }
    }
    memory ??= Buffer.allocUnsafeSlow(Math.ceil(size / GRANULE_BYTES) * GRANULE_BYTES || GRANULE_BYTES).buffer
    this.#out.add(memory)
    return Buffer.from(memory, 0, size)
  }

  /** Takes back a frame from take(); ignores anything else, and a frame already given back. */
  recycle(frame: Buffer): void {
    const memory = frame.buffer as ArrayBuffer
    if (!this.#out.delete(memory)) return
    if (this.#poison) new Uint8Array(memory).fill(POISON_BYTE)
    if (this.#spareBytes + memory.byteLength > this.#maxSpareBytes) return
    this.#spares.push(memory)
    this.#spareBytes += memory.byteLength
  }
}
