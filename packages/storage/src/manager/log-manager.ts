// Kafka's LogManager: every partition log in the configured log dirs. Opening it recovers them all; afterwards it
// runs retention and the cleaner and writes the per-log-dir checkpoint files on timers, all through the injected
// Clock. The checkpoint files record what a restart needs: how far each log is known to be on disk
// (recovery-point-offset-checkpoint), its log start offset (log-start-offset-checkpoint) and its high watermark
// (replication-offset-checkpoint).

import { randomUUID } from 'node:crypto'
import { posix } from 'node:path'
import type { CreateLogOptions, LogConfig, LogDirDescription, LogManager, PartitionLog } from '../api.ts'
import {
  LOG_START_OFFSET_CHECKPOINT,
  RECOVERY_POINT_CHECKPOINT,
  REPLICATION_OFFSET_CHECKPOINT,
  formatOffsetCheckpoint,
  topicPartitionKey,
  type PartitionOffset,
} from '../checkpoint/checkpoint-file.ts'
import { PARTITION_METADATA_FILE, formatPartitionMetadata } from '../checkpoint/partition-metadata.ts'
import type { Clock, TimerHandle } from '../clock.ts'
import { LogClosedError, LogDirectoryError } from '../errors.ts'
import { writeFileDurably, writeFileDurablySync } from '../fs/durable-write.ts'
import type { FileSystem } from '../fs/file-system.ts'
import { logConfig } from '../log-config.ts'
import { CLEAN_SHUTDOWN_FILE, DELETE_DIR_SUFFIX, partitionDirName, parsePartitionDirName } from '../log/file-names.ts'
import { UnifiedLog } from '../log/unified-log.ts'
import { LogCleaner } from '../cleaner/log-cleaner.ts'
import { openLogDir, type LogDirState } from './log-dir.ts'

export interface LogManagerOptions {
  /** log.dirs */
  logDirs: readonly string[]
  fs: FileSystem
  clock: Clock
  /** node.id and cluster.id, checked against (or written to) each log dir's meta.properties. */
  nodeId: number
  clusterId: string
  /** Each topic's resolved log config (topic overrides over broker defaults); Kafka's defaults when absent. */
  configFor?: (topic: string) => LogConfig
  /** log.retention.check.interval.ms, default 300000 */
  logRetentionCheckIntervalMs?: number
  /** log.flush.offset.checkpoint.interval.ms, default 60000 */
  logFlushOffsetCheckpointIntervalMs?: number
  /** log.flush.start.offset.checkpoint.interval.ms, default 60000 */
  logFlushStartOffsetCheckpointIntervalMs?: number
  /** replica.high.watermark.checkpoint.interval.ms, default 5000 */
  replicaHighWatermarkCheckpointIntervalMs?: number
  /** log.cleaner.enable, default true */
  logCleanerEnable?: boolean
  /** log.cleaner.backoff.ms, default 15000 */
  logCleanerBackoffMs?: number
  /** producer.id.expiration.ms, default 86400000 */
  producerIdExpirationMs?: number
  /** producer.id.expiration.check.interval.ms, default 600000 */
  producerIdExpirationCheckIntervalMs?: number
  /** log.initial.task.delay.ms (before the first retention and cleaner pass), default 30000 */
  logInitialTaskDelayMs?: number
  /** Things worth a log line that are not failures: truncated tails, rebuilt indexes, unreadable checkpoints. */
  warn?: (message: string) => void
  /** Failures of background work (timers); defaults to rethrowing them as uncaught errors. */
  onBackgroundError?: (error: unknown, context: string) => void
}

interface ManagedLog {
  log: UnifiedLog
  logDir: LogDirState
}

/** Opens every log in the log dirs (recovering them) and starts the background tasks. */
export async function openLogManager(options: LogManagerOptions): Promise<LogManager> {
  const manager = new DefaultLogManager(options)
  await manager.load()
  return manager
}

