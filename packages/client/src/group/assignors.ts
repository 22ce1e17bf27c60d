// Client-side partition assignors for the classic group protocol. The group leader runs the assignor the
// coordinator chose (the first protocol every member offers) over every member's subscription:
//
// - range: per topic, consecutive ranges of partitions; the first (partitions % members) members get one extra.
// - roundrobin: all subscribed partitions, sorted, dealt to the members in turn.
// - cooperative-sticky (KIP-429): balanced like roundrobin but keeps every partition where it is when it can, and
//   never hands a partition straight from one member to another in the same rebalance. The owner first sees it
//   disappear from its assignment, revokes it and rejoins; the second rebalance then gives it to its new member.
//   So only the partitions that move stop being consumed, and only for one rebalance.
//
// Members are ordered by group.instance.id when they have one (static membership, KIP-345), else by member id, so
// a static member that restarts with a new member id gets the same partitions back.

import type { TopicPartition } from '../cluster/sharding.ts'

export type AssignorName = 'range' | 'roundrobin' | 'cooperative-sticky'
export const ASSIGNOR_NAMES: readonly AssignorName[] = ['range', 'roundrobin', 'cooperative-sticky']

export interface MemberSubscription {
  memberId: string
  groupInstanceId: string | null
  topics: readonly string[]
  /** What the member consumes now (KIP-429; empty for eager members). */
  ownedPartitions: readonly TopicPartition[]
  /** The generation in which it owned them (KIP-792); -1 when unknown. */
  generationId: number
}

export interface PartitionAssignor {
  name: AssignorName
  /** Cooperative assignors let members keep consuming what they keep during a rebalance (KIP-429). */
  rebalanceProtocol: 'eager' | 'cooperative'
  /** Member id → its partitions. `partitionCounts` holds every subscribed topic that exists. */
  assign(
    members: readonly MemberSubscription[],
    partitionCounts: ReadonlyMap<string, number>,
  ): Map<string, TopicPartition[]>
}

const key = (p: TopicPartition): string => `${p.topic}\u0000${p.partition}`

function compareMembers(a: MemberSubscription, b: MemberSubscription): number {
  const left = a.groupInstanceId ?? a.memberId
  const right = b.groupInstanceId ?? b.memberId
  return left < right ? -1 : left > right ? 1 : a.memberId < b.memberId ? -1 : 1
}

function comparePartitions(a: TopicPartition, b: TopicPartition): number {
  return a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition
}

function partitionsOf(topic: string, count: number): TopicPartition[] {
  return Array.from({ length: count }, (_, partition) => ({ topic, partition }))
}

function emptyAssignment(members: readonly MemberSubscription[]): Map<string, TopicPartition[]> {
  return new Map(members.map((m) => [m.memberId, []]))
}

export const rangeAssignor: PartitionAssignor = {
  name: 'range',
  rebalanceProtocol: 'eager',
  assign(members, partitionCounts) {
    const out = emptyAssignment(members)
    for (const [topic, count] of [...partitionCounts].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const subscribers = members.filter((m) => m.topics.includes(topic)).sort(compareMembers)
      if (subscribers.length === 0) continue
      const base = Math.floor(count / subscribers.length)
      const extra = count % subscribers.length
      let next = 0
      subscribers.forEach((member, i) => {
        const size = base + (i < extra ? 1 : 0)
        out.get(member.memberId)!.push(...partitionsOf(topic, count).slice(next, next + size))
        next += size
      })
    }
    return out
  },
}

export const roundRobinAssignor: PartitionAssignor = {
  name: 'roundrobin',
  rebalanceProtocol: 'eager',
  assign(members, partitionCounts) {
    const out = emptyAssignment(members)
    const ordered = [...members].sort(compareMembers)
    const all = [...partitionCounts].flatMap(([topic, count]) => partitionsOf(topic, count)).sort(comparePartitions)
    let turn = 0
    for (const partition of all) {
      for (let tries = 0; tries < ordered.length; tries++) {
        const member = ordered[turn++ % ordered.length]!
        if (member.topics.includes(partition.topic)) {
          out.get(member.memberId)!.push(partition)
          break
        }
      }
    }
    return out
  },
}

export const cooperativeStickyAssignor: PartitionAssignor = {
  name: 'cooperative-sticky',
  rebalanceProtocol: 'cooperative',
  assign(members, partitionCounts) {
    const ordered = [...members].sort(compareMembers)
    const target = new Map<string, Map<string, TopicPartition>>(ordered.map((m) => [m.memberId, new Map()]))
    const eligible = (m: MemberSubscription, p: TopicPartition) =>
      m.topics.includes(p.topic) && p.partition < (partitionCounts.get(p.topic) ?? 0)
    // 1. Everyone keeps what it owns and may still have. When two members claim one partition (a member that
    //    missed a rebalance), the claim from the newer generation wins.
    const owner = new Map<string, { memberId: string; generationId: number }>()
    for (const member of ordered) {
      for (const p of member.ownedPartitions) {
        if (!eligible(member, p)) continue
        const earlier = owner.get(key(p))
        if (earlier !== undefined && earlier.generationId >= member.generationId) continue
        if (earlier !== undefined) target.get(earlier.memberId)!.delete(key(p))
        owner.set(key(p), { memberId: member.memberId, generationId: member.generationId })
        target.get(member.memberId)!.set(key(p), p)
      }
    }
    const count = (m: MemberSubscription) => target.get(m.memberId)!.size
    // 2. Partitions nobody owns go to the least loaded member that subscribes to them.
    const all = [...partitionCounts].flatMap(([topic, n]) => partitionsOf(topic, n)).sort(comparePartitions)
    for (const p of all) {
      if (owner.has(key(p))) continue
      const candidates = ordered.filter((m) => eligible(m, p))
      if (candidates.length === 0) continue
      const least = candidates.reduce((best, m) => (count(m) < count(best) ? m : best))
      target.get(least.memberId)!.set(key(p), p)
    }
    // 3. Balance: move partitions from the most to the least loaded member that can take them, until no two
    //    members that could trade differ by more than one. Each move lowers the spread, so this ends.
    for (let moved = true; moved;) {
      moved = false
      const byLoad = [...ordered].sort((a, b) => count(b) - count(a) || compareMembers(a, b))
      for (const giver of byLoad) {
        const taker = [...byLoad]
          .reverse()
          .find(
            (m) => count(giver) - count(m) > 1 && [...target.get(giver.memberId)!.values()].some((p) => eligible(m, p)),
          )
        if (taker === undefined) continue
        const partitions = [...target.get(giver.memberId)!.values()].filter((p) => eligible(taker, p))
        const p = partitions.sort(comparePartitions).at(-1)!
        target.get(giver.memberId)!.delete(key(p))
        target.get(taker.memberId)!.set(key(p), p)
        moved = true
        break
      }
    }
    // 4. KIP-429: a partition that changes owner is withheld this round; its owner revokes it and rejoins.
    const out = emptyAssignment(members)
    for (const [memberId, partitions] of target) {
      for (const p of partitions.values()) {
        const previous = owner.get(key(p))
        if (previous === undefined || previous.memberId === memberId) out.get(memberId)!.push(p)
      }
      out.get(memberId)!.sort(comparePartitions)
    }
    return out
  },
}

const ASSIGNORS = new Map<AssignorName, PartitionAssignor>(
  [rangeAssignor, roundRobinAssignor, cooperativeStickyAssignor].map((a) => [a.name, a]),
)

export function assignorNamed(name: string): PartitionAssignor | undefined {
  return ASSIGNORS.get(name as AssignorName)
}
