// The file operations the log needs, and nothing more. Two implementations: node-file-system.ts (the real disk)
// and memory-file-system.ts (tests; it can simulate a crash that loses unsynced writes).
//
// The data path is synchronous on purpose: on these machines a sync write of a whole produce request costs
// about what the kernel costs, while every async fs call pays ~24 µs of thread-pool wakeup (LIMITS.md §2.3).
// Only fdatasync, which waits for the device, is asynchronous.

/** How an append may be written. */
export interface WriteOptions {
  /**
   * The write may complete later on a background thread (tail-cache.ts with backgroundWrites); the file system's
   * `written()` resolves once it is done. Where there is no background writer, or the append is small and nothing
   * is queued, the write is synchronous. Either way nothing keeps `data` once write() returns (the bytes are
   * written, or copied into the writer's ring), so the caller may reuse its memory (the broker recycles Produce
   * request frames, @samsa/net frame-pool.ts).
   */
  background?: boolean
}

export interface FileHandle {
  /** The operating system's descriptor, when the file has one (not in the memory file system). */
  readonly fd?: number | undefined
  /**
   * A descriptor opened with O_DIRECT for an append of `length` bytes at the end, when such appends go around the
   * page cache (direct-append.ts); undefined to write through the page cache.
   */
  directFdFor?(length: number): number | undefined
  /** The file's current length in bytes. */
  size(): number
  /** Reads up to `length` bytes at `position` into target[0, length); returns the count (short only at EOF). */
  read(target: Buffer, position: number, length?: number): number
  /**
   * Writes all of `data` at `position`, extending the file if needed. `data` must not be modified afterwards:
   * the tail cache (tail-cache.ts) may keep it to serve reads.
   */
  write(data: Buffer, position: number, options?: WriteOptions): void
  /** Cuts the file to `length` bytes. */
  truncate(length: number): void
  /** fdatasync: once this resolves, everything written before the call survives a crash. */
  datasync(): Promise<void>
  datasyncSync(): void
  close(): void
}

export interface FileSystem {
  /** Creates the directory and any missing parents; no error if it exists. */
  mkdirp(dir: string): void
  /** Names (not paths) of the entries in `dir`. */
  list(dir: string): string[]
  exists(path: string): boolean
  isDirectory(path: string): boolean
  /** Opens an existing file for reading and writing; with `create`, creates it when missing (never truncates). */
  open(path: string, options?: { create?: boolean }): FileHandle
  readFile(path: string): Buffer
  /** Replaces a file's content; not durable until synced. */
  writeFile(path: string, data: Buffer): void
  /** Atomically replaces `to` (POSIX rename). Handles open on `from` stay valid. */
  rename(from: string, to: string): void
  /** Removes a file; no error if it does not exist. */
  remove(path: string): void
  /** Removes a directory and everything under it; no error if it does not exist. */
  removeTree(dir: string): void
  /** fsync on a directory, so that entries created, renamed or removed in it survive a crash. */
  syncDirectory(dir: string): Promise<void>
  syncDirectorySync(dir: string): void
  /** Resolves once every background write (WriteOptions.background) issued so far is done; rejects if one failed. */
  written?(): Promise<void>
}

/** True for the error a FileSystem throws when a path does not exist (Node's ENOENT; the memory FS mimics it). */
export function isNotFound(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'ENOENT'
}
