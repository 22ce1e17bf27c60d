// Kafka's checkpoint text format (CheckpointFile): a version line, a count line, then one entry per line with
// space-separated fields. Four files use it: recovery-point-offset-checkpoint, replication-offset-checkpoint,
// log-start-offset-checkpoint and cleaner-offset-checkpoint (entries `topic partition offset`, one file per log
// dir), and leader-epoch-checkpoint (entries `epoch startOffset`, one file per partition dir).

export const RECOVERY_POINT_CHECKPOINT = 'recovery-point-offset-checkpoint'
export const REPLICATION_OFFSET_CHECKPOINT = 'replication-offset-checkpoint'
export const LOG_START_OFFSET_CHECKPOINT = 'log-start-offset-checkpoint'
export const CLEANER_OFFSET_CHECKPOINT = 'cleaner-offset-checkpoint'
export const LEADER_EPOCH_CHECKPOINT = 'leader-epoch-checkpoint'

const CURRENT_VERSION = 0

/** A checkpoint file that cannot be parsed; the caller decides whether to fall back or fail. */
export class MalformedCheckpointError extends Error {
  override name = 'MalformedCheckpointError'
}

function formatCheckpoint(lines: string[]): Buffer {
  return Buffer.from(`${CURRENT_VERSION}\n${lines.length}\n${lines.map((line) => `${line}\n`).join('')}`, 'utf8')
}

function parseCheckpoint(content: Buffer, fieldsPerEntry: number): string[][] {
  const lines = content.toString('utf8').split('\n')
  if (lines.at(-1) === '') lines.pop()
  const [versionLine, countLine, ...entryLines] = lines
  if (versionLine === undefined || Number(versionLine) !== CURRENT_VERSION || versionLine.trim() === '') {
    throw new MalformedCheckpointError(`unsupported checkpoint version line ${JSON.stringify(versionLine)}`)
  }
  const count = Number(countLine)
  if (countLine === undefined || !Number.isInteger(count) || count < 0 || count !== entryLines.length) {
    throw new MalformedCheckpointError(
      `checkpoint declares ${JSON.stringify(countLine)} entries but has ${entryLines.length}`,
    )
  }
  return entryLines.map((line) => {
    const fields = line.split(' ')
    if (fields.length !== fieldsPerEntry || fields.some((f) => f === '')) {
      throw new MalformedCheckpointError(`malformed checkpoint line ${JSON.stringify(line)}`)
    }
    return fields
  })
}

function parseOffset(field: string, line: string[]): bigint {
  if (!/^-?\d+$/.test(field))
    throw new MalformedCheckpointError(`malformed offset in ${JSON.stringify(line.join(' '))}`)
  return BigInt(field)
}

/** Key of a partition in the per-log-dir checkpoint maps: Kafka's TopicPartition.toString(), `topic-partition`. */
export function topicPartitionKey(topic: string, partition: number): string {
  return `${topic}-${partition}`
}

export interface PartitionOffset {
  topic: string
  partition: number
  offset: bigint
}

export function formatOffsetCheckpoint(entries: Iterable<PartitionOffset>): Buffer {
  const lines: string[] = []
  for (const { topic, partition, offset } of entries) lines.push(`${topic} ${partition} ${offset}`)
  return formatCheckpoint(lines)
}

/** Entries keyed by topicPartitionKey. Throws MalformedCheckpointError. */
export function parseOffsetCheckpoint(content: Buffer): Map<string, PartitionOffset> {
  const entries = new Map<string, PartitionOffset>()
  for (const fields of parseCheckpoint(content, 3)) {
    const [topic, partitionField, offsetField] = fields as [string, string, string]
    const partition = Number(partitionField)
    if (!/^\d+$/.test(partitionField) || !Number.isSafeInteger(partition)) {
      throw new MalformedCheckpointError(`malformed partition in ${JSON.stringify(fields.join(' '))}`)
    }
    entries.set(topicPartitionKey(topic, partition), { topic, partition, offset: parseOffset(offsetField, fields) })
  }
  return entries
}

/** An entry of leader-epoch-checkpoint: the first offset written under a leader epoch. */
export interface EpochEntry {
  epoch: number
  startOffset: bigint
}

export function formatLeaderEpochCheckpoint(entries: readonly EpochEntry[]): Buffer {
  return formatCheckpoint(entries.map((e) => `${e.epoch} ${e.startOffset}`))
}

export function parseLeaderEpochCheckpoint(content: Buffer): EpochEntry[] {
  return parseCheckpoint(content, 2).map((fields) => {
    const [epochField, offsetField] = fields as [string, string]
    const epoch = Number(epochField)
    if (!/^\d+$/.test(epochField) || !Number.isSafeInteger(epoch)) {
      throw new MalformedCheckpointError(`malformed epoch in ${JSON.stringify(fields.join(' '))}`)
    }
    return { epoch, startOffset: parseOffset(offsetField, fields) }
  })
}
