// Segment appends written by a second thread. The event loop copies each append into a shared ring (memory that is
// reused, so the copy runs at memory speed) and queues a descriptor; a worker thread (background-writer-worker.ts)
// writes it, with O_DIRECT for large appends when the file system allows them (direct-append.ts). An O_DIRECT write
// waits for the device (~1 ms per MiB on these VMs) without using the CPU: done here, that wait overlaps with the
// event loop reading and validating the next request instead of stalling it. Kafka separates the same two jobs:
// network threads read requests while request-handler threads append to the log.
//
// Ordering: the worker writes descriptors in submission order, and every other operation on a file (a
// synchronous write, read past the cache, truncate, sync, close) first waits for the queue to drain (drainSync),
// so the file always sees the same sequence of writes as before. Durability: callers must not acknowledge or
// expose an append before `written()` resolves; the broker answers Produce and advances the high watermark only
// then, so a kill -9 loses only what nobody was told about — as with a synchronous write.

import { Worker } from 'node:worker_threads'
import { alignedSharedMemory } from './aligned-memory.ts'
import { CONTROL, CONTROL_WORDS, SLOT_FIELDS, SLOTS, type BackgroundWriterMemory } from './background-writer-layout.ts'
import { DIRECT_ALIGN } from './direct-append.ts'

const { SUBMITTED, DONE, STOP, FAILED } = CONTROL

/**
 * The worker's module: beside this one, as TypeScript when running from source (see startWorker) and as
 * JavaScript in dist/ and in the broker's bundle (scripts/bundle-broker.mjs).
 */
const WORKER_URL = new URL(
  import.meta.url.endsWith('.ts') ? './background-writer-worker.ts' : './background-writer-worker.js',
  import.meta.url,
)

/** How long a synchronous wait for the worker may last without any write finishing. */
const STALL_MS = 30_000

/**
 * Starts the worker thread. From TypeScript sources (tests, benches) Node 20 does not give worker threads the
 * process's `--import tsx` loader, so the worker registers tsx itself before it imports its module.
 */
function startWorker(workerData: BackgroundWriterMemory): Worker {
  if (!WORKER_URL.pathname.endsWith('.ts')) return new Worker(WORKER_URL, { workerData })
  const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'))
  const source = `import(${tsx}).then((api) => { api.register(); return import(${JSON.stringify(WORKER_URL.href)}) })`
  return new Worker(source, { eval: true, workerData })
}

/** Atomics.waitAsync (V8 since Node 16; TypeScript types it from lib es2024, which this project does not use). */
const waitAsync = (
  Atomics as unknown as {
    waitAsync(
      this: void,
      array: Int32Array,
      index: number,
      value: number,
    ): { async: boolean; value: Promise<string> | string }
  }
).waitAsync

/** Where an append's bytes went in the ring; `start`/`end` count bytes ever reserved (they only grow). */
export interface RingSpan {
  readonly offset: number
  readonly start: number
  readonly end: number
  /** Laid out for an O_DIRECT write straight from the ring (reserveForDirect). */
  readonly inPlace: boolean
}

export class BackgroundWriteError extends Error {
  readonly code: string | undefined

  constructor(message: string, code: string | undefined) {
    super(`background segment write failed: ${message}`)
    this.name = 'BackgroundWriteError'
    this.code = code
  }
}

export class BackgroundWriter {
  /** The ring's bytes: the tail cache serves reads of recent appends from them. */
  readonly ring: Buffer
  readonly #slots: Float64Array
  readonly #control: Int32Array
  /** Ring end (in bytes ever reserved) of the append in each slot, to know how far the worker has freed the ring. */
  readonly #slotEnds = new Float64Array(SLOTS)
  readonly #worker: Worker
  #submitted = 0
  #seenDone = 0
  #reserved = 0
  #writtenEnd = 0
  #failure: BackgroundWriteError | null = null
  #waiters: { target: number; resolve: () => void; reject: (error: Error) => void }[] = []
  #pumping = false
  #closed = false

