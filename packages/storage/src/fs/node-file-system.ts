// FileSystem on node:fs. Sync calls for everything but fdatasync (see file-system.ts for why).

import * as fs from 'node:fs'
import { appendDirect, openDirect } from './direct-append.ts'
import type { FileHandle, FileSystem } from './file-system.ts'

export interface NodeFileSystemOptions {
  /**
   * Appends of at least this many bytes to a segment's `.log` file bypass the page cache (O_DIRECT; see
   * direct-append.ts). 0, the default, keeps every write buffered.
   */
  directAppendMinBytes?: number
}

/** What went around the page cache, for tests and metrics. */
export interface DirectAppendStats {
  /** Bytes of appends that took the direct path (less than a block of each went buffered at its end). */
  bytes: number
  /** Files that fell back to buffered appends because the kernel refused a direct write. */
  fallbacks: number
}

/** How a `.log` file's large appends go direct; shared by the file system's handles. */
interface DirectAppends {
  readonly minBytes: number
  readonly stats: DirectAppendStats
}

class NodeFileHandle implements FileHandle {
  #fd: number
  readonly #path: string
  readonly #direct: DirectAppends | undefined
  /**
   * A second descriptor opened with O_DIRECT, at the first large append (so segments only read never hold one);
   * null once the file system refused it.
   */
  #directFd: number | undefined | null

  constructor(fd: number, path: string, direct?: DirectAppends) {
    this.#fd = fd
    this.#path = path
    this.#direct = direct
    this.#directFd = direct === undefined ? null : undefined
  }

  get fd(): number {
    return this.#fd
  }

  size(): number {
    return fs.fstatSync(this.#fd).size
  }

  read(target: Buffer, position: number, length = target.length): number {
    let done = 0
    while (done < length) {
      const n = fs.readSync(this.#fd, target, done, length - done, position + done)
      if (n === 0) break
      done += n
    }
    return done
  }

  directFdFor(length: number): number | undefined {
    if (this.#direct === undefined || length < this.#direct.minBytes || this.#directFd === null) return undefined
    this.#directFd ??= openDirect(this.#path) ?? null
    return this.#directFd ?? undefined
  }

  write(data: Buffer, position: number): void {
    const direct = this.#direct
    const directFd = this.directFdFor(data.length)
    if (direct !== undefined && directFd !== undefined && position === this.size()) {
      if (appendDirect(this.#fd, directFd, data, position)) {
        direct.stats.bytes += data.length
        return
      }
      // The kernel wants an alignment we do not give: this file stays buffered from now on.
      this.#closeDirect()
      direct.stats.fallbacks++
    }
    let done = 0
    // writeSync may write less than asked (signals, quotas); keep going until all of it is in the page cache.
    while (done < data.length) done += fs.writeSync(this.#fd, data, done, data.length - done, position + done)
  }

  truncate(length: number): void {
    fs.ftruncateSync(this.#fd, length)
  }

  datasync(): Promise<void> {
    return new Promise((resolve, reject) => fs.fdatasync(this.#fd, (error) => (error ? reject(error) : resolve())))
  }

  datasyncSync(): void {
    fs.fdatasyncSync(this.#fd)
  }

  close(): void {
    this.#closeDirect()
    fs.closeSync(this.#fd)
  }

  #closeDirect(): void {
    if (typeof this.#directFd === 'number') fs.closeSync(this.#directFd)
    this.#directFd = null
  }
}

export class NodeFileSystem implements FileSystem {
  readonly #direct: DirectAppends

  constructor(options: NodeFileSystemOptions = {}) {
    const minBytes = options.directAppendMinBytes ?? 0
    if (!Number.isInteger(minBytes) || minBytes < 0) {
      throw new RangeError(`directAppendMinBytes must be a non-negative integer, got ${minBytes}`)
    }
    this.#direct = { minBytes, stats: { bytes: 0, fallbacks: 0 } }
  }

  /** What went around the page cache so far. */
  get directAppends(): Readonly<DirectAppendStats> {
    return { ...this.#direct.stats }
  }

  mkdirp(dir: string): void {
    fs.mkdirSync(dir, { recursive: true })
  }

  list(dir: string): string[] {
    return fs.readdirSync(dir)
  }

  exists(path: string): boolean {
    return fs.existsSync(path)
  }

  isDirectory(path: string): boolean {
    return fs.statSync(path, { throwIfNoEntry: false })?.isDirectory() ?? false
  }

  open(path: string, options?: { create?: boolean }): FileHandle {
    const flags = options?.create ? fs.constants.O_RDWR | fs.constants.O_CREAT : fs.constants.O_RDWR
    const fd = fs.openSync(path, flags, 0o644)
    const direct = this.#direct.minBytes > 0 && path.endsWith('.log') ? this.#direct : undefined
    return new NodeFileHandle(fd, path, direct)
  }

  readFile(path: string): Buffer {
    return fs.readFileSync(path)
  }

  writeFile(path: string, data: Buffer): void {
    fs.writeFileSync(path, data)
  }

  rename(from: string, to: string): void {
    fs.renameSync(from, to)
  }

  remove(path: string): void {
    fs.rmSync(path, { force: true })
  }

  removeTree(dir: string): void {
    fs.rmSync(dir, { recursive: true, force: true })
  }

  syncDirectory(dir: string): Promise<void> {
    return new Promise((resolve, reject) => {
      fs.open(dir, 'r', (openError, fd) => {
        if (openError) return reject(openError)
        fs.fsync(fd, (syncError) => fs.close(fd, () => (syncError ? reject(syncError) : resolve())))
      })
    })
  }

  syncDirectorySync(dir: string): void {
    const fd = fs.openSync(dir, 'r')
    try {
      fs.fsyncSync(fd)
    } finally {
      fs.closeSync(fd)
    }
  }
}
