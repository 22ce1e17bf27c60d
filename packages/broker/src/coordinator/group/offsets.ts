// Committed offsets of the groups of one shard (Kafka's OffsetMetadataManager). State changes only through
// replay of OffsetCommit records; the operations below compute the records (a commit, or a tombstone that deletes
// one) and answer from the current state.
//
// Expiry follows KIP-211: a group's offsets expire offsets.retention.minutes after the group became Empty; offsets
// of a group with no protocol at all (a "simple" consumer that only commits) expire that long after their commit.
// Offsets of an active group never expire. Offsets of a deleted topic are deleted with it.
//
// Transactional commits (TxnOffsetCommit, KIP-98) are replayed as pending, per producer, and become committed
// offsets only when the transaction's COMMIT marker is replayed (an ABORT drops them). OffsetFetch with
// requireStable answers UNSTABLE_OFFSET_COMMIT for a partition that has a pending offset.

import { ErrorCode } from '@samsa/protocol'
import type { GroupRecord } from './types.ts'

export interface CommittedOffset {
  offset: bigint
  leaderEpoch: number
  metadata: string
  commitTimestamp: bigint
  /** Only value v1 records carry one (OffsetCommit v1's per-request retention); -1 otherwise. */
  expireTimestamp: bigint
}

export interface OffsetToCommit {
  topic: string
  partition: number
  offset: bigint
  leaderEpoch: number
  metadata: string | null
}

export interface PartitionOffset {
  topic: string
  partition: number
  /** -1 when nothing was committed. */
  offset: bigint
  leaderEpoch: number
  metadata: string | null
  errorCode: number
}

type OffsetCommitRecord = Extract<GroupRecord, { type: 'offsetCommit' }>

function commitRecord(groupId: string, topic: string, partition: number, value: CommittedOffset | null): GroupRecord {
  return {
    type: 'offsetCommit',
    key: { group: groupId, topic, partition },
    value:
      value === null
        ? null
        : {
            offset: value.offset,
            leaderEpoch: value.leaderEpoch,
            metadata: value.metadata,
            commitTimestamp: value.commitTimestamp,
            expireTimestamp: value.expireTimestamp,
          },
  }
}

export class OffsetStore {
  /** group → topic → partition → offset */
  readonly #groups = new Map<string, Map<string, Map<number, CommittedOffset>>>()
  /** producer id → its transaction's offset commits, in log order, until the marker. */
  readonly #pending = new Map<bigint, OffsetCommitRecord[]>()

  /** Replays a commit; with a producer id ≥ 0 it is a transactional commit, pending until that producer's marker. */
  replay(record: OffsetCommitRecord, producerId = -1n): void {
    if (producerId >= 0n) {
      const pending = this.#pending.get(producerId)
      if (pending === undefined) this.#pending.set(producerId, [record])
      else pending.push(record)
      return
    }
    this.#apply(record)
  }

  /**
   * A transaction marker for `producerId`: its pending commits take effect (COMMIT) or are dropped (ABORT). Returns
   * the groups whose offsets changed.
   */
  replayEndTransaction(producerId: bigint, committed: boolean): string[] {
    const pending = this.#pending.get(producerId) ?? []
    this.#pending.delete(producerId)
    if (!committed) return []
    for (const record of pending) this.#apply(record)
    return [...new Set(pending.map((r) => r.key.group))]
  }

  /** Whether a transaction still holds an uncommitted offset for the partition (OffsetFetch requireStable). */
  hasPendingOffset(groupId: string, topic: string, partition: number): boolean {
    for (const records of this.#pending.values()) {
      for (const r of records) {
        if (r.key.group === groupId && r.key.topic === topic && r.key.partition === partition) return true
      }
    }
    return false
  }

