// The range assignor (KIP-848's server-side "range"): topic by topic, the topic's subscribers in a fixed order
// (static members first, by instance id, so that a restarted static member with a new member id keeps its
// ranges; then the others by member id, as Kafka's RangeAssignor orders them) each take one contiguous range, the first (partitions % subscribers) of them one
// partition more. Topics with the same partition count and the same subscribers are therefore co-partitioned:
// a member gets the same partition numbers of each, which joins over keyed topics rely on. It is deliberately
// not sticky (stickiness would break co-partitioning), as in Kafka 4.0's RangeAssignor.

import {
  subscribedTopics,
  type AssignmentMemberSpec,
  toGroupAssignment,
  type AssignmentSpec,
  type GroupAssignment,
  type ServerAssignor,
} from './types.ts'

export const rangeAssignor: ServerAssignor = { name: 'range', assign: assignRange }

function byRangeOrder(a: AssignmentMemberSpec, b: AssignmentMemberSpec): number {
  const [x, y] = [a.instanceId ?? null, b.instanceId ?? null]
  if (x !== null && y !== null && x !== y) return x < y ? -1 : 1
  if ((x === null) !== (y === null)) return x !== null ? -1 : 1
  return a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0
}

function assignRange(spec: AssignmentSpec): GroupAssignment {
  const ordered = [...spec.members].sort(byRangeOrder)
  const memberIds = ordered.map((m) => m.memberId)
  const owned = new Map<string, Map<string, Set<number>>>(memberIds.map((id) => [id, new Map()]))
  for (const topicId of subscribedTopics(spec)) {
    const subscribers = ordered.filter((m) => m.subscribedTopicIds.has(topicId)).map((m) => m.memberId)
    const count = spec.partitionCounts.get(topicId) ?? 0
    const quota = Math.floor(count / subscribers.length)
    const withExtra = count % subscribers.length
    let next = 0
    subscribers.forEach((memberId, index) => {
      const size = quota + (index < withExtra ? 1 : 0)
      const range = new Set<number>()
      for (let i = 0; i < size; i++) range.add(next + i)
      next += size
      owned.get(memberId)?.set(topicId, range)
    })
  }
  return toGroupAssignment(memberIds, owned)
}
