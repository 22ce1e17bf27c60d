// An operation's view of a group: a scratch copy of the persisted group to which each record the operation
// writes is applied at once, with the same code replay uses. Later steps of the same operation (member metadata →
// group epoch → target assignment → current assignment, as in Kafka's consumerGroupHeartbeat) read the copy, so
// they see what the earlier steps are about to write, while the persisted group stays untouched until the
// runtime replays the records.

import type { ServerAssignor } from '../assignors/types.ts'
import type { TopicsImage } from '../types.ts'
import { fromTopicMap, sameAssignment } from './assignment.ts'
import { ConsumerGroup } from './consumer-group.ts'
import {
  groupEpochRecord,
  memberTombstones,
  subscribedTopicsRecord,
  targetAssignmentEpochRecord,
  targetAssignmentRecord,
  type ConsumerGroupRecord,
} from './records.ts'
import { computeSubscribedTopics, memberTopicNames, sameSubscribedTopics } from './subscription.ts'

export class Draft {
  readonly records: ConsumerGroupRecord[] = []
  readonly group: ConsumerGroup

  constructor(groupId: string, persisted: ConsumerGroup | undefined) {
    this.group = persisted?.clone() ?? new ConsumerGroup(groupId)
  }

  write(record: ConsumerGroupRecord): void {
    this.records.push(record)
    this.group.apply(record)
  }

  /** Writes ConsumerGroupPartitionMetadata when the subscribed topics changed; returns whether they did. */
  refreshSubscribedTopics(topics: TopicsImage): boolean {
    const next = computeSubscribedTopics(this.group.members.values(), topics)
    if (sameSubscribedTopics(next, this.group.subscribedTopics)) return false
    this.write(subscribedTopicsRecord(this.group.groupId, next))
    return true
  }

  bumpGroupEpoch(): void {
    this.write(groupEpochRecord(this.group.groupId, this.group.groupEpoch + 1))
  }

  /** Removes a member (Kafka's fence): its three records, the subscriptions without it, and a new group epoch. */
  removeMember(memberId: string, topics: TopicsImage): void {
    for (const record of memberTombstones(this.group.groupId, memberId)) this.write(record)
    this.refreshSubscribedTopics(topics)
    this.bumpGroupEpoch()
  }

  /**
   * Runs the assignor at the group epoch and writes the target of every member whose target changed, then the
   * target's epoch (Kafka's TargetAssignmentBuilder). Members subscribe by topic id, restricted to the stored
   * subscribed topics so the assignment matches the metadata the group epoch was bumped for.
   */
  updateTargetAssignment(assignor: ServerAssignor, topics: TopicsImage): void {
    const group = this.group
    const idsByName = new Map(group.subscribedTopics.map((t) => [t.topicName, t.topicId]))
    const members = [...group.members.values()].map((member) => {
      const subscribedTopicIds = new Set<string>()
      for (const name of memberTopicNames(member, topics)) {
        const topicId = idsByName.get(name)
        if (topicId !== undefined) subscribedTopicIds.add(topicId)
      }
      const currentAssignment = new Map(
        [...group.targetOf(member.memberId)].map(([topicId, partitions]) => [topicId, [...partitions]] as const),
      )
      return {
        memberId: member.memberId,
        instanceId: member.instanceId,
        rackId: member.rackId,
        subscribedTopicIds,
        currentAssignment,
      }
    })
    const partitionCounts = new Map(group.subscribedTopics.map((t) => [t.topicId, t.numPartitions]))
    const result = assignor.assign({ members, partitionCounts })
    for (const { memberId } of members) {
      const target = fromTopicMap(result.get(memberId) ?? new Map())
      if (!sameAssignment(target, group.targetOf(memberId))) {
        this.write(targetAssignmentRecord(group.groupId, memberId, target))
      }
    }
    this.write(targetAssignmentEpochRecord(group.groupId, group.groupEpoch))
  }
}
