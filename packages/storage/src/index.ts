// @samsa/storage: Kafka's partition log on a FileSystem interface.
export type * from './api.ts'
export { keylessRecordIndexes } from './cleaner/clean-segments.ts'
export { systemClock, type Clock, type TimerHandle } from './clock.ts'
export {
  CorruptRecordError,
  LogClosedError,
  LogDirectoryError,
  OffsetOutOfRangeError,
  RecordBatchTooLargeError,
  UnexpectedAppendOffsetError,
} from './errors.ts'
export type { FileHandle, FileSystem } from './fs/file-system.ts'
export { writeFileDurably, writeFileDurablySync } from './fs/durable-write.ts'
export { NodeFileSystem } from './fs/node-file-system.ts'
export { MemoryFileSystem, type CrashOptions } from './fs/memory-file-system.ts'
export { TailCachingFileSystem } from './fs/tail-cache.ts'
export { DEFAULT_LOG_CONFIG, NEVER, logConfig } from './log-config.ts'
export { UnifiedLog, type OpenLogOptions } from './log/unified-log.ts'
export { openLogManager, type LogManagerOptions } from './manager/log-manager.ts'
export { ManualClock } from './testing/manual-clock.ts'
