// Opening a partition directory at start-up (Kafka's LogLoader): finish or discard what a crash interrupted,
// trust the segments below the recovery point, re-read and CRC-check the rest, and cut torn or corrupt tails.

import { posix } from 'node:path'
import type { RecordBatchView } from '@samsa/protocol'
import { PARTITION_METADATA_FILE, parsePartitionMetadata } from '../checkpoint/partition-metadata.ts'
import { TEMPORARY_SUFFIX } from '../fs/durable-write.ts'
import type { FileSystem } from '../fs/file-system.ts'
import {
  CLEANED_FILE_SUFFIX,
  DELETED_FILE_SUFFIX,
  INDEX_FILE_SUFFIX,
  LOG_FILE_SUFFIX,
  SWAP_FILE_SUFFIX,
  TIME_INDEX_FILE_SUFFIX,
  baseOffsetOf,
} from './file-names.ts'
import { LeaderEpochFileCache } from './leader-epoch-cache.ts'
import { LogSegment } from './log-segment.ts'
import { TXN_INDEX_FILE_SUFFIX } from './transaction-index.ts'

export interface LoadOptions {
  fs: FileSystem
  dir: string
  nowMs: number
  maxIndexBytes: number
  indexIntervalBytes: number
  /** From recovery-point-offset-checkpoint; 0 when absent, so everything is checked. */
  recoveryPoint: bigint
  /** From log-start-offset-checkpoint, if present. */
  logStartOffset: bigint | undefined
  /** The log dir held a clean-shutdown marker: every segment was flushed and its indexes written. */
  hadCleanShutdown: boolean
  /** Something worth a log line (a truncated tail, a rebuilt index), never a failure. */
  warn: (message: string) => void
}

export interface LoadedLog {
  segments: LogSegment[]
  logStartOffset: bigint
  recoveryPoint: bigint
  leaderEpochCache: LeaderEpochFileCache
  topicId: string | null
  /** Segments were recovered; a flush makes the result durable so the next start need not repeat it. */
  recovered: boolean
  /** The segments recovery re-read (their transaction indexes are rebuilt by the producer-state replay). */
  recoveredSegments: ReadonlySet<LogSegment>
}

export function loadLog(options: LoadOptions): LoadedLog {
  const { fs, dir, warn } = options
  removeLeftovers(fs, dir)
  const { cache: leaderEpochCache, problem: epochProblem } = LeaderEpochFileCache.load(fs, dir)
  if (epochProblem !== null) warn(`rebuilding the leader epoch cache from the log: ${epochProblem}`)
  const segmentOptions = { maxIndexBytes: options.maxIndexBytes, nowMs: options.nowMs }
  const onBatch = (view: RecordBatchView): void => leaderEpochCache.assign(view.partitionLeaderEpoch, view.baseOffset)
  completeInterruptedSwaps(options, onBatch)

  const baseOffsets = fs
    .list(dir)
    .map((name) => baseOffsetOf(name, LOG_FILE_SUFFIX))
    .filter((offset): offset is bigint => offset !== null)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  const segments: LogSegment[] = []
  const recoveredSegments = new Set<LogSegment>()
  for (let i = 0; i < baseOffsets.length; i++) {
    const segment = LogSegment.open(fs, dir, baseOffsets[i] as bigint, segmentOptions)
    const next = baseOffsets[i + 1]
    const isFlushed = options.hadCleanShutdown || (next !== undefined && next <= options.recoveryPoint)
    if (isFlushed && segment.loadIndexes()) {
      if (epochProblem !== null) for (const s of segment.scan()) if (s.view !== null) onBatch(s.view)
      segments.push(segment)
      continue
    }
    if (isFlushed) warn(`rebuilding the indexes of ${segment.logPath}`)
    recoveredSegments.add(segment)
    const { truncatedBytes, reason } = segment.recover(options.indexIntervalBytes, onBatch)
    segments.push(segment)
    if (truncatedBytes > 0) {
      warn(`truncated ${truncatedBytes} bytes of ${segment.logPath} ${reason ?? ''}`.trimEnd())
      // Kafka's rule: nothing after a corrupt point can be trusted, so the later segments go too.
      for (const later of baseOffsets.slice(i + 1)) {
        const doomed = LogSegment.open(fs, dir, later, segmentOptions)
        for (const path of doomed.markDeleted()) fs.remove(path)
        warn(`deleted segment ${later} after the corrupt point`)
      }
      break
    }
  }
  dropEmptyUnflushedSegments(segments, recoveredSegments, warn)
  // A log whose segments are all gone starts over at its log start offset (Kafka's LogLoader does the same).
  if (segments.length === 0) {
    segments.push(LogSegment.create(fs, dir, options.logStartOffset ?? 0n, segmentOptions))
  }

  const first = segments[0] as LogSegment
  const logEndOffset = (segments.at(-1) as LogSegment).nextOffset
  let logStartOffset = options.logStartOffset ?? first.baseOffset
  if (logStartOffset < first.baseOffset) logStartOffset = first.baseOffset
  if (logStartOffset > logEndOffset) logStartOffset = logEndOffset
  leaderEpochCache.truncateFromEnd(logEndOffset)
  leaderEpochCache.truncateFromStart(logStartOffset)
  if (epochProblem !== null) leaderEpochCache.rewrite()

  return {
    segments,
    logStartOffset,
    recoveryPoint: options.recoveryPoint < logEndOffset ? options.recoveryPoint : logEndOffset,
    leaderEpochCache,
    topicId: readTopicId(fs, dir, warn),
    recovered: recoveredSegments.size > 0,
    recoveredSegments: new Set(segments.filter((segment) => recoveredSegments.has(segment))),
  }
}

