// A FileSystem in memory, for tests. Its point is crash(): the image a machine would find after losing power.
//
// Crash model (deliberately simple, and documented so tests can rely on it):
// - File content is durable up to the last datasync of that file. Of the bytes appended after it, a crash keeps a
//   prefix whose length the test chooses (default: none), which is how a torn tail looks on disk. A file that was
//   overwritten or truncated below its durable length since its last sync reverts to its synced content.
// - Directory operations (create, rename, remove) are durable at once, as on a journaling file system that orders
//   metadata; the log does not depend on that being false, because it fsyncs directories where Kafka does.

import { posix } from 'node:path'
import type { FileHandle, FileSystem } from './file-system.ts'

class Inode {
  #data: Buffer = Buffer.alloc(0)
  length = 0
  /** Bytes [0, durableLength) survive a crash... */
  durableLength = 0
  /** ...with this content when not null; null means they are still data[0, durableLength) untouched. */
  durableSnapshot: Buffer | null = null

  get data(): Buffer {
    return this.#data.subarray(0, this.length)
  }

  write(source: Buffer, position: number): void {
    this.#protectDurable(position)
    const end = position + source.length
    this.#reserve(end)
    // A write past the end leaves a hole of zeros, as on a real file system.
    if (position > this.length) this.#data.fill(0, this.length, position)
    source.copy(this.#data, position)
    this.length = Math.max(this.length, end)
  }

  truncate(length: number): void {
    this.#protectDurable(length)
    if (length > this.length) {
      this.#reserve(length)
      this.#data.fill(0, this.length, length)
    }
    this.length = length
  }

  sync(): void {
    this.durableLength = this.length
    this.durableSnapshot = null
  }

  /** What a crash leaves of this file, keeping `keepUnsynced` bytes of an unsynced appended tail. */
  afterCrash(keepUnsynced: (unsyncedBytes: number) => number): Buffer {
    if (this.durableSnapshot !== null) return Buffer.from(this.durableSnapshot)
    const unsynced = this.length - this.durableLength
    const kept = unsynced > 0 ? Math.min(unsynced, Math.max(0, Math.floor(keepUnsynced(unsynced)))) : 0
    return Buffer.from(this.#data.subarray(0, this.durableLength + kept))
  }

  /** Before the first change below the durable length, remember what the durable bytes were. */
  #protectDurable(position: number): void {
    if (position < this.durableLength && this.durableSnapshot === null) {
      this.durableSnapshot = Buffer.from(this.#data.subarray(0, this.durableLength))
    }
  }

  #reserve(capacity: number): void {
    if (capacity <= this.#data.length) return
    const grown = Buffer.alloc(Math.max(capacity, this.#data.length * 2, 4096))
    this.#data.copy(grown, 0, 0, this.length)
    this.#data = grown
  }
}

const DIRECTORY = 'directory'
type Entry = Inode | typeof DIRECTORY

function fsError(code: string, syscall: string, path: string): Error {
  return Object.assign(new Error(`${code}: ${syscall} '${path}'`), { code, syscall, path })
}

class MemoryFileHandle implements FileHandle {
  readonly #owner: MemoryFileSystem
  readonly #inode: Inode
  readonly #path: string
  #closed = false

  constructor(owner: MemoryFileSystem, inode: Inode, path: string) {
    this.#owner = owner
    this.#inode = inode
    this.#path = path
  }

  size(): number {
    this.#check('fstat')
    return this.#inode.length
  }

  read(target: Buffer, position: number, length = target.length): number {
    this.#check('read')
    const available = Math.max(0, Math.min(length, this.#inode.length - position))
    this.#inode.data.copy(target, 0, position, position + available)
    return available
  }

  write(data: Buffer, position: number): void {
    this.#check('write')
    this.#inode.write(data, position)
  }

  truncate(length: number): void {
    this.#check('ftruncate')
    this.#inode.truncate(length)
  }

  datasync(): Promise<void> {
    // Asynchronous like the real call, so tests see the same interleavings as production.
    return Promise.resolve().then(() => this.datasyncSync())
  }

  datasyncSync(): void {
    this.#check('fdatasync')
    this.#inode.sync()
  }

  close(): void {
    this.#check('close')
    this.#closed = true
  }

  #check(syscall: string): void {
    if (this.#closed) throw fsError('EBADF', syscall, this.#path)
    this.#owner.checkAlive(syscall, this.#path)
  }
}

export interface CrashOptions {
  /**
   * How many of a file's unsynced appended bytes reach the disk anyway (the torn tail). Called once per file that
   * has any; the default keeps none.
   */
  keepUnsyncedBytes?: (path: string, unsyncedBytes: number) => number
}

export class MemoryFileSystem implements FileSystem {
  #entries = new Map<string, Entry>([['/', DIRECTORY]])
  #crashed = false

  /** The state after a power loss, as a new file system; this one stops working (as the old process would). */
  crash(options: CrashOptions = {}): MemoryFileSystem {
    const keep = options.keepUnsyncedBytes ?? (() => 0)
    const survivor = new MemoryFileSystem()
    for (const [path, entry] of this.#entries) {
      if (entry === DIRECTORY) {
        survivor.#entries.set(path, DIRECTORY)
        continue
      }
      const inode = new Inode()
      inode.write(
        entry.afterCrash((unsynced) => keep(path, unsynced)),
        0,
      )
      inode.sync()
      survivor.#entries.set(path, inode)
    }
    this.#crashed = true
    return survivor
  }

  /** Bytes of a file that a crash right now would lose (not counting a torn tail that happens to survive). */
  unsyncedBytes(path: string): number {
    const inode = this.#file(normalize(path), 'stat')
    return inode.durableSnapshot !== null ? inode.length : inode.length - inode.durableLength
  }

  /** @internal Used by handles so that an abandoned pre-crash process cannot touch anything. */
  checkAlive(syscall: string, path: string): void {
    if (this.#crashed) throw fsError('EIO', syscall, path)
  }

  mkdirp(dir: string): void {
    const path = normalize(dir)
    this.checkAlive('mkdir', path)
    const parts = path.split('/').filter((p) => p !== '')
    let current = ''
    for (const part of parts) {
      current += `/${part}`
      const entry = this.#entries.get(current)
      if (entry === undefined) this.#entries.set(current, DIRECTORY)
      else if (entry !== DIRECTORY) throw fsError('ENOTDIR', 'mkdir', current)
    }
  }

  list(dir: string): string[] {
    const path = normalize(dir)
    this.checkAlive('scandir', path)
    if (this.#entries.get(path) !== DIRECTORY) throw fsError('ENOENT', 'scandir', path)
    const prefix = path === '/' ? '/' : `${path}/`
    const names: string[] = []
    for (const key of this.#entries.keys()) {
      if (key.startsWith(prefix) && key.length > prefix.length && !key.slice(prefix.length).includes('/')) {
        names.push(key.slice(prefix.length))
      }
    }
    return names.sort()
  }

  exists(path: string): boolean {
    this.checkAlive('access', path)
    return this.#entries.has(normalize(path))
  }

  isDirectory(path: string): boolean {
    this.checkAlive('stat', path)
    return this.#entries.get(normalize(path)) === DIRECTORY
  }

  open(path: string, options?: { create?: boolean }): FileHandle {
    const at = normalize(path)
    this.checkAlive('open', at)
    let entry = this.#entries.get(at)
    if (entry === undefined && options?.create) {
      this.#requireParent(at, 'open')
      entry = new Inode()
      this.#entries.set(at, entry)
    }
    if (entry === undefined) throw fsError('ENOENT', 'open', at)
    if (entry === DIRECTORY) throw fsError('EISDIR', 'open', at)
    return new MemoryFileHandle(this, entry, at)
  }

  readFile(path: string): Buffer {
    return Buffer.from(this.#file(normalize(path), 'open').data)
  }

  writeFile(path: string, data: Buffer): void {
    const at = normalize(path)
    this.checkAlive('open', at)
    this.#requireParent(at, 'open')
    const existing = this.#entries.get(at)
    if (existing === DIRECTORY) throw fsError('EISDIR', 'open', at)
    const inode = existing ?? new Inode()
    inode.truncate(0)
    inode.write(data, 0)
    this.#entries.set(at, inode)
  }

  rename(from: string, to: string): void {
    const source = normalize(from)
    const target = normalize(to)
    this.checkAlive('rename', source)
    const entry = this.#entries.get(source)
    if (entry === undefined) throw fsError('ENOENT', 'rename', source)
    this.#requireParent(target, 'rename')
    if (entry !== DIRECTORY) {
      this.#entries.delete(source)
      this.#entries.set(target, entry)
      return
    }
    if (this.#entries.has(target)) throw fsError('ENOTEMPTY', 'rename', target)
    for (const [key, value] of [...this.#entries]) {
      if (key === source || key.startsWith(`${source}/`)) {
        this.#entries.delete(key)
        this.#entries.set(target + key.slice(source.length), value)
      }
    }
  }

  remove(path: string): void {
    const at = normalize(path)
    this.checkAlive('unlink', at)
    if (this.#entries.get(at) === DIRECTORY) throw fsError('EISDIR', 'unlink', at)
    this.#entries.delete(at)
  }

  removeTree(dir: string): void {
    const at = normalize(dir)
    this.checkAlive('rm', at)
    for (const key of [...this.#entries.keys()]) {
      if (key === at || key.startsWith(`${at}/`)) this.#entries.delete(key)
    }
  }

  syncDirectory(dir: string): Promise<void> {
    return Promise.resolve().then(() => this.syncDirectorySync(dir))
  }

  syncDirectorySync(dir: string): void {
    const at = normalize(dir)
    this.checkAlive('fsync', at)
    if (this.#entries.get(at) !== DIRECTORY) throw fsError('ENOENT', 'fsync', at)
  }

  #file(path: string, syscall: string): Inode {
    this.checkAlive(syscall, path)
    const entry = this.#entries.get(path)
    if (entry === undefined) throw fsError('ENOENT', syscall, path)
    if (entry === DIRECTORY) throw fsError('EISDIR', syscall, path)
    return entry
  }

  #requireParent(path: string, syscall: string): void {
    if (this.#entries.get(posix.dirname(path)) !== DIRECTORY) throw fsError('ENOENT', syscall, path)
  }
}

function normalize(path: string): string {
  const resolved = posix.resolve('/', path)
  return resolved.length > 1 && resolved.endsWith('/') ? resolved.slice(0, -1) : resolved
}