class DefaultLogManager implements LogManager {
  readonly logDirs: readonly string[]
  readonly #options: LogManagerOptions
  readonly #fs: FileSystem
  readonly #clock: Clock
  readonly #configFor: (topic: string) => LogConfig
  readonly #warn: (message: string) => void
  readonly #onBackgroundError: (error: unknown, context: string) => void
  readonly #logs = new Map<string, ManagedLog>()
  readonly #dirs: LogDirState[] = []
  readonly #timers = new Set<TimerHandle>()
  readonly #pendingDirRemovals = new Map<TimerHandle, string>()
  readonly #cleaner: LogCleaner
  /** Checkpoint writes one at a time: two writers of one file would share its `.tmp` sibling. */
  #checkpointChain: Promise<void> = Promise.resolve()
  #isClosed = false

  constructor(options: LogManagerOptions) {
    if (options.logDirs.length === 0) throw new LogDirectoryError('log.dirs is empty')
    this.#options = options
    this.logDirs = [...options.logDirs]
    this.#fs = options.fs
    this.#clock = options.clock
    this.#configFor = options.configFor ?? (() => logConfig())
    this.#warn = options.warn ?? (() => {})
    this.#onBackgroundError =
      options.onBackgroundError ??
      ((error) =>
        queueMicrotask(() => {
          throw error
        }))
    this.#cleaner = new LogCleaner({ fs: this.#fs, clock: this.#clock, warn: this.#warn })
  }

