// The newest bytes of every segment file, kept in memory. Consumers mostly read what producers just wrote, and
// on these machines copying a file range out of the page cache runs at ~2 GB/s against ~10 GB/s for a copy
// between buffers (LIMITS.md §2; bench/results/broker.md), so serving the tail from memory is what lets a Fetch
// keep up with a broker that holds everything in memory. Kafka leans on the page cache plus sendfile, which Node
// cannot do; Redpanda keeps a batch cache for the same reason.
//
// A FileSystem decorator: `.log` files opened through it remember what is appended to them, as a contiguous
// suffix of the file, and reads inside that suffix are copied from memory. One byte budget covers every file;
// when it is exceeded the oldest chunks, across all files, are dropped first. Anything other than an append at
// the end (a truncation, a write into the middle) drops the file's whole cache. Reads return
// exactly what the file holds, so nothing above this layer can tell the difference but the speed.

import { BackgroundWriter } from './background-writer.ts'
import { copyBytes } from './copy-bytes.ts'
import type { FileHandle, FileSystem, WriteOptions } from './file-system.ts'

interface Chunk {
  readonly position: number
  /** null once dropped, so the age queue never keeps the bytes of a chunk its file let go of. */
  bytes: Buffer | null
  /** Where the bytes start in the background writer's ring (in bytes ever reserved), or -1 for the caller's buffer. */
  readonly ringStart: number
}

interface QueueEntry {
  readonly file: CachedFileHandle
  readonly chunk: Chunk
}

/** The shared budget and the age order of every cached chunk. */
class TailCacheBudget {
  readonly maxBytes: number
  #bytes = 0
  #liveChunks = 0
  #queue: QueueEntry[] = []
  #head = 0

  constructor(maxBytes: number) {
    this.maxBytes = maxBytes
  }

  get bytes(): number {
    return this.#bytes
  }

  added(file: CachedFileHandle, chunk: Chunk, length: number): void {
    this.#bytes += length
    this.#liveChunks++
    this.#queue.push({ file, chunk })
    while (this.#bytes > this.maxBytes && this.#head < this.#queue.length) {
      const oldest = this.#queue[this.#head] as QueueEntry
      this.#queue[this.#head++] = undefined as unknown as QueueEntry
      if (oldest.chunk.bytes !== null) oldest.file.evict(oldest.chunk)
    }
    // Entries of chunks their files dropped (truncation, close) linger until here: keep the queue proportional to
    // what is alive.
    if (this.#queue.length - this.#head > 2 * this.#liveChunks + 1024) {
      this.#queue = this.#queue.slice(this.#head).filter((entry) => entry.chunk.bytes !== null)
      this.#head = 0
    }
  }

  /** Drops every chunk whose bytes in the ring start before `limit`: the ring is about to overwrite them. */
  evictRingBefore(limit: number): void {
    while (this.#head < this.#queue.length) {
      const oldest = this.#queue[this.#head] as QueueEntry
      if (oldest.chunk.bytes !== null && oldest.chunk.ringStart >= limit) return
      this.#queue[this.#head++] = undefined as unknown as QueueEntry
      if (oldest.chunk.bytes !== null) oldest.file.evict(oldest.chunk)
    }
  }

  removed(chunk: Chunk): void {
    if (chunk.bytes === null) return
    this.#bytes -= chunk.bytes.length
    this.#liveChunks--
    chunk.bytes = null
  }
}

class CachedFileHandle implements FileHandle {
  readonly #inner: FileHandle
  readonly #budget: TailCacheBudget
  readonly #owner: TailCachingFileSystem
  /** Cached chunks in file order; together they cover [#chunks[#first].position, #end). */
  #chunks: Chunk[] = []
  #first = 0
  /** The file's length, known without asking the file system. */
  #end: number

  constructor(inner: FileHandle, budget: TailCacheBudget, owner: TailCachingFileSystem) {
    this.#inner = inner
    this.#budget = budget
    this.#owner = owner
    this.#end = inner.size()
  }

  get fd(): number | undefined {
    return this.#inner.fd
  }

  size(): number {
    this.#owner.drain()
    return this.#inner.size()
  }

