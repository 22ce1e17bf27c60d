// What OffsetCommit and TxnOffsetCommit share: per partition, UNKNOWN_TOPIC_OR_PARTITION for a topic or partition
// the cluster does not have (or the request-wide refusal, when there is one), the rest committed in one call whose
// answers go back to their places in the request.

import { ErrorCode } from '@samsa/protocol'
import type { OffsetToCommit } from '../coordinator/group/index.ts'
import type { MetadataStore } from '../metadata/index.ts'

interface CommitTopic {
  name: string
  partitions: readonly {
    partitionIndex: number
    committedOffset: bigint
    committedLeaderEpoch: number
    committedMetadata: string | null
  }[]
}

/** One error code per partition of each topic, in request order. */
export async function commitPartitions(
  topics: readonly CommitTopic[],
  metadata: MetadataStore,
  commit: (offsets: OffsetToCommit[]) => Promise<number[]>,
  refusal: number = ErrorCode.NONE,
): Promise<number[][]> {
  const codes = topics.map((t) => t.partitions.map(() => ErrorCode.NONE as number))
  const offsets: OffsetToCommit[] = []
  const slots: [number, number][] = []
  topics.forEach((t, ti) => {
    const known = metadata.topic(t.name)
    const row = codes[ti] as number[]
    t.partitions.forEach((p, pi) => {
      if (known === undefined || p.partitionIndex < 0 || p.partitionIndex >= known.partitions.length) {
        row[pi] = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION
      } else if (refusal !== ErrorCode.NONE) {
        row[pi] = refusal
      } else {
        offsets.push({
          topic: t.name,
          partition: p.partitionIndex,
          offset: p.committedOffset,
          leaderEpoch: p.committedLeaderEpoch,
          metadata: p.committedMetadata,
        })
        slots.push([ti, pi])
      }
    })
  })
  const results = await commit(offsets)
  slots.forEach(([ti, pi], i) => ((codes[ti] as number[])[pi] = results[i] ?? ErrorCode.UNKNOWN_SERVER_ERROR))
  return codes
}
