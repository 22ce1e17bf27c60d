// Kafka's log cleaner for cleanup.policy=compact (and "delete,compact"): picks the log most in need of cleaning
// and rewrites its inactive segments keeping the latest record of each key (clean-segments.ts has the rules).
//
// Which part of a log may be cleaned (Kafka's LogCleanerManager.cleanableOffsets):
// - never the active segment, nothing at or above the last stable offset (the high watermark, or the first offset
//   of the oldest unfinished transaction if lower), and no segment holding a record younger than
//   min.compaction.lag.ms (by the segment's largest timestamp);
// - whole segments only, from the log start up to that bound. Segments below the first dirty offset (where the
//   last cleaning stopped; cleaner-offset-checkpoint) are "clean", the rest "dirty".
// A log is cleaned when dirty bytes / (clean + dirty bytes) > min.cleanable.dirty.ratio, or when it must be:
// its oldest dirty record is older than max.compaction.lag.ms, or a kept tombstone's delete horizon has passed.
//
// Segments are cleaned in groups whose total size fits segment.bytes, each group into one new segment, so many
// small cleaned segments merge over time. A group is written as `<base>.log.cleaned`, synced, renamed to
// `<base>.log.swap` (the commit point: recovery completes a swap), the old segments renamed `.deleted`, and the swap
// renamed to `<base>.log` (Kafka's protocol).

import { posix } from 'node:path'
import { CLEANER_OFFSET_CHECKPOINT, formatOffsetCheckpoint } from '../checkpoint/checkpoint-file.ts'
import type { Clock } from '../clock.ts'
import { writeFileDurably } from '../fs/durable-write.ts'
import type { FileSystem } from '../fs/file-system.ts'
import { CLEANED_FILE_SUFFIX, SWAP_FILE_SUFFIX } from '../log/file-names.ts'
import { LogSegment } from '../log/log-segment.ts'
import { isNever } from '../log-config.ts'
import type { UnifiedLog } from '../log/unified-log.ts'
import { abortedRangesOf, buildOffsetMap, cleanSegmentsInto, lastBatchOfEachProducer } from './clean-segments.ts'

export interface LogCleanerOptions {
  fs: FileSystem
  clock: Clock
  warn: (message: string) => void
}

/** What a log offers for cleaning right now. */
export interface CleaningPlan {
  /** Segments to rewrite, oldest first: the clean ones, then the dirty ones. */
  segments: LogSegment[]
  dirtySegments: LogSegment[]
  /** The first offset after the cleaned segments: the first dirty offset once cleaning is done. */
  cleanEndOffset: bigint
  cleanBytes: number
  dirtyBytes: number
  /** dirty / (clean + dirty) */
  dirtyRatio: number
  /** max.compaction.lag.ms exceeded or a delete horizon passed: clean whatever the ratio. */
  mustClean: boolean
}

const MAX_RELATIVE_OFFSET = 0x7fffffffn

export class LogCleaner {
  readonly #fs: FileSystem
  readonly #clock: Clock
  readonly #warn: (message: string) => void
  readonly #firstDirtyOffsets = new WeakMap<UnifiedLog, bigint>()
  /** The earliest delete horizon among tombstones the last cleaning kept (in memory; re-learned by the next one). */
  readonly #deleteHorizons = new WeakMap<UnifiedLog, number>()
  #running: Promise<boolean> | null = null
  #isStopped = false

  constructor(options: LogCleanerOptions) {
    this.#fs = options.fs
    this.#clock = options.clock
    this.#warn = options.warn
  }

  /** From cleaner-offset-checkpoint at start-up. */
  restoreFirstDirtyOffset(log: UnifiedLog, offset: bigint | undefined): void {
    if (offset !== undefined) this.#firstDirtyOffsets.set(log, offset)
  }

  firstDirtyOffset(log: UnifiedLog): bigint {
    const offset = this.#firstDirtyOffsets.get(log)
    // A checkpoint outside the log (retention or truncation moved it) starts over from the log start (Kafka).
    return offset === undefined || offset < log.logStartOffset || offset > log.logEndOffset
      ? log.logStartOffset
      : offset
  }

  forget(log: UnifiedLog): void {
    this.#firstDirtyOffsets.delete(log)
    this.#deleteHorizons.delete(log)
  }

