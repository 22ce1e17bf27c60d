// The server-side assignor contract of KIP-848: the group coordinator (not a leader client) computes the
// target assignment of a consumer group whenever its epoch is bumped. An assignor is a pure function of the
// members' subscriptions, the topics' partition counts and the previous target assignment (which it may use to
// stay sticky). Kafka's equivalent is org.apache.kafka.coordinator.group.api.assignor.ConsumerGroupPartitionAssignor.

/** Partitions by topic id. */
export type TopicAssignment = ReadonlyMap<string, readonly number[]>

export interface AssignmentMemberSpec {
  memberId: string
  /** The static member's instance id (KIP-345), if any. */
  instanceId: string | null
  rackId: string | null
  /** Ids of the topics the member subscribes to that exist (names and regex already resolved). */
  subscribedTopicIds: ReadonlySet<string>
  /** The member's previous target assignment: sticky assignors keep what they can of it. */
  currentAssignment: TopicAssignment
}

export interface AssignmentSpec {
  members: readonly AssignmentMemberSpec[]
  /** Partition count by topic id, for every topic some member subscribes to. */
  partitionCounts: ReadonlyMap<string, number>
}

/** memberId → topicId → partitions (sorted). Every member of the spec appears, possibly with no partitions. */
export type GroupAssignment = Map<string, Map<string, number[]>>

export interface ServerAssignor {
  /** The name clients ask for in ConsumerGroupHeartbeat.serverAssignor ('uniform', 'range'). */
  readonly name: string
  assign(spec: AssignmentSpec): GroupAssignment
}

/** The topics at least one member subscribes to and that exist, sorted by id so results are deterministic. */
export function subscribedTopics(spec: AssignmentSpec): string[] {
  const ids = new Set<string>()
  for (const member of spec.members) {
    for (const topicId of member.subscribedTopicIds) if (spec.partitionCounts.has(topicId)) ids.add(topicId)
  }
  return [...ids].sort()
}

/** Turns per-member partition sets into the assignor's output shape (sorted partitions, empty topics dropped). */
export function toGroupAssignment(
  memberIds: readonly string[],
  owned: ReadonlyMap<string, ReadonlyMap<string, ReadonlySet<number>>>,
): GroupAssignment {
  const out: GroupAssignment = new Map()
  for (const memberId of memberIds) {
    const topics = new Map<string, number[]>()
    for (const [topicId, partitions] of owned.get(memberId) ?? []) {
      if (partitions.size > 0)
        topics.set(
          topicId,
          [...partitions].sort((a, b) => a - b),
        )
    }
    out.set(memberId, topics)
  }
  return out
}
