// The log cleaner (compaction) — bookkeeping only in this revision: first dirty offsets and their checkpoint.
// Compaction itself follows in the next commit.

import { posix } from 'node:path'
import { CLEANER_OFFSET_CHECKPOINT, formatOffsetCheckpoint } from '../checkpoint/checkpoint-file.ts'
import type { Clock } from '../clock.ts'
import { writeFileDurably } from '../fs/durable-write.ts'
import type { FileSystem } from '../fs/file-system.ts'
import type { UnifiedLog } from '../log/unified-log.ts'

export interface LogCleanerOptions {
  fs: FileSystem
  clock: Clock
  warn: (message: string) => void
}

export class LogCleaner {
  readonly #fs: FileSystem
  readonly #firstDirtyOffsets = new WeakMap<UnifiedLog, bigint>()

  constructor(options: LogCleanerOptions) {
    this.#fs = options.fs
  }

  restoreFirstDirtyOffset(log: UnifiedLog, offset: bigint | undefined): void {
    if (offset !== undefined) this.#firstDirtyOffsets.set(log, offset)
  }

  forget(log: UnifiedLog): void {
    this.#firstDirtyOffsets.delete(log)
  }

  cleanDirtiestLog(_logs: readonly UnifiedLog[]): Promise<boolean> {
    return Promise.resolve(false)
  }

  stop(): Promise<void> {
    return Promise.resolve()
  }

  async writeCheckpoint(logDir: string, logs: readonly UnifiedLog[]): Promise<void> {
    const entries = []
    for (const log of logs) {
      const offset = this.#firstDirtyOffsets.get(log)
      if (offset !== undefined) entries.push({ topic: log.topic, partition: log.partition, offset })
    }
    await writeFileDurably(this.#fs, posix.join(logDir, CLEANER_OFFSET_CHECKPOINT), formatOffsetCheckpoint(entries))
  }
}