  async load(): Promise<void> {
    const recovered: UnifiedLog[] = []
    for (const dir of this.logDirs) {
      const state = openLogDir({ ...this.#options, dir, warn: this.#warn })
      this.#dirs.push(state)
      for (const name of state.partitionDirNames) {
        const parsed = parsePartitionDirName(name)
        if (parsed === null) continue
        const key = topicPartitionKey(parsed.topic, parsed.partition)
        const existing = this.#logs.get(key)
        if (existing !== undefined) {
          throw new LogDirectoryError(`${key} is in both ${existing.logDir.dir} and ${dir}`)
        }
        const log = UnifiedLog.open({
          ...parsed,
          dir: posix.join(dir, name),
          fs: this.#fs,
          clock: this.#clock,
          config: this.#configFor(parsed.topic),
          recoveryPoint: state.recoveryPoints.get(key)?.offset ?? 0n,
          logStartOffset: state.logStartOffsets.get(key)?.offset,
          highWatermark: state.highWatermarks.get(key)?.offset,
          hadCleanShutdown: state.hadCleanShutdown,
          warn: (message) => this.#warn(`${key}: ${message}`),
          onBackgroundError: this.#onBackgroundError,
          ...this.#producerStateOptions(),
        })
        this.#logs.set(key, { log, logDir: state })
        this.#cleaner.restoreFirstDirtyOffset(log, state.cleanerOffsets.get(key)?.offset)
        if (log.wasRecovered) recovered.push(log)
      }
    }
    // Make recovery's result durable, then record it, so a crash now does not make the next start repeat it.
    await Promise.all(recovered.map((log) => log.flush()))
    await this.checkpoint()
    // Only now may a crash be taken for an unclean shutdown again.
    for (const state of this.#dirs) {
      if (!state.hadCleanShutdown) continue
      this.#fs.remove(posix.join(state.dir, CLEAN_SHUTDOWN_FILE))
      await this.#fs.syncDirectory(state.dir)
    }
    this.#startTasks()
  }

  getLog(topic: string, partition: number): PartitionLog | undefined {
    return this.#logs.get(topicPartitionKey(topic, partition))?.log
  }

  getOrCreateLog(options: CreateLogOptions): PartitionLog {
    this.#checkOpen()
    const key = topicPartitionKey(options.topic, options.partition)
    const existing = this.#logs.get(key)
    if (existing !== undefined) {
      this.#adoptTopicId(existing.log, options.topicId)
      return existing.log
    }
    const logDir = this.#leastLoadedLogDir()
    const dir = posix.join(logDir.dir, partitionDirName(options.topic, options.partition))
    this.#fs.mkdirp(dir)
    writeFileDurablySync(this.#fs, posix.join(dir, PARTITION_METADATA_FILE), formatPartitionMetadata(options.topicId))
    this.#fs.syncDirectorySync(logDir.dir)
    const log = UnifiedLog.open({
      topic: options.topic,
      partition: options.partition,
      dir,
      fs: this.#fs,
      clock: this.#clock,
      config: options.config ?? this.#configFor(options.topic),
      warn: (message) => this.#warn(`${key}: ${message}`),
      onBackgroundError: this.#onBackgroundError,
      ...this.#producerStateOptions(),
    })
    this.#logs.set(key, { log, logDir })
    return log
  }

  deleteLog(topic: string, partition: number): boolean {
    const key = topicPartitionKey(topic, partition)
    const managed = this.#logs.get(key)
    if (managed === undefined) return false
    this.#logs.delete(key)
    this.#cleaner.forget(managed.log)
    managed.log.closeWithoutFlush()
    // Kafka's naming for a partition directory on its way out: `<topic>-<partition>.<uuid>-delete`.
    const doomed = `${managed.log.dir}.${randomUUID().replaceAll('-', '')}${DELETE_DIR_SUFFIX}`
    this.#fs.rename(managed.log.dir, doomed)
    this.#fs.syncDirectorySync(managed.logDir.dir)
    const timer = this.#clock.setTimer(managed.log.config.fileDeleteDelayMs, () => {
      this.#pendingDirRemovals.delete(timer)
      this.#fs.removeTree(doomed)
    })
    this.#pendingDirRemovals.set(timer, doomed)
    return true
  }

  allLogs(): PartitionLog[] {
    return [...this.#logs.values()].map((managed) => managed.log)
  }

  deleteOldSegments(): number {
    let deleted = 0
    for (const { log } of this.#logs.values()) deleted += log.deleteOldSegments()
    return deleted
  }

  async cleanDirtiestLog(): Promise<boolean> {
    this.#checkOpen()
    const cleaned = await this.#cleaner.cleanDirtiestLog([...this.#logs.values()].map((managed) => managed.log))
    if (cleaned) await this.#writeCleanerCheckpoints()
    return cleaned
  }

  checkpoint(): Promise<void> {
    return this.#serializeCheckpoint(async () => {
      for (const state of this.#dirs) {
        const logs = this.#logsIn(state)
        const entry = (log: UnifiedLog, offset: bigint): PartitionOffset => ({
          topic: log.topic,
          partition: log.partition,
          offset,
        })
        await this.#writeCheckpoint(
          state,
          RECOVERY_POINT_CHECKPOINT,
          logs.map((log) => entry(log, log.recoveryPoint)),
        )
        await this.#writeCheckpoint(
          state,
          REPLICATION_OFFSET_CHECKPOINT,
          logs.map((log) => entry(log, log.highWatermark)),
        )
        // Kafka records a log start offset only where it differs from the first segment's base offset.
        const moved = logs.filter((log) => log.logStartOffset > (log.segments[0]?.baseOffset ?? 0n))
        await this.#writeCheckpoint(
          state,
          LOG_START_OFFSET_CHECKPOINT,
          moved.map((log) => entry(log, log.logStartOffset)),
        )
      }
    })
  }

  appendsWritten(): Promise<void> {
    return this.#fs.written?.() ?? Promise.resolve()
  }

  describeLogDirs(): LogDirDescription[] {
    return this.#dirs.map((state) => ({
      logDir: state.dir,
      directoryId: state.directoryId,
      partitions: this.#logsIn(state).map((log) => ({
        topic: log.topic,
        partition: log.partition,
        sizeInBytes: log.sizeInBytes,
      })),
    }))
  }

  async close(): Promise<void> {
    if (this.#isClosed) return
    this.#isClosed = true
    for (const timer of this.#timers) this.#clock.clearTimer(timer)
    this.#timers.clear()
    await this.#cleaner.stop()
    await Promise.all([...this.#logs.values()].map(({ log }) => log.close()))
    await this.checkpoint()
    await this.#writeCleanerCheckpoints()
    for (const [timer, dir] of this.#pendingDirRemovals) {
      this.#clock.clearTimer(timer)
      this.#fs.removeTree(dir)
    }
    this.#pendingDirRemovals.clear()
    for (const state of this.#dirs) {
      await writeFileDurably(this.#fs, posix.join(state.dir, CLEAN_SHUTDOWN_FILE), Buffer.alloc(0))
    }
  }

  #startTasks(): void {
    const options = this.#options
    const initialDelayMs = options.logInitialTaskDelayMs ?? 30_000
    const retentionMs = options.logRetentionCheckIntervalMs ?? 300_000
    this.#every('retention', Math.min(initialDelayMs, retentionMs), retentionMs, () => {
      this.deleteOldSegments()
    })
    // Kafka's PeriodicProducerExpirationCheck.
    const expirationCheckMs = options.producerIdExpirationCheckIntervalMs ?? 600_000
    this.#every('producer id expiration', expirationCheckMs, expirationCheckMs, () => {
      for (const { log } of this.#logs.values()) log.producerState.removeExpiredProducers(this.#clock.now())
    })
    const highWatermarkMs = options.replicaHighWatermarkCheckpointIntervalMs ?? 5_000
    this.#every('checkpoints', highWatermarkMs, highWatermarkMs, () => this.checkpoint())
    if (options.logCleanerEnable ?? true) {
      const backoffMs = options.logCleanerBackoffMs ?? 15_000
      // Like Kafka's cleaner threads: clean while there is work, back off when there is none.
      this.#every('log cleaner', Math.min(initialDelayMs, backoffMs), backoffMs, async () => {
        // Bounded, so a log that keeps qualifying without progress cannot keep the task busy forever.
        for (let pass = 0; pass < this.#logs.size && !this.#isClosed && (await this.cleanDirtiestLog()); pass++);
      })
    }
  }

  /**
   * Runs `task` after `firstDelayMs`, then `intervalMs` after each run finishes (never two runs at once).
   * All three checkpoint files are written at the high-watermark interval: Kafka's separate, longer intervals for
   * the recovery point and log start offset exist to save I/O that three small files do not cost.
   */
  #every(name: string, firstDelayMs: number, intervalMs: number, task: () => void | Promise<void>): void {
    const arm = (delayMs: number): void => {
      const timer = this.#clock.setTimer(delayMs, () => {
        this.#timers.delete(timer)
        if (this.#isClosed) return
        Promise.resolve()
          .then(task)
          .catch((error: unknown) => this.#onBackgroundError(error, name))
          .finally(() => {
            if (!this.#isClosed) arm(intervalMs)
          })
      })
      this.#timers.add(timer)
    }
    arm(firstDelayMs)
  }

  async #writeCleanerCheckpoints(): Promise<void> {
    await this.#serializeCheckpoint(async () => {
      for (const state of this.#dirs) {
        await this.#cleaner.writeCheckpoint(state.dir, this.#logsIn(state))
      }
    })
  }

  #serializeCheckpoint(write: () => Promise<void>): Promise<void> {
    const run = this.#checkpointChain.then(write)
    this.#checkpointChain = run.catch(() => undefined)
    return run
  }

  async #writeCheckpoint(state: LogDirState, name: string, entries: PartitionOffset[]): Promise<void> {
    await writeFileDurably(this.#fs, posix.join(state.dir, name), formatOffsetCheckpoint(entries))
  }

  #logsIn(state: LogDirState): UnifiedLog[] {
    return [...this.#logs.values()].filter((managed) => managed.logDir === state).map((managed) => managed.log)
  }

  #leastLoadedLogDir(): LogDirState {
    let best = this.#dirs[0] as LogDirState
    let bestCount = Infinity
    for (const state of this.#dirs) {
      const count = this.#logsIn(state).length
      if (count < bestCount) {
        best = state
        bestCount = count
      }
    }
    return best
  }

  /** A directory from before topic ids gets one; a different id means the partition belongs to another topic. */
  #adoptTopicId(log: UnifiedLog, topicId: string): void {
    if (log.topicId === topicId) return
    if (log.topicId !== null) {
      throw new LogDirectoryError(
        `${log.topic}-${log.partition} belongs to topic id ${log.topicId}, not ${topicId} (delete it first)`,
      )
    }
    writeFileDurablySync(this.#fs, posix.join(log.dir, PARTITION_METADATA_FILE), formatPartitionMetadata(topicId))
    log.topicId = topicId
  }

  #producerStateOptions(): { producerIdExpirationMs?: number } {
    const ms = this.#options.producerIdExpirationMs
    return ms === undefined ? {} : { producerIdExpirationMs: ms }
  }

  #checkOpen(): void {
    if (this.#isClosed) throw new LogClosedError('the log manager is closed')
  }
}
