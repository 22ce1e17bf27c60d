// A memory cgroup for the broker benchmark: a broker whose page cache has filled the group's limit gets every new
// page by reclaiming one of its own, as a broker that has run for a while on a server whose memory the page cache has
// filled. Without it, a fresh VM hands the broker never-touched memory, which on these VMs faults at the host first
// (LIMITS.md §2.2) — the worst case, not the usual one. Needs root and cgroup v1's memory controller, or cgroup v2
// with the memory controller enabled for the root's children; returns null (and the bench says so) otherwise.

import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

export interface MemoryCgroup {
  readonly path: string
  readonly limitBytes: number
  /** Moves a process in: what it allocates from now on is charged here. */
  add(pid: number): void
  /** Bytes charged right now (process memory and page cache). */
  usage(): number
  /** Removes the group once its processes have exited. */
  remove(): void
}

export function createMemoryCgroup(name: string, limitBytes: number): MemoryCgroup | null {
  const v1 = '/sys/fs/cgroup/memory'
  const v2 = '/sys/fs/cgroup'
  try {
    if (existsSync(join(v1, 'memory.limit_in_bytes'))) {
      return group(join(v1, name), 'memory.limit_in_bytes', 'memory.usage_in_bytes', limitBytes)
    }
    const enabled = readFileSync(join(v2, 'cgroup.subtree_control'), 'utf8').split(/\s+/)
    if (enabled.includes('memory')) return group(join(v2, name), 'memory.max', 'memory.current', limitBytes)
  } catch {
    // Not root, or no cgroup file system here.
  }
  return null
}

function group(path: string, limitFile: string, usageFile: string, limitBytes: number): MemoryCgroup {
  mkdirSync(path, { recursive: true })
  writeFileSync(join(path, limitFile), String(limitBytes))
  return {
    path,
    limitBytes,
    add: (pid) => writeFileSync(join(path, 'cgroup.procs'), String(pid)),
    usage: () => Number(readFileSync(join(path, usageFile), 'utf8').trim()),
    remove: () => rmdirSync(path),
  }
}