  read(target: Buffer, position: number, length = target.length): number {
    const first = this.#chunks[this.#first]
    if (first === undefined || position < first.position || position >= this.#end) {
      this.#owner.drain()
      return this.#inner.read(target, position, length)
    }
    let index = this.#chunkAt(position)
    let done = 0
    while (done < length && index < this.#chunks.length) {
      const chunk = this.#chunks[index] as Chunk
      const bytes = chunk.bytes as Buffer // chunks in #chunks are never dropped ones
      const from = position + done - chunk.position
      done += copyBytes(bytes, target, done, from, Math.min(bytes.length, from + length - done))
      index++
    }
    return done
  }

  write(data: Buffer, position: number, options?: WriteOptions): void {
    const fd = this.#inner.fd
    const writer = options?.background && fd !== undefined && position === this.#end ? this.#owner.writer() : undefined
    const directFd = writer === undefined ? undefined : this.#inner.directFdFor?.(data.length)
    if (writer !== undefined && data.length <= writer.maxAppend && !writesAtOnce(writer, data.length, directFd)) {
      const span = directFd === undefined ? writer.reserve(data.length) : writer.reserveForDirect(data.length, position)
      this.#budget.evictRingBefore(span.end - writer.ring.length)
      copyBytes(data, writer.ring, span.offset)
      writer.submit(fd as number, position, span, data.length, directFd)
      this.#end += data.length
      const chunk: Chunk = {
        position,
        bytes: writer.ring.subarray(span.offset, span.offset + data.length),
        ringStart: span.start,
      }
      this.#chunks.push(chunk)
      this.#budget.added(this, chunk, data.length)
      return
    }
    this.#owner.drain()
    this.#inner.write(data, position)
    if (position !== this.#end) {
      this.#dropAll()
      this.#end = this.#inner.size()
      return
    }
    this.#end += data.length
    if (data.length > this.#budget.maxBytes) {
      this.#dropAll()
      return
    }
    // A background append's bytes may be reused by the caller as soon as write() returns (WriteOptions): keep a copy.
    const bytes = options?.background === true ? Buffer.from(data) : keepable(data)
    const chunk: Chunk = { position, bytes, ringStart: -1 }
    this.#chunks.push(chunk)
    this.#budget.added(this, chunk, data.length)
  }