  constructor(ringBytes: number) {
    // Page-aligned, so that O_DIRECT writes can take their bytes straight from it (reserveForDirect).
    const ring = alignedSharedMemory(ringBytes)
    const slots = new SharedArrayBuffer(SLOTS * SLOT_FIELDS * Float64Array.BYTES_PER_ELEMENT)
    const control = new SharedArrayBuffer(CONTROL_WORDS * Int32Array.BYTES_PER_ELEMENT)
    this.ring = Buffer.from(ring)
    this.#slots = new Float64Array(slots)
    this.#control = new Int32Array(control)
    const workerData: BackgroundWriterMemory = { ring, slots, control }
    this.#worker = startWorker(workerData)
    this.#worker.on('message', (m: { code?: string; message: string }) => this.#fail(m.message, m.code))
    this.#worker.on('error', (e: Error) => this.#fail(e.message, undefined))
    // The broker's sockets keep the process alive; an idle writer must not.
    this.#worker.unref()
  }

  /** The largest single append taken; larger ones are written synchronously by the caller. */
  get maxAppend(): number {
    return this.ring.length >>> 2
  }

  /** Appends handed to the thread so far. */
  get submitted(): number {
    return this.#submitted
  }

  /** Appends submitted and not yet written. */
  get pending(): number {
    return (this.#submitted - Atomics.load(this.#control, DONE)) | 0
  }

  /**
   * True when every append submitted so far is written, so that a caller may write the next one itself without
   * overtaking any. Throws after a failed write, as reserve() does: nothing may be written past it.
   */
  isIdle(): boolean {
    this.#throwIfFailed()
    return this.pending === 0
  }

  /**
   * Space for `length` bytes, waiting (blocking) for the worker when the ring or the descriptor queue is full.
   * Bytes reserved before `end - ring.length` may be overwritten from now on: whoever reads from the ring must
   * forget them first.
   */
  reserve(length: number): RingSpan {
    return this.#reserve(length, -1)
  }

  /**
   * Like reserve, for an append that will go O_DIRECT to file `position`: the bytes are placed at a ring offset
   * congruent to `position` modulo the block, behind room for the file's last partial block, so the worker writes
   * whole blocks straight from the ring (direct-append.ts appendDirectInPlace) instead of copying them first.
   */
  reserveForDirect(length: number, position: number): RingSpan {
    return this.#reserve(length, position % DIRECT_ALIGN)
  }

  #reserve(length: number, head: number): RingSpan {
    this.#throwIfFailed()
    const size = this.ring.length
    // Room to move the block holding the data's first byte onto a block boundary of the ring.
    const needed = head < 0 ? length : length + head + DIRECT_ALIGN - 1
    let start = this.#reserved
    if ((start % size) + needed > size) start += size - (start % size) // never wrap inside one append
    const dataStart = head < 0 ? start : Math.ceil(start / DIRECT_ALIGN) * DIRECT_ALIGN + head
    const end = dataStart + length
    while (this.#updateWrittenEnd() < end - size || this.pending >= SLOTS - 1) this.#waitForWorker()
    this.#reserved = end
    return { offset: dataStart % size, start, end, inPlace: head >= 0 }
  }

  /**
   * Queues the bytes at `span` (already copied into the ring) for writing to `fd` at `position`; with O_DIRECT
   * through `directFd` when one is given.
   */
  submit(fd: number, position: number, span: RingSpan, length: number, directFd = -1): void {
    const slot = this.#submitted & (SLOTS - 1)
    const at = slot * SLOT_FIELDS
    this.#slots[at] = fd
    this.#slots[at + 1] = position
    this.#slots[at + 2] = span.offset
    this.#slots[at + 3] = length
    this.#slots[at + 4] = directFd
    this.#slots[at + 5] = span.inPlace ? 1 : 0
    this.#slotEnds[slot] = span.end
    this.#submitted = (this.#submitted + 1) | 0
    Atomics.store(this.#control, SUBMITTED, this.#submitted)
    Atomics.notify(this.#control, SUBMITTED)
  }

  /** Resolves once every append submitted so far is written; rejects if a write failed. */
  written(): Promise<void> {
    // The flag, not only #failure: the worker may have failed (and finished) the last append before its message
    // with the details arrives, and then nothing is pending.
    const failure = this.#failureSoFar()
    if (failure !== null) return Promise.reject(failure)
    if (this.pending === 0) return Promise.resolve()
    return new Promise((resolve, reject) => {
      this.#waiters.push({ target: this.#submitted, resolve, reject })
      if (!this.#pumping) void this.#pump()
    })
  }

  /** Blocks until the worker has written everything submitted (before any other operation on the files). */
  drainSync(): void {
    while (this.pending !== 0) this.#waitForWorker()
    this.#throwIfFailed()
  }

  /** Drains, then lets the worker exit. */
  close(): void {
    if (this.#closed) return
    this.#closed = true
    try {
      this.drainSync()
    } finally {
      Atomics.store(this.#control, STOP, 1)
      Atomics.notify(this.#control, SUBMITTED)
    }
  }

  /**
   * Blocks until the worker finishes a write. A worker that makes no progress for STALL_MS (it died before it
   * could report, or the disk hangs) fails the writer instead of blocking the event loop for ever.
   */
  #waitForWorker(): void {
    const done = Atomics.load(this.#control, DONE)
    if (((this.#submitted - done) | 0) === 0) return
    if (Atomics.wait(this.#control, DONE, done, STALL_MS) === 'timed-out') {
      this.#fail(`no write finished in ${STALL_MS} ms`, undefined)
      throw this.#failure as BackgroundWriteError
    }
  }

  /** How far (in bytes ever reserved) the ring holds only written bytes. */
  #updateWrittenEnd(): number {
    const done = Atomics.load(this.#control, DONE)
    if (done !== this.#seenDone) {
      this.#writtenEnd = this.#slotEnds[(done - 1) & (SLOTS - 1)] as number
      this.#seenDone = done
    }
    return this.pending === 0 ? this.#reserved : this.#writtenEnd
  }

  async #pump(): Promise<void> {
    this.#pumping = true
    // Atomics.waitAsync alone does not keep the process alive: the thread does while someone awaits a write.
    this.#worker.ref()
    try {
      while (this.#waiters.length > 0) {
        const done = Atomics.load(this.#control, DONE)
        if (this.#failureSoFar() !== null) break
        while (this.#waiters.length > 0 && ((done - (this.#waiters[0] as { target: number }).target) | 0) >= 0) {
          this.#waiters.shift()?.resolve()
        }
        if (this.#failure !== null || this.#waiters.length === 0) break
        const wait = waitAsync(this.#control, DONE, done)
        if (wait.async) await wait.value
      }
    } finally {
      this.#pumping = false
      this.#worker.unref()
    }
    if (this.#failure !== null) this.#rejectAll(this.#failure)
  }

  #fail(message: string, code: string | undefined): void {
    if (this.#failure === null || this.#failure.code === undefined)
      this.#failure = new BackgroundWriteError(message, code)
    this.#rejectAll(this.#failure)
  }

  #rejectAll(error: Error): void {
    const waiters = this.#waiters
    this.#waiters = []
    for (const w of waiters) w.reject(error)
  }

  #throwIfFailed(): void {
    const failure = this.#failureSoFar()
    if (failure !== null) throw failure
  }

  /** The failure, if a write failed; made up when the worker's message with the details is still on its way. */
  #failureSoFar(): BackgroundWriteError | null {
    if (Atomics.load(this.#control, FAILED) !== 0) {
      this.#failure ??= new BackgroundWriteError('a write to a segment file failed', undefined)
    }
    return this.#failure
  }
}
