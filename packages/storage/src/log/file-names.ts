// Kafka's on-disk names. A partition lives in `<logDir>/<topic>-<partition>/`; each segment is a set of files
// named by its base offset, zero-padded to 20 digits so that a plain directory listing sorts them.

export const LOG_FILE_SUFFIX = '.log'
export const INDEX_FILE_SUFFIX = '.index'
export const TIME_INDEX_FILE_SUFFIX = '.timeindex'
/** Appended to a segment's file names when it leaves the log; the files are removed after file.delete.delay.ms. */
export const DELETED_FILE_SUFFIX = '.deleted'
/** The cleaner writes a compacted segment under this suffix first... */
export const CLEANED_FILE_SUFFIX = '.cleaned'
/** ...and renames it to this one once complete: from then on recovery completes the swap instead of discarding it. */
export const SWAP_FILE_SUFFIX = '.swap'
/** A partition directory renamed for deletion: `<topic>-<partition>.<uuid>-delete`. */
export const DELETE_DIR_SUFFIX = '-delete'
/** Written to a log dir on clean shutdown; its presence at start-up means no recovery is needed. */
export const CLEAN_SHUTDOWN_FILE = '.kafka_cleanshutdown'

export function offsetFileName(offset: bigint, suffix: string): string {
  return offset.toString().padStart(20, '0') + suffix
}

/** The base offset a segment file name encodes, or null if the name is not `<20 digits><suffix>`. */
export function baseOffsetOf(fileName: string, suffix: string): bigint | null {
  if (!fileName.endsWith(suffix)) return null
  const digits = fileName.slice(0, fileName.length - suffix.length)
  return /^\d{20}$/.test(digits) ? BigInt(digits) : null
}

export function partitionDirName(topic: string, partition: number): string {
  return `${topic}-${partition}`
}

/** Topic and partition of a directory name `<topic>-<partition>`, or null for anything else. */
export function parsePartitionDirName(name: string): { topic: string; partition: number } | null {
  const match = /^(.+)-(\d+)$/.exec(name)
  if (match === null) return null
  const partition = Number(match[2])
  return Number.isSafeInteger(partition) ? { topic: match[1] as string, partition } : null
}
