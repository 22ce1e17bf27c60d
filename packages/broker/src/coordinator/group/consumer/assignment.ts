// Partitions by topic id, the currency of KIP-848 (members report and receive topic ids, never names), and the
// conversions between it and the records' and RPCs' `{ topicId, partitions }` lists.

/** Partitions by topic id; a topic with no partitions is absent. */
export type Assignment = ReadonlyMap<string, ReadonlySet<number>>

export const EMPTY_ASSIGNMENT: Assignment = new Map()

export interface TopicPartitionsEntry {
  topicId: string
  partitions: number[]
}

export function fromEntries(entries: readonly { topicId: string; partitions: readonly number[] }[]): Assignment {
  const out = new Map<string, Set<number>>()
  for (const { topicId, partitions } of entries) {
    if (partitions.length === 0) continue
    const set = out.get(topicId) ?? new Set<number>()
    for (const p of partitions) set.add(p)
    out.set(topicId, set)
  }
  return out
}

/** Sorted by topic id and partition, so records and responses are deterministic. */
export function toEntries(assignment: Assignment): TopicPartitionsEntry[] {
  return [...assignment.entries()]
    .filter(([, partitions]) => partitions.size > 0)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([topicId, partitions]) => ({ topicId, partitions: [...partitions].sort((a, b) => a - b) }))
}

export function fromTopicMap(topics: ReadonlyMap<string, readonly number[]>): Assignment {
  return fromEntries([...topics].map(([topicId, partitions]) => ({ topicId, partitions })))
}

export function sameAssignment(a: Assignment, b: Assignment): boolean {
  if (a.size !== b.size) return false
  for (const [topicId, partitions] of a) {
    const other = b.get(topicId)
    if (other === undefined || other.size !== partitions.size) return false
    for (const p of partitions) if (!other.has(p)) return false
  }
  return true
}

/** Whether every partition of `owned` is in `assigned` (Kafka's isSubset, used to accept a previous epoch). */
export function isSubset(owned: Assignment, assigned: Assignment): boolean {
  for (const [topicId, partitions] of owned) {
    const set = assigned.get(topicId)
    for (const p of partitions) if (set === undefined || !set.has(p)) return false
  }
  return true
}

/** Whether `owned` holds any partition of `pending`. */
export function intersects(owned: Assignment, pending: Assignment): boolean {
  for (const [topicId, partitions] of owned) {
    const set = pending.get(topicId)
    if (set === undefined) continue
    for (const p of partitions) if (set.has(p)) return true
  }
  return false
}