/**
 * A crash between a roll and the flush that follows it leaves new segment files that never received their data.
 * Such an empty segment holds nothing, yet as the last segment it would set the log end offset to its base offset,
 * leaving a hole where the lost records were. So empty recovered segments go (all but a sole one).
 */
function dropEmptyUnflushedSegments(
  segments: LogSegment[],
  recovered: ReadonlySet<LogSegment>,
  warn: (message: string) => void,
): void {
  for (let i = segments.length - 1; i >= 0 && segments.length > 1; i--) {
    const segment = segments[i] as LogSegment
    if (segment.size > 0 || !recovered.has(segment)) continue
    segments.splice(i, 1)
    for (const path of segment.markDeleted()) segment.fs.remove(path)
    warn(`removed empty segment ${segment.baseOffset}, created just before the crash`)
  }
}

/**
 * Files a crash can leave behind that are not part of the log: checkpoint temporaries, segments already deleted
 * (`.deleted`), a compaction that had not finished writing (`.cleaned`), and index files without a segment.
 */
function removeLeftovers(fs: FileSystem, dir: string): void {
  const names = fs.list(dir)
  const logs = new Set(names.filter((n) => baseOffsetOf(n, LOG_FILE_SUFFIX) !== null).map((n) => n.slice(0, 20)))
  for (const name of names) {
    const isLeftover =
      name.endsWith(TEMPORARY_SUFFIX) ||
      name.endsWith(DELETED_FILE_SUFFIX) ||
      name.endsWith(CLEANED_FILE_SUFFIX) ||
      name.endsWith(INDEX_FILE_SUFFIX + SWAP_FILE_SUFFIX) ||
      name.endsWith(TIME_INDEX_FILE_SUFFIX + SWAP_FILE_SUFFIX)
    const isOrphanIndex =
      [INDEX_FILE_SUFFIX, TIME_INDEX_FILE_SUFFIX, TXN_INDEX_FILE_SUFFIX].some((s) => baseOffsetOf(name, s) !== null) &&
      !logs.has(name.slice(0, 20)) &&
      !names.includes(name.slice(0, 20) + LOG_FILE_SUFFIX + SWAP_FILE_SUFFIX)
    if (isLeftover || isOrphanIndex) fs.remove(posix.join(dir, name))
  }
}

/**
 * A `.log.swap` file is a compacted segment that was complete (and synced) before the crash but had not yet
 * replaced the segments it was built from. Finish the job: drop those segments, then take the swap file's place.
 * Which segments those were is known only up to the swap's last offset: a source segment whose every record was
 * compacted away may survive. That is harmless: everything in it is superseded by later records or is an expired
 * tombstone, and the next cleaning removes it again.
 */
function completeInterruptedSwaps(options: LoadOptions, onBatch: (view: RecordBatchView) => void): void {
  const { fs, dir } = options
  const segmentOptions = { maxIndexBytes: options.maxIndexBytes, nowMs: options.nowMs }
  for (const name of fs.list(dir)) {
    const baseOffset = baseOffsetOf(name, LOG_FILE_SUFFIX + SWAP_FILE_SUFFIX)
    if (baseOffset === null) continue
    const swap = LogSegment.open(fs, dir, baseOffset, { ...segmentOptions, fileSuffix: SWAP_FILE_SUFFIX })
    swap.recover(options.indexIntervalBytes, onBatch)
    const endOffset = swap.nextOffset
    swap.close()
    for (const other of fs.list(dir)) {
      const replaced = baseOffsetOf(other, LOG_FILE_SUFFIX)
      // The segment at the swap's own base offset always goes, even when compaction emptied the swap file.
      if (replaced === null || replaced < baseOffset || (replaced >= endOffset && replaced !== baseOffset)) continue
      const segment = LogSegment.open(fs, dir, replaced, segmentOptions)
      for (const path of segment.markDeleted()) fs.remove(path)
    }
    fs.rename(posix.join(dir, name), posix.join(dir, name.slice(0, -SWAP_FILE_SUFFIX.length)))
    // Its index files are rebuilt below: the renamed segment is recovered because its indexes are missing.
    options.warn(`completed the interrupted replacement of segments from ${baseOffset} by their compacted copy`)
  }
}

function readTopicId(fs: FileSystem, dir: string, warn: (message: string) => void): string | null {
  const path = posix.join(dir, PARTITION_METADATA_FILE)
  if (!fs.exists(path)) return null
  try {
    return parsePartitionMetadata(fs.readFile(path))
  } catch (error) {
    warn((error as Error).message)
    return null
  }
}
