// The uniform assignor, Kafka's default server-side assignor (KIP-848): spread the subscribed partitions as
// evenly as possible over the members, and keep every member's previous partitions where that does not hurt the
// balance, so a rebalance moves only what it must. It handles both homogeneous subscriptions (every member
// subscribes to the same topics: the result is balanced to within one partition) and heterogeneous ones (each
// partition goes only to subscribers of its topic; the balance is best effort, as Kafka's).
//
// Three steps, all deterministic (members in id order, topics in id order):
// 1. stickiness: each member keeps the partitions of its previous target that still exist and that it still
//    subscribes to;
// 2. placement: every partition nobody kept goes to its least-loaded subscriber, topics with the fewest
//    subscribers first (they have the fewest choices);
// 3. balancing: while a member owns a partition whose least-loaded other subscriber has at least two partitions
//    fewer, move one such partition from the most loaded such member. Every move lowers the sum of squared loads, so this ends; with homogeneous
//    subscriptions it ends only when the loads differ by at most one, and it moves partitions only from
//    members above their fair share, so a new member takes partitions without any shuffling among the others.
// Racks are not used (Kafka's rack-aware variant prefers same-rack placement when partition racks are known; the
// TopicsImage here carries none).

import {
  subscribedTopics,
  toGroupAssignment,
  type AssignmentSpec,
  type GroupAssignment,
  type ServerAssignor,
} from './types.ts'

export const uniformAssignor: ServerAssignor = { name: 'uniform', assign: assignUniform }

class Loads {
  readonly owned = new Map<string, Map<string, Set<number>>>()
  readonly counts = new Map<string, number>()
  private readonly taken = new Set<string>()

  constructor(memberIds: readonly string[]) {
    for (const id of memberIds) {
      this.owned.set(id, new Map())
      this.counts.set(id, 0)
    }
  }

  isTaken(topicId: string, partition: number): boolean {
    return this.taken.has(`${topicId}:${partition}`)
  }

  count(memberId: string): number {
    return this.counts.get(memberId) ?? 0
  }

  give(memberId: string, topicId: string, partition: number): void {
    const topics = this.owned.get(memberId)
    if (topics === undefined) return
    let partitions = topics.get(topicId)
    if (partitions === undefined) topics.set(topicId, (partitions = new Set()))
    partitions.add(partition)
    this.taken.add(`${topicId}:${partition}`)
    this.counts.set(memberId, this.count(memberId) + 1)
  }

  take(memberId: string, topicId: string, partition: number): void {
    this.owned.get(memberId)?.get(topicId)?.delete(partition)
    this.taken.delete(`${topicId}:${partition}`)
    this.counts.set(memberId, this.count(memberId) - 1)
  }

  /** The least-loaded of `candidates` (the first in order on a tie). */
  leastLoaded(candidates: readonly string[]): string | undefined {
    let best: string | undefined
    for (const id of candidates) {
      if (best === undefined || this.count(id) < this.count(best)) best = id
    }
    return best
  }
}

/**
 * Moves one partition from the heaviest member able to give to a subscriber at least two partitions lighter,
 * taking it from the topic the giver holds most of, so that topics end up spread over the members.
 */
function moveOne(loads: Loads, memberIds: readonly string[], subscribers: ReadonlyMap<string, string[]>): boolean {
  const heaviestFirst = [...memberIds].sort((a, b) => loads.count(b) - loads.count(a))
  const heaviest = heaviestFirst[0]
  const lightest = heaviestFirst[heaviestFirst.length - 1]
  // Nobody is two partitions lighter than anybody: balanced (the common end of homogeneous groups).
  if (heaviest === undefined || lightest === undefined || loads.count(heaviest) - loads.count(lightest) <= 1)
    return false
  // The least-loaded subscriber of each topic, computed once per move. When it is the giver itself, nobody else
  // subscribed to that topic is lighter than the giver, so the giver cannot hand it on.
  const lightestOf = new Map<string, string | undefined>()
  const receiverFor = (topicId: string) => {
    if (!lightestOf.has(topicId)) lightestOf.set(topicId, loads.leastLoaded(subscribers.get(topicId) ?? []))
    return lightestOf.get(topicId)
  }
  for (const giver of heaviestFirst) {
    let best: { topicId: string; partitions: ReadonlySet<number>; receiver: string } | undefined
    for (const [topicId, partitions] of loads.owned.get(giver) ?? []) {
      if (partitions.size === 0 || (best !== undefined && partitions.size <= best.partitions.size)) continue
      const receiver = receiverFor(topicId)
      if (receiver === undefined || receiver === giver || loads.count(receiver) >= loads.count(giver) - 1) continue
      best = { topicId, partitions, receiver }
    }
    if (best === undefined) continue
    const partition = Math.max(...best.partitions)
    loads.take(giver, best.topicId, partition)
    loads.give(best.receiver, best.topicId, partition)
    return true
  }
  return false
}

function assignUniform(spec: AssignmentSpec): GroupAssignment {
  const members = [...spec.members].sort((a, b) => (a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0))
  const memberIds = members.map((m) => m.memberId)
  const topics = subscribedTopics(spec)
  const subscribers = new Map<string, string[]>(
    topics.map((topicId) => [topicId, memberIds.filter((_, i) => members[i]?.subscribedTopicIds.has(topicId))]),
  )
  const loads = new Loads(memberIds)

  // 1. Stickiness.
  for (const member of members) {
    for (const [topicId, partitions] of member.currentAssignment) {
      const count = spec.partitionCounts.get(topicId)
      if (count === undefined || !member.subscribedTopicIds.has(topicId)) continue
      for (const partition of partitions) {
        if (partition < count && !loads.isTaken(topicId, partition)) loads.give(member.memberId, topicId, partition)
      }
    }
  }

  // 2. Placement of what nobody kept.
  const byChoices = [...topics].sort((a, b) => (subscribers.get(a)?.length ?? 0) - (subscribers.get(b)?.length ?? 0))
  for (const topicId of byChoices) {
    const candidates = subscribers.get(topicId) ?? []
    const count = spec.partitionCounts.get(topicId) ?? 0
    for (let partition = 0; partition < count; partition++) {
      if (loads.isTaken(topicId, partition)) continue
      const target = loads.leastLoaded(candidates)
      if (target !== undefined) loads.give(target, topicId, partition)
    }
  }

  // 3. Balancing: one partition at a time, from the most loaded member that can give one to the least loaded
  //    subscriber. Giving one at a time (rather than draining a member) keeps every giver at or above the final
  //    minimum, which is what keeps the members that were already balanced from trading partitions.
  while (moveOne(loads, memberIds, subscribers)) {
    // each move lowers the sum of squared loads
  }

  return toGroupAssignment(memberIds, loads.owned)
}
