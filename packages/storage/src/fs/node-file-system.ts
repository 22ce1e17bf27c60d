// FileSystem on node:fs. Sync calls for everything but fdatasync (see file-system.ts for why).

import * as fs from 'node:fs'
import type { FileHandle, FileSystem } from './file-system.ts'

class NodeFileHandle implements FileHandle {
  #fd: number

  constructor(fd: number) {
    this.#fd = fd
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

  write(data: Buffer, position: number): void {
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
    fs.closeSync(this.#fd)
  }
}

export class NodeFileSystem implements FileSystem {
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
    return new NodeFileHandle(fs.openSync(path, flags, 0o644))
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