  /** What cleaning `log` now would do, or null if it is not compacted or has nothing cleanable. */
  plan(log: UnifiedLog): CleaningPlan | null {
    const config = log.config
    if (!config.cleanupPolicy.includes('compact') || log.isClosed) return null
    const segments = log.segments
    const nowMs = this.#clock.now()
    const active = segments[segments.length - 1] as LogSegment
    const firstDirty = this.firstDirtyOffset(log)
    let uncleanable = active.baseOffset < log.highWatermark ? active.baseOffset : log.highWatermark
    const firstUnstableOffset = log.firstUnstableOffset
    if (firstUnstableOffset !== null && firstUnstableOffset < uncleanable) uncleanable = firstUnstableOffset
    for (const segment of segments) {
      if (segment === active || segment.baseOffset >= uncleanable) break
      if (segment.nextOffset > firstDirty && segment.largestTimestamp > BigInt(nowMs - config.minCompactionLagMs)) {
        uncleanable = segment.baseOffset
        break
      }
    }
    let end = 0
    while (end + 1 < segments.length && (segments[end + 1] as LogSegment).baseOffset <= uncleanable) end++
    if (end === 0) return null
    let firstDirtyIndex = 0
    while (firstDirtyIndex + 1 < end && (segments[firstDirtyIndex + 1] as LogSegment).baseOffset <= firstDirty) {
      firstDirtyIndex++
    }
    const cleanEndOffset = (segments[end] as LogSegment).baseOffset
    if (firstDirty >= cleanEndOffset) firstDirtyIndex = end
    const sizeOf = (list: readonly LogSegment[]): number => list.reduce((total, s) => total + s.size, 0)
    const cleanBytes = sizeOf(segments.slice(0, firstDirtyIndex))
    const dirtySegments = segments.slice(firstDirtyIndex, end)
    const dirtyBytes = sizeOf(dirtySegments)
    const total = cleanBytes + dirtyBytes
    const oldestDirty = dirtySegments[0]?.firstBatchTimestamp ?? -1n
    const horizonMs = this.#deleteHorizons.get(log)
    const mustClean =
      (!isNever(config.maxCompactionLagMs) &&
        oldestDirty >= 0n &&
        nowMs - Number(oldestDirty) > config.maxCompactionLagMs) ||
      (horizonMs !== undefined && nowMs >= horizonMs)
    return {
      segments: segments.slice(0, end),
      dirtySegments,
      cleanEndOffset,
      cleanBytes,
      dirtyBytes,
      dirtyRatio: total === 0 ? 0 : dirtyBytes / total,
      mustClean,
    }
  }

  /** Cleans the log that needs it most, if any does; true if one was cleaned. One cleaning at a time. */
  cleanDirtiestLog(logs: readonly UnifiedLog[]): Promise<boolean> {
    if (this.#isStopped) return Promise.resolve(false)
    if (this.#running !== null) return this.#running
    let best: { log: UnifiedLog; plan: CleaningPlan } | null = null
    for (const log of logs) {
      const plan = this.plan(log)
      if (plan === null) continue
      const isEligible = plan.mustClean || (plan.dirtyBytes > 0 && plan.dirtyRatio > log.config.minCleanableDirtyRatio)
      if (!isEligible) continue
      const isBetter =
        best === null ||
        (plan.mustClean && !best.plan.mustClean) ||
        (plan.mustClean === best.plan.mustClean && plan.dirtyRatio > best.plan.dirtyRatio)
      if (isBetter) best = { log, plan }
    }
    if (best === null) return Promise.resolve(false)
    const run = this.#clean(best.log, best.plan).finally(() => {
      this.#running = null
    })
    this.#running = run
    return run
  }

  /** No new cleanings; resolves when the one in progress has stopped (between two segment groups at the latest). */
  async stop(): Promise<void> {
    this.#isStopped = true
    await this.#running?.catch(() => false)
  }

