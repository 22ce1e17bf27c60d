// OffsetFetch (9): v1-9. Behaviour: a group's committed offsets (-1 where nothing is committed) for the asked
// partitions, or (topics null, v2+) for every partition it committed; v8+ asks for several groups at once (KIP-709);
// v9 carries the KIP-848 member id and epoch, checked for consumer groups (STALE_MEMBER_EPOCH, UNKNOWN_MEMBER_ID).
// An unknown group is not an error: it simply has no offsets. With v7+ requireStable (KIP-447), a partition whose
// offset a transaction has committed but not yet ended answers UNSTABLE_OFFSET_COMMIT (the consumer retries).
// Not implemented: authorization.

import { OffsetFetch, type OffsetFetchRequest, type OffsetFetchResponse } from '@samsa/protocol'
import { defineHandler } from '../server/handler.ts'
import type { OffsetFetchGroup, PartitionOffset } from '../coordinator/group/index.ts'

type GroupResponse = OffsetFetchResponse['groups'][number]

function asked(topics: { name: string; partitionIndexes: number[] }[] | null): OffsetFetchGroup['topics'] {
  return topics === null ? null : topics.map((t) => ({ topic: t.name, partitions: t.partitionIndexes }))
}

function byTopic(offsets: readonly PartitionOffset[]): GroupResponse['topics'] {
  const topics = new Map<string, GroupResponse['topics'][number]>()
  for (const o of offsets) {
    let entry = topics.get(o.topic)
    if (entry === undefined) topics.set(o.topic, (entry = { name: o.topic, topicId: '', partitions: [] }))
    entry.partitions.push({
      partitionIndex: o.partition,
      committedOffset: o.offset,
      committedLeaderEpoch: o.leaderEpoch,
      metadata: o.metadata,
      errorCode: o.errorCode,
    })
  }
  return [...topics.values()]
}

export const offsetFetchHandler = defineHandler(
  OffsetFetch,
  { minVersion: 1, maxVersion: 9 },
  {
    async handle(req, ctx) {
      if (ctx.apiVersion >= 8) {
        const groups: GroupResponse[] = []
        for (const g of req.groups) {
          const { errorCode, offsets } = await ctx.broker.groups.fetchOffsets({
            groupId: g.groupId,
            memberId: g.memberId,
            memberEpoch: g.memberEpoch,
            topics: asked(g.topics?.map((t) => ({ name: t.name, partitionIndexes: t.partitionIndexes })) ?? null),
            requireStable: req.requireStable,
          })
          groups.push({ groupId: g.groupId, topics: byTopic(offsets), errorCode })
        }
        return OffsetFetch.response.make({ groups })
      }
      const { errorCode, offsets } = await ctx.broker.groups.fetchOffsets({
        groupId: req.groupId,
        memberId: null,
        memberEpoch: -1,
        topics: asked(req.topics),
        requireStable: req.requireStable,
      })
      const topics = byTopic(offsets).map((t) => ({ name: t.name, partitions: t.partitions }))
      return OffsetFetch.response.make({ errorCode, topics })
    },
    errorResponse: (req: OffsetFetchRequest, errorCode) =>
      OffsetFetch.response.make({
        errorCode,
        groups: req.groups.map((g) => ({ groupId: g.groupId, errorCode })),
        topics: (req.topics ?? []).map((t) => ({
          name: t.name,
          partitions: t.partitionIndexes.map((partitionIndex) => ({ partitionIndex, committedOffset: -1n, errorCode })),
        })),
      }),
  },
)
