// Kafka's LeaderEpochFileCache: for each leader epoch, the first offset written under it. Followers use it
// (OffsetForLeaderEpoch) to find where their log diverged from the leader's after a leader change, so it must
// survive restarts: it lives in `leader-epoch-checkpoint` in the partition directory. Changes are rare (a new
// leader, a truncation, the log start moving), so each one is written durably before the call returns.

import { posix } from 'node:path'
import {
  LEADER_EPOCH_CHECKPOINT,
  formatLeaderEpochCheckpoint,
  parseLeaderEpochCheckpoint,
  type EpochEntry,
} from '../checkpoint/checkpoint-file.ts'
import { writeFileDurablySync } from '../fs/durable-write.ts'
import type { FileSystem } from '../fs/file-system.ts'

export class LeaderEpochFileCache {
  readonly #fs: FileSystem
  readonly #path: string
  #entries: EpochEntry[]

  private constructor(fs: FileSystem, path: string, entries: EpochEntry[]) {
    this.#fs = fs
    this.#path = path
    this.#entries = entries
  }

  /** Reads the partition's checkpoint; a missing or unreadable one starts empty (recovery re-learns epochs). */
  static load(fs: FileSystem, partitionDir: string): { cache: LeaderEpochFileCache; problem: string | null } {
    const path = posix.join(partitionDir, LEADER_EPOCH_CHECKPOINT)
    let entries: EpochEntry[] = []
    let problem: string | null = null
    if (fs.exists(path)) {
      try {
        entries = parseLeaderEpochCheckpoint(fs.readFile(path))
      } catch (error) {
        problem = `${path}: ${(error as Error).message}`
      }
    }
    return { cache: new LeaderEpochFileCache(fs, path, entries), problem }
  }

  get entries(): readonly EpochEntry[] {
    return this.#entries
  }

  get latestEpoch(): number | null {
    return this.#entries.at(-1)?.epoch ?? null
  }

  /** Records that `epoch` starts at `startOffset`, if it is newer than the latest epoch known. */
  assign(epoch: number, startOffset: bigint): void {
    if (epoch < 0) return
    const latest = this.#entries.at(-1)
    if (latest !== undefined && epoch <= latest.epoch) return
    // A new epoch starting below older entries means those entries were for offsets since truncated away.
    const kept = this.#entries.filter((e) => e.startOffset < startOffset)
    kept.push({ epoch, startOffset })
    this.#replace(kept)
  }

  /** Drops epochs that start at or after `endOffset` (the log was truncated there). */
  truncateFromEnd(endOffset: bigint): void {
    const kept = this.#entries.filter((e) => e.startOffset < endOffset)
    if (kept.length !== this.#entries.length) this.#replace(kept)
  }

  /** The log now starts at `startOffset`: epochs wholly before it go, the one spanning it starts there. */
  truncateFromStart(startOffset: bigint): void {
    const entries = this.#entries
    let firstKept = 0
    while (firstKept + 1 < entries.length && (entries[firstKept + 1] as EpochEntry).startOffset <= startOffset) {
      firstKept++
    }
    const first = entries[firstKept]
    if (first === undefined || (firstKept === 0 && first.startOffset >= startOffset)) return
    const kept = entries.slice(firstKept)
    kept[0] = { epoch: first.epoch, startOffset: first.startOffset < startOffset ? startOffset : first.startOffset }
    this.#replace(kept)
  }

  /** Forgets every epoch (the log was emptied and restarted at a new offset). */
  clear(): void {
    if (this.#entries.length > 0) this.#replace([])
  }

  /**
   * OffsetForLeaderEpoch, as Kafka answers it: for the latest epoch, the log end offset; for an older one, the start
   * offset of the next epoch above it, paired with the largest epoch at or below the one asked for (or the asked
   * epoch itself if it predates every entry). Null when nothing is known: an empty cache or an epoch above the
   * latest (the caller answers UNDEFINED_EPOCH / UNDEFINED_EPOCH_OFFSET).
   */
  endOffsetFor(requestedEpoch: number, logEndOffset: bigint): { leaderEpoch: number; endOffset: bigint } | null {
    const latest = this.#entries.at(-1)
    if (latest === undefined || requestedEpoch < 0) return null
    if (requestedEpoch === latest.epoch) return { leaderEpoch: latest.epoch, endOffset: logEndOffset }
    const higher = this.#entries.find((e) => e.epoch > requestedEpoch)
    if (higher === undefined) return null
    const floor = this.#entries.findLast((e) => e.epoch <= requestedEpoch)
    return { leaderEpoch: floor?.epoch ?? requestedEpoch, endOffset: higher.startOffset }
  }

  /** The epoch the record at `offset` was written under, or null if no epoch is known for it. */
  epochForOffset(offset: bigint): number | null {
    return this.#entries.findLast((e) => e.startOffset <= offset)?.epoch ?? null
  }

  /** Rewrites the checkpoint file if it was unreadable at load (its content is then rebuilt from the log). */
  rewrite(): void {
    this.#replace(this.#entries)
  }

  #replace(entries: EpochEntry[]): void {
    writeFileDurablySync(this.#fs, this.#path, formatLeaderEpochCheckpoint(entries))
    this.#entries = entries
  }
}