  async writeCheckpoint(logDir: string, logs: readonly UnifiedLog[]): Promise<void> {
    const entries = []
    for (const log of logs) {
      const offset = this.#firstDirtyOffsets.get(log)
      if (offset !== undefined) entries.push({ topic: log.topic, partition: log.partition, offset })
    }
    await writeFileDurably(this.#fs, posix.join(logDir, CLEANER_OFFSET_CHECKPOINT), formatOffsetCheckpoint(entries))
  }

  async #clean(log: UnifiedLog, plan: CleaningPlan): Promise<boolean> {
    const config = log.config
    // The offset map may name records that a truncation then removes; nothing built on it may commit after one.
    const truncations = log.truncationCount
    const aborted = abortedRangesOf(log.segments)
    const rules = {
      offsetMap: buildOffsetMap(plan.dirtySegments, aborted),
      aborted,
      lastBatchOfProducer: lastBatchOfEachProducer(log.segments),
      nowMs: this.#clock.now(),
      deleteRetentionMs: config.deleteRetentionMs,
      indexIntervalBytes: config.indexIntervalBytes,
    }
    let earliestHorizonMs: number | null = null
    const transactionData = new Set<bigint>()
    for (const group of groupSegments(plan.segments, config.segmentBytes, config.segmentIndexBytes)) {
      if (this.#isStopped || log.isClosed) return false
      const first = group[0] as LogSegment
      const cleaned = LogSegment.create(this.#fs, log.dir, first.baseOffset, {
        maxIndexBytes: config.segmentIndexBytes,
        nowMs: rules.nowMs,
        fileSuffix: CLEANED_FILE_SUFFIX,
      })
      let isCommitted = false
      try {
        const outcome = cleanSegmentsInto(cleaned, group, rules, transactionData)
        const horizonMs = outcome.earliestHorizonMs
        // Aborted transactions stay indexed while their marker stays: it still ends a transaction for consumers.
        for (const segment of group) {
          for (const txn of segment.txnIndex.entries) {
            if (!outcome.droppedMarkers.has(txn.lastOffset)) cleaned.txnIndex.append(txn)
          }
        }
        if (horizonMs !== null && (earliestHorizonMs === null || horizonMs < earliestHorizonMs)) {
          earliestHorizonMs = horizonMs
        }
        cleaned.onBecomeInactive()
        await cleaned.flush()
        if (outcome.droppedMarkers.size > 0) await dropStaleSnapshots(this.#fs, log, plan.cleanEndOffset)
        isCommitted =
          log.truncationCount === truncations &&
          log.replaceSegments(cleaned, group, () => cleaned.changeFileSuffix(SWAP_FILE_SUFFIX))
        if (!isCommitted) {
          this.#warn(`${log.topic}-${log.partition}: the log changed during cleaning; trying again later`)
          return false
        }
        cleaned.changeFileSuffix('')
        cleaned.markIndexesUnpersisted()
        await cleaned.flush()
        await this.#fs.syncDirectory(log.dir)
      } finally {
        if (!isCommitted) {
          cleaned.close()
          this.#fs.remove(cleaned.logPath)
        }
      }
    }
    this.#firstDirtyOffsets.set(log, plan.cleanEndOffset)
    if (earliestHorizonMs === null) this.#deleteHorizons.delete(log)
    else this.#deleteHorizons.set(log, earliestHorizonMs)
    return true
  }
}

/**
 * A producer snapshot below the cleaned range's end may hold a transaction open whose marker this cleaning drops
 * (its data was already gone): a replay from it would never see the transaction end. So those snapshots go, durably,
 * before the cleaned segment is committed; replay then starts from the log start or a snapshot after the range.
 */
async function dropStaleSnapshots(fs: FileSystem, log: UnifiedLog, cleanEndOffset: bigint): Promise<void> {
  const stale = log.producerState.snapshotOffsets().filter((offset) => offset < cleanEndOffset)
  if (stale.length === 0) return
  for (const offset of stale) log.producerState.deleteSnapshot(offset)
  await fs.syncDirectory(log.dir)
}

/**
 * Consecutive segments merged into one cleaned segment while their total size fits segment.bytes, their index
 * entries fit segment.index.bytes and their offsets fit relative offsets (Kafka's groupSegmentsBySize).
 */
function groupSegments(segments: readonly LogSegment[], segmentBytes: number, maxIndexBytes: number): LogSegment[][] {
  const groups: LogSegment[][] = []
  let group: LogSegment[] = []
  let bytes = 0
  let indexEntries = 0
  let timeIndexEntries = 0
  for (const segment of segments) {
    const first = group[0]
    const fits =
      first !== undefined &&
      bytes + segment.size <= segmentBytes &&
      (indexEntries + segment.offsetIndex.count) * 8 <= maxIndexBytes &&
      (timeIndexEntries + segment.timeIndex.count) * 12 <= maxIndexBytes &&
      segment.nextOffset - first.baseOffset <= MAX_RELATIVE_OFFSET
    if (!fits && group.length > 0) {
      groups.push(group)
      group = []
      bytes = 0
      indexEntries = 0
      timeIndexEntries = 0
    }
    group.push(segment)
    bytes += segment.size
    indexEntries += segment.offsetIndex.count
    timeIndexEntries += segment.timeIndex.count
  }
  if (group.length > 0) groups.push(group)
  return groups
}