  #apply(record: OffsetCommitRecord): void {
    const { group, topic, partition } = record.key
    if (record.value === null) {
      const topics = this.#groups.get(group)
      const partitions = topics?.get(topic)
      partitions?.delete(partition)
      if (partitions?.size === 0) topics?.delete(topic)
      if (topics?.size === 0) this.#groups.delete(group)
      return
    }
    let topics = this.#groups.get(group)
    if (topics === undefined) this.#groups.set(group, (topics = new Map<string, Map<number, CommittedOffset>>()))
    let partitions = topics.get(topic)
    if (partitions === undefined) topics.set(topic, (partitions = new Map<number, CommittedOffset>()))
    partitions.set(partition, {
      offset: record.value.offset,
      leaderEpoch: record.value.leaderEpoch,
      metadata: record.value.metadata,
      commitTimestamp: record.value.commitTimestamp,
      expireTimestamp: record.value.expireTimestamp,
    })
  }

  hasOffsets(groupId: string): boolean {
    return this.#groups.has(groupId)
  }

  groupIds(): Iterable<string> {
    return this.#groups.keys()
  }

  topicsOf(groupId: string): string[] {
    return [...(this.#groups.get(groupId)?.keys() ?? [])]
  }

  /**
   * Records for a validated commit, and an error code per partition: OFFSET_METADATA_TOO_LARGE for metadata over
   * offset.metadata.max.bytes (that partition alone is refused, as Kafka does).
   */
  commit(
    groupId: string,
    offsets: readonly OffsetToCommit[],
    now: number,
    maxMetadataBytes: number,
    expireTimestamp = -1n,
  ): { records: GroupRecord[]; errors: number[] } {
    const records: GroupRecord[] = []
    const errors: number[] = []
    for (const o of offsets) {
      const metadata = o.metadata ?? ''
      if (Buffer.byteLength(metadata) > maxMetadataBytes) {
        errors.push(ErrorCode.OFFSET_METADATA_TOO_LARGE)
        continue
      }
      errors.push(ErrorCode.NONE)
      records.push(
        commitRecord(groupId, o.topic, o.partition, {
          offset: o.offset,
          leaderEpoch: o.leaderEpoch,
          metadata,
          commitTimestamp: BigInt(now),
          expireTimestamp,
        }),
      )
    }
    return { records, errors }
  }

  /** The committed offsets of the asked partitions, or of every partition the group has committed (null). */
  fetch(
    groupId: string,
    asked: readonly { topic: string; partitions: readonly number[] }[] | null,
    requireStable = false,
  ): PartitionOffset[] {
    const topics = this.#groups.get(groupId)
    const out: PartitionOffset[] = []
    const entry = (topic: string, partition: number): PartitionOffset => {
      if (requireStable && this.#pending.size > 0 && this.hasPendingOffset(groupId, topic, partition)) {
        return {
          topic,
          partition,
          offset: -1n,
          leaderEpoch: -1,
          metadata: '',
          errorCode: ErrorCode.UNSTABLE_OFFSET_COMMIT,
        }
      }
      const committed = topics?.get(topic)?.get(partition)
      return {
        topic,
        partition,
        offset: committed?.offset ?? -1n,
        leaderEpoch: committed?.leaderEpoch ?? -1,
        metadata: committed?.metadata ?? '',
        errorCode: ErrorCode.NONE,
      }
    }
    if (asked === null) {
      for (const [topic, partitions] of topics ?? [])
        for (const partition of partitions.keys()) out.push(entry(topic, partition))
    } else {
      for (const t of asked) for (const partition of t.partitions) out.push(entry(t.topic, partition))
    }
    return out
  }

  /** Tombstones for the given partitions' offsets that exist (OffsetDelete). */
  delete(groupId: string, partitions: readonly { topic: string; partition: number }[]): GroupRecord[] {
    const topics = this.#groups.get(groupId)
    return partitions
      .filter((p) => topics?.get(p.topic)?.has(p.partition) === true)
      .map((p) => commitRecord(groupId, p.topic, p.partition, null))
  }

  /** Tombstones for every offset of the group (DeleteGroups). */
  deleteGroup(groupId: string): GroupRecord[] {
    const out: GroupRecord[] = []
    for (const [topic, partitions] of this.#groups.get(groupId) ?? []) {
      for (const partition of partitions.keys()) out.push(commitRecord(groupId, topic, partition, null))
    }
    return out
  }

  /** Tombstones for every group's offsets of topics that no longer exist. */
  deleteTopics(exists: (topic: string) => boolean): GroupRecord[] {
    const out: GroupRecord[] = []
    for (const [groupId, topics] of this.#groups) {
      for (const [topic, partitions] of topics) {
        if (exists(topic)) continue
        for (const partition of partitions.keys()) out.push(commitRecord(groupId, topic, partition, null))
      }
    }
    return out
  }

  /**
   * Tombstones for offsets past retention. `emptySince(groupId)` says when the group became Empty (a time in ms),
   * null while it has members, or undefined for a group without protocol (simple consumers: the commit time counts).
   */
  expire(now: number, retentionMs: number, emptySince: (groupId: string) => number | null | undefined): GroupRecord[] {
    const out: GroupRecord[] = []
    for (const [groupId, topics] of this.#groups) {
      const since = emptySince(groupId)
      if (since === null) continue
      for (const [topic, partitions] of topics) {
        for (const [partition, committed] of partitions) {
          const expired =
            committed.expireTimestamp >= 0n
              ? BigInt(now) >= committed.expireTimestamp
              : now - (since ?? Number(committed.commitTimestamp)) >= retentionMs
          if (expired) out.push(commitRecord(groupId, topic, partition, null))
        }
      }
    }
    return out
  }
}
