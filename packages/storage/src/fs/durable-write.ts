// Replacing a small file so that a crash leaves either the old or the new content, never a torn mix: write a
// temporary sibling, fdatasync it, rename it over the target, fsync the directory. This is how Kafka writes its
// checkpoint files (the `.tmp` suffix is Kafka's too; start-up removes leftovers).

import { posix } from 'node:path'
import { isNotFound, type FileHandle, type FileSystem } from './file-system.ts'

export const TEMPORARY_SUFFIX = '.tmp'

export async function writeFileDurably(fs: FileSystem, path: string, data: Buffer): Promise<void> {
  const temporary = path + TEMPORARY_SUFFIX
  fs.writeFile(temporary, data)
  const handle = fs.open(temporary)
  try {
    await handle.datasync()
  } finally {
    handle.close()
  }
  fs.rename(temporary, path)
  await fs.syncDirectory(posix.dirname(path))
}

/** The same, blocking: for rare writes on paths that must be durable before the caller goes on (about 0.3 ms). */
export function writeFileDurablySync(fs: FileSystem, path: string, data: Buffer): void {
  const temporary = path + TEMPORARY_SUFFIX
  fs.writeFile(temporary, data)
  const handle = fs.open(temporary)
  try {
    handle.datasyncSync()
  } finally {
    handle.close()
  }
  fs.rename(temporary, path)
  fs.syncDirectorySync(posix.dirname(path))
}

/** Opens `path`, or null when it is gone (its segment was deleted meanwhile): such a file needs no sync. */
function openIfPresent(fs: FileSystem, path: string): FileHandle | null {
  try {
    return fs.open(path)
  } catch (error) {
    if (isNotFound(error)) return null
    throw error
  }
}

/** fdatasync of a file by path. A file that is gone needs no sync. */
export async function syncFile(fs: FileSystem, path: string): Promise<void> {
  const handle = openIfPresent(fs, path)
  if (handle === null) return
  try {
    await handle.datasync()
  } finally {
    handle.close()
  }
}

export function syncFileSync(fs: FileSystem, path: string): void {
  const handle = openIfPresent(fs, path)
  if (handle === null) return
  try {
    handle.datasyncSync()
  } finally {
    handle.close()
  }
}
