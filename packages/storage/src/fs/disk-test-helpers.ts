// Test helpers for O_DIRECT: a directory on a real disk, and how much of a file sits in the page cache.

import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, statfsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const TMPFS_MAGIC = 0x01021994

/** A new directory on a disk-backed file system (tmpfs is all page cache, so nothing could bypass it there). */
export function diskDirectory(prefix: string): string {
  const base = statfsSync(tmpdir()).type === TMPFS_MAGIC ? join(import.meta.dirname, '../../../../.cache') : tmpdir()
  mkdirSync(base, { recursive: true })
  return mkdtempSync(join(base, prefix))
}

/** Bytes of `path` in the page cache, from util-linux's fincore. */
export function residentBytes(path: string): number {
  return Number(execFileSync('fincore', ['--bytes', '--noheadings', '--output', 'RES', path], { encoding: 'utf8' }))
}
