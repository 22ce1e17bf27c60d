// Committed offsets of a group: OffsetFetch (v8+ carries a list of groups; KIP-709) and OffsetCommit, both sent to
// the group coordinator. Members commit with their generation (classic) or member epoch (KIP-848) so the
// coordinator can fence a zombie; the admin client commits as a non-member (generation -1, empty member id).

import { ErrorCode, OffsetCommit, OffsetFetch } from '@samsa/protocol'
import type { TopicPartition } from '../cluster/sharding.ts'
import { KafkaProtocolError } from '../errors.ts'
import { isCoordinatorMovedError, type GroupCoordinator } from './coordinator.ts'

export interface CommittedOffset extends TopicPartition {
  /** -1n when the group has committed nothing for the partition. */
  offset: bigint
  leaderEpoch: number
  metadata: string | null
}

export interface OffsetToCommit extends TopicPartition {
  offset: bigint
  leaderEpoch?: number
  metadata?: string | null
}

/** Who commits: a member's generation or epoch, or nobody (generation -1) for the admin client. */
export interface CommitIdentity {
  generationIdOrMemberEpoch: number
  memberId: string
  groupInstanceId: string | null
}

export const NON_MEMBER: CommitIdentity = { generationIdOrMemberEpoch: -1, memberId: '', groupInstanceId: null }

function byTopic<T extends TopicPartition>(items: readonly T[]): Map<string, T[]> {
  const out = new Map<string, T[]>()
  for (const item of items) out.set(item.topic, [...(out.get(item.topic) ?? []), item])
  return out
}

/** The group's committed offsets for `partitions`, or for every partition it has committed when null. */
export async function fetchCommittedOffsets(
  coordinator: GroupCoordinator,
  partitions: readonly TopicPartition[] | null,
  options: { requireStable?: boolean; timeoutMs?: number } = {},
): Promise<CommittedOffset[]> {
  const groupId = coordinator.groupId
  const topics =
    partitions === null
      ? null
      : [...byTopic(partitions)].map(([name, list]) => ({ name, partitionIndexes: list.map((p) => p.partition) }))
  const { response, version } = await coordinator.request(
    OffsetFetch,
    (v) =>
      OffsetFetch.request.make(
        v >= 8
          ? { groups: [{ groupId, topics }], requireStable: options.requireStable ?? true }
          : { groupId, topics, requireStable: options.requireStable ?? true },
      ),
    {
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      errorCodeOf: (r) => (r.groups.length > 0 ? r.groups[0]!.errorCode : r.errorCode),
    },
  )
  const answered = version >= 8 ? (response.groups[0]?.topics ?? []) : response.topics
  const out: CommittedOffset[] = []
  for (const t of answered) {
    for (const p of t.partitions) {
      if (p.errorCode !== ErrorCode.NONE) {
        throw new KafkaProtocolError({
          errorCode: p.errorCode,
          apiKey: OffsetFetch.key,
          apiVersion: version,
          topic: t.name,
          partition: p.partitionIndex,
        })
      }
      out.push({
        topic: t.name,
        partition: p.partitionIndex,
        offset: p.committedOffset,
        leaderEpoch: p.committedLeaderEpoch,
        metadata: p.metadata,
      })
    }
  }
  return out
}

/** Commits `offsets`; per-partition errors are thrown (several as an AggregateError). */
export async function commitOffsets(
  coordinator: GroupCoordinator,
  offsets: readonly OffsetToCommit[],
  identity: CommitIdentity,
  options: { timeoutMs?: number } = {},
): Promise<void> {
  if (offsets.length === 0) return
  const { response, version } = await coordinator.request(
    OffsetCommit,
    () =>
      OffsetCommit.request.make({
        groupId: coordinator.groupId,
        generationIdOrMemberEpoch: identity.generationIdOrMemberEpoch,
        memberId: identity.memberId,
        groupInstanceId: identity.groupInstanceId,
        topics: [...byTopic(offsets)].map(([name, list]) => ({
          name,
          partitions: list.map((o) => ({
            partitionIndex: o.partition,
            committedOffset: o.offset,
            committedLeaderEpoch: o.leaderEpoch ?? -1,
            committedMetadata: o.metadata ?? null,
          })),
        })),
      }),
    options,
  )
  const errors: KafkaProtocolError[] = []
  for (const t of response.topics) {
    for (const p of t.partitions) {
      if (p.errorCode === ErrorCode.NONE) continue
      const details = { errorCode: p.errorCode, apiKey: OffsetCommit.key, apiVersion: version }
      errors.push(new KafkaProtocolError({ ...details, topic: t.name, partition: p.partitionIndex }))
    }
  }
  if (errors.some((e) => isCoordinatorMovedError(e.errorCode))) coordinator.markUnknown()
  if (errors.length === 1) throw errors[0]!
  if (errors.length > 1) throw new AggregateError(errors, `${errors.length} partitions failed to commit`)
}
