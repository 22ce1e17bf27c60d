// One log dir at start-up: check that it belongs to this cluster and node (meta.properties), read its checkpoint
// files, finish deleting partition directories renamed `…-delete`, and list the partition directories to open.

import { randomBytes } from 'node:crypto'
import { posix } from 'node:path'
import {
  CLEANER_OFFSET_CHECKPOINT,
  LOG_START_OFFSET_CHECKPOINT,
  RECOVERY_POINT_CHECKPOINT,
  REPLICATION_OFFSET_CHECKPOINT,
  parseOffsetCheckpoint,
  type PartitionOffset,
} from '../checkpoint/checkpoint-file.ts'
import { META_PROPERTIES_FILE, formatMetaProperties, parseMetaProperties } from '../checkpoint/meta-properties.ts'
import type { Clock } from '../clock.ts'
import { LogDirectoryError } from '../errors.ts'
import { writeFileDurablySync } from '../fs/durable-write.ts'
import type { FileSystem } from '../fs/file-system.ts'
import { CLEAN_SHUTDOWN_FILE, DELETE_DIR_SUFFIX, parsePartitionDirName } from '../log/file-names.ts'

export interface LogDirState {
  readonly dir: string
  readonly directoryId: string
  readonly hadCleanShutdown: boolean
  /** Checkpoint entries keyed by `topic-partition`. */
  readonly recoveryPoints: ReadonlyMap<string, PartitionOffset>
  readonly logStartOffsets: ReadonlyMap<string, PartitionOffset>
  readonly highWatermarks: ReadonlyMap<string, PartitionOffset>
  readonly cleanerOffsets: ReadonlyMap<string, PartitionOffset>
  readonly partitionDirNames: readonly string[]
}

export interface OpenLogDirOptions {
  dir: string
  fs: FileSystem
  clock: Clock
  nodeId: number
  clusterId: string
  warn: (message: string) => void
}

export function openLogDir(options: OpenLogDirOptions): LogDirState {
  const { dir, fs, warn } = options
  fs.mkdirp(dir)
  const directoryId = checkMetaProperties(options)
  const names = fs.list(dir)
  for (const name of names) {
    if (name.endsWith(DELETE_DIR_SUFFIX) && fs.isDirectory(posix.join(dir, name))) {
      fs.removeTree(posix.join(dir, name))
    }
  }
  const read = (file: string): Map<string, PartitionOffset> => {
    const path = posix.join(dir, file)
    if (!fs.exists(path)) return new Map()
    try {
      return parseOffsetCheckpoint(fs.readFile(path))
    } catch (error) {
      // Each of these has a safe fallback (recover everything, start at the first segment, high watermark at
      // the log start), so an unreadable one is a warning, not a reason to keep the broker down.
      warn(`ignoring ${path}: ${(error as Error).message}`)
      return new Map()
    }
  }
  return {
    dir,
    directoryId,
    hadCleanShutdown: fs.exists(posix.join(dir, CLEAN_SHUTDOWN_FILE)),
    recoveryPoints: read(RECOVERY_POINT_CHECKPOINT),
    logStartOffsets: read(LOG_START_OFFSET_CHECKPOINT),
    highWatermarks: read(REPLICATION_OFFSET_CHECKPOINT),
    cleanerOffsets: read(CLEANER_OFFSET_CHECKPOINT),
    partitionDirNames: names.filter(
      (name) => parsePartitionDirName(name) !== null && fs.isDirectory(posix.join(dir, name)),
    ),
  }
}

/** Returns the dir's directory.id, writing meta.properties first if the dir is new. */
function checkMetaProperties(options: OpenLogDirOptions): string {
  const { dir, fs } = options
  const path = posix.join(dir, META_PROPERTIES_FILE)
  if (fs.exists(path)) {
    let meta
    try {
      meta = parseMetaProperties(fs.readFile(path))
    } catch (error) {
      throw new LogDirectoryError(`${path}: ${(error as Error).message}`)
    }
    if (meta.clusterId !== options.clusterId) {
      throw new LogDirectoryError(
        `${dir} belongs to cluster ${meta.clusterId}, not ${options.clusterId} (Kafka's InconsistentClusterIdException)`,
      )
    }
    if (meta.nodeId !== options.nodeId) {
      throw new LogDirectoryError(`${dir} belongs to node ${meta.nodeId}, not ${options.nodeId}`)
    }
    if (meta.directoryId !== '') return meta.directoryId
  }
  const directoryId = newUuid()
  const meta = { clusterId: options.clusterId, nodeId: options.nodeId, directoryId }
  writeFileDurablySync(fs, path, formatMetaProperties(meta, options.clock.now()))
  return directoryId
}

/** A random Kafka Uuid in its text form: 16 bytes as unpadded base64url. */
function newUuid(): string {
  return randomBytes(16).toString('base64url')
}