  truncate(length: number): void {
    this.#owner.drain()
    this.#inner.truncate(length)
    if (length !== this.#end) this.#dropAll()
    this.#end = length
  }

  datasync(): Promise<void> {
    this.#owner.drain()
    return this.#inner.datasync()
  }

  datasyncSync(): void {
    this.#owner.drain()
    this.#inner.datasyncSync()
  }

  close(): void {
    this.#owner.drain()
    this.#dropAll()
    this.#inner.close()
  }

  /** Called by the budget for its oldest chunk: dropped only if it is still this file's first. */
  evict(chunk: Chunk): void {
    if (this.#chunks[this.#first] !== chunk) return
    this.#chunks[this.#first++] = undefined as unknown as Chunk
    this.#budget.removed(chunk)
    if (this.#first === this.#chunks.length) {
      this.#chunks = []
      this.#first = 0
    } else if (this.#first > 1024 && this.#first * 2 > this.#chunks.length) {
      this.#chunks = this.#chunks.slice(this.#first)
      this.#first = 0
    }
  }

  /** Forgets everything cached (the file changed other than by an append, or is closing). */
  #dropAll(): void {
    for (let i = this.#first; i < this.#chunks.length; i++) this.#budget.removed(this.#chunks[i] as Chunk)
    this.#chunks = []
    this.#first = 0
  }

  /** Index of the chunk holding `position` (which is inside the cached range). */
  #chunkAt(position: number): number {
    let low = this.#first
    let high = this.#chunks.length - 1
    while (low < high) {
      const mid = (low + high + 1) >>> 1
      if ((this.#chunks[mid] as Chunk).position <= position) low = mid
      else high = mid - 1
    }
    return low
  }
}

/**
 * What to keep of appended bytes: the caller's buffer itself (appends come from produce requests, which nobody
 * touches afterwards), so caching costs no copy; a copy only when a small append is a view into a much larger
 * allocation that it would otherwise keep alive.
 */
function keepable(data: Buffer): Buffer {
  return data.length < 64 * 1024 && data.length * 8 < data.buffer.byteLength ? Buffer.from(data) : data
}

/** Below this a ring is too small to hold produce requests of common sizes: appends stay synchronous. */
const MIN_RING_BYTES = 4 * 1024 * 1024

/**
 * Below this, a background append that finds the writer idle is written at once instead. A page-cache write of a
 * few KiB costs microseconds, while handing it to the thread and hearing back costs a produce ~0.3 ms on these
 * 2-core VMs (measured with one-record sends): that is the latency of every small produce at low load. Under load
 * the queue is rarely empty, and appends that find it busy must queue behind it to stay in order.
 */
const BACKGROUND_MIN_BYTES = 16 * 1024

function writesAtOnce(writer: BackgroundWriter, length: number, directFd: number | undefined): boolean {
  return directFd === undefined && length < BACKGROUND_MIN_BYTES && writer.isIdle()
}

/**
 * Wraps `inner` so that segment files (`<base>.log`; not the cleaner's `.cleaned` files, which it writes from
 * reused buffers) keep their tail in memory. Whoever appends to a segment must not modify the bytes afterwards.
 *
 * With `backgroundWrites`, appends asked to (`{ background: true }`) to a file with a descriptor are copied into a
 * ring of maxBytes that doubles as their cache, and written by a worker thread (background-writer.ts); `written()`
 * tells when they are written.
 */
export class TailCachingFileSystem implements FileSystem {
  readonly #inner: FileSystem
  readonly #budget: TailCacheBudget
  readonly #backgroundWrites: boolean
  #writer: BackgroundWriter | undefined
  #closed = false

  constructor(inner: FileSystem, options: { maxBytes: number; backgroundWrites?: boolean }) {
    this.#inner = inner
    this.#budget = new TailCacheBudget(options.maxBytes)
    this.#backgroundWrites = options.backgroundWrites === true && options.maxBytes >= MIN_RING_BYTES
  }

  /** The background writer, started on the first background append (never again after close()). */
  writer(): BackgroundWriter | undefined {
    if (this.#writer === undefined && this.#backgroundWrites && !this.#closed) {
      this.#writer = new BackgroundWriter(this.#budget.maxBytes)
    }
    return this.#writer
  }

  /** Waits (blocking) until every background append is written. */
  drain(): void {
    if (this.#writer !== undefined && this.#writer.pending !== 0) this.#writer.drainSync()
  }

  written(): Promise<void> {
    return this.#writer?.written() ?? Promise.resolve()
  }

  /** Drains and stops the background writer (the files stay usable, written synchronously). */
  close(): void {
    this.#closed = true
    this.#writer?.close()
    this.#writer = undefined
  }

  /** Bytes held in memory right now (at most maxBytes). */
  get cachedBytes(): number {
    return this.#budget.bytes
  }

  open(path: string, options?: { create?: boolean }): FileHandle {
    const handle = this.#inner.open(path, options)
    return this.#budget.maxBytes > 0 && path.endsWith('.log')
      ? new CachedFileHandle(handle, this.#budget, this)
      : handle
  }

  mkdirp(dir: string): void {
    this.#inner.mkdirp(dir)
  }
  list(dir: string): string[] {
    return this.#inner.list(dir)
  }
  exists(path: string): boolean {
    return this.#inner.exists(path)
  }
  isDirectory(path: string): boolean {
    return this.#inner.isDirectory(path)
  }
  readFile(path: string): Buffer {
    return this.#inner.readFile(path)
  }
  writeFile(path: string, data: Buffer): void {
    this.#inner.writeFile(path, data)
  }
  rename(from: string, to: string): void {
    this.#inner.rename(from, to)
  }
  remove(path: string): void {
    this.#inner.remove(path)
  }
  removeTree(dir: string): void {
    this.#inner.removeTree(dir)
  }
  syncDirectory(dir: string): Promise<void> {
    return this.#inner.syncDirectory(dir)
  }
  syncDirectorySync(dir: string): void {
    this.#inner.syncDirectorySync(dir)
  }
}
