// Recycled memory for the Fetch path. Reading a segment into a fresh Buffer.allocUnsafe costs several times the
// copy itself: every new megabyte is fresh pages the kernel (and under a VM, the host) must fault in, and the
// garbage collector later unmaps them again (LIMITS.md §2.2). Fetch responses are the broker's biggest readers, so
// each one takes a lease: its reads are carved out of 1 MiB slabs, and the slabs come back to the pool once the
// response has been handed to the kernel (the session's write callback). A lease that is never released only
// costs the pool those slabs; the garbage collector still frees them.
//
// The pool also counts every byte its live leases hold, against a budget (samsa.fetch.memory.max.bytes). Kafka
// answers a Fetch from the page cache with sendfile and holds no response in memory; here a response's records
// stay in memory until the client has taken them, so a few idle clients could otherwise make the broker hold
// fetch.max.bytes each, and more. fetch.ts makes a response smaller while the budget is spent (down to the one
// batch KIP-74 always returns), and the Fetch handler runs one Fetch per connection at a time.

/** Slab size: a consumer's default partition max bytes (max.partition.fetch.bytes, fetch.message.max.bytes). */
const SLAB_BYTES = 1 << 20
/** Reads smaller than this come from the ordinary allocator, which serves them from memory already mapped. */
const SMALL_READ_BYTES = 16 * 1024

export class ReadBufferPool {
  readonly slabBytes: number
  /** The bytes live leases may hold before responses are made smaller. */
  readonly maxInUseBytes: number
  readonly #idle: Buffer[] = []
  readonly #maxIdle: number
  #inUseBytes = 0

  /** Keeps at most `maxIdleBytes` of slabs between fetches: enough for one full response of 32 partitions. */
  constructor(options: { maxIdleBytes?: number; slabBytes?: number; maxInUseBytes?: number } = {}) {
    this.slabBytes = options.slabBytes ?? SLAB_BYTES
    this.#maxIdle = Math.floor((options.maxIdleBytes ?? 40 * SLAB_BYTES) / this.slabBytes)
    this.maxInUseBytes = options.maxInUseBytes ?? Infinity
  }

  get idleSlabs(): number {
    return this.#idle.length
  }

  /** Bytes handed out by leases not yet released. */
  get inUseBytes(): number {
    return this.#inUseBytes
  }

  /** What the budget has left (0 when spent or overdrawn): the most a Fetch should read now. */
  get availableBytes(): number {
    return Math.max(0, this.maxInUseBytes - this.#inUseBytes)
  }

  lease(): ReadLease {
    return new ReadLease(this)
  }

  /** @internal used by ReadLease */
  takeSlab(): Buffer {
    return this.#idle.pop() ?? Buffer.allocUnsafeSlow(this.slabBytes)
  }

  /** @internal used by ReadLease */
  giveBack(slabs: readonly Buffer[], bytes: number): void {
    for (const slab of slabs) if (this.#idle.length < this.#maxIdle) this.#idle.push(slab)
    this.#inUseBytes -= bytes
  }

  /** @internal used by ReadLease */
  counted(bytes: number): void {
    this.#inUseBytes += bytes
  }
}

/** The memory of one response: allocate() hands out pieces; release() once nothing reads them any more. */
export class ReadLease {
  readonly #pool: ReadBufferPool
  #slabs: Buffer[] = []
  #current: Buffer | null = null
  #used = 0
  /** Every byte allocate() handed out, slab pieces and the reads that bypass the pool alike. */
  #bytes = 0
  #released = false

  constructor(pool: ReadBufferPool) {
    this.#pool = pool
  }

  /** A buffer of exactly `size` bytes whose contents are undefined (like Buffer.allocUnsafe). */
  readonly allocate = (size: number): Buffer => {
    if (this.#released) throw new Error('read lease used after release')
    this.#bytes += size
    this.#pool.counted(size)
    if (size < SMALL_READ_BYTES || size > this.#pool.slabBytes) return Buffer.allocUnsafe(size)
    if (this.#current === null || this.#current.length - this.#used < size) {
      this.#current = this.#pool.takeSlab()
      this.#slabs.push(this.#current)
      this.#used = 0
    }
    const piece = this.#current.subarray(this.#used, this.#used + size)
    this.#used += size
    return piece
  }

  /** Returns the slabs to the pool. Only call once every buffer allocate() gave has been written or dropped. */
  release(): void {
    if (this.#released) return
    this.#released = true
    this.#pool.giveBack(this.#slabs, this.#bytes)
    this.#bytes = 0
    this.#slabs = []
    this.#current = null
  }
}
