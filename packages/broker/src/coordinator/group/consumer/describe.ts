// ConsumerGroupDescribe (KIP-848) and ListGroups rows for consumer groups, read from the persisted state. Topic
// names come from the topics the coordinator sees now; a topic deleted since is left out, as Kafka does.

import { ConsumerGroupDescribe, ErrorCode, type ConsumerGroupDescribeResponse } from '@samsa/protocol'
import type { GroupListing, TopicsImage } from '../types.ts'
import { toEntries, type Assignment } from './assignment.ts'
import type { ConsumerGroup } from './consumer-group.ts'

/** ConsumerGroupDescribe v1's memberType for a member on the consumer protocol (KIP-1099). */
const CONSUMER_MEMBER_TYPE = 1

export function describeGroups(
  groupIds: readonly string[],
  groupOf: (groupId: string) => ConsumerGroup | undefined,
  topics: TopicsImage,
  defaultAssignor: string,
): ConsumerGroupDescribeResponse['groups'] {
  const named = (assignment: Assignment) => ({
    topicPartitions: toEntries(assignment).flatMap(({ topicId, partitions }) => {
      const topic = topics.byId(topicId)
      return topic === undefined ? [] : [{ topicId, topicName: topic.name, partitions }]
    }),
  })
  const groups = groupIds.map((groupId) => {
    const group = groupOf(groupId)
    if (group === undefined) {
      return {
        groupId,
        errorCode: ErrorCode.GROUP_ID_NOT_FOUND,
        errorMessage: `Group ${groupId} not found.`,
        groupState: 'Dead',
      }
    }
    const members = [...group.members.values()]
      .sort((a, b) => (a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0))
      .map((m) => ({
        memberId: m.memberId,
        instanceId: m.instanceId,
        rackId: m.rackId,
        memberEpoch: m.memberEpoch,
        clientId: m.clientId,
        clientHost: m.clientHost,
        subscribedTopicNames: [...m.subscribedTopicNames],
        subscribedTopicRegex: m.subscribedTopicRegex,
        assignment: named(m.assignedPartitions),
        targetAssignment: named(group.targetOf(m.memberId)),
        memberType: CONSUMER_MEMBER_TYPE,
      }))
    return {
      groupId,
      groupState: group.state(),
      groupEpoch: group.groupEpoch,
      assignmentEpoch: group.assignmentEpoch,
      assignorName: group.preferredAssignor(defaultAssignor),
      members,
    }
  })
  // authorizedOperations keeps its "not requested" default: ACLs are the handler's business.
  return ConsumerGroupDescribe.response.make({ groups }).groups
}

/** ListGroups rows; an empty filter lists every group, states match case-insensitively (Kafka's rule). */
export function listGroups(groups: Iterable<ConsumerGroup>, statesFilter: readonly string[]): GroupListing[] {
  const wanted = new Set(statesFilter.map((s) => s.toLowerCase()))
  const out: GroupListing[] = []
  for (const group of groups) {
    const state = group.state()
    if (wanted.size > 0 && !wanted.has(state.toLowerCase())) continue
    out.push({ groupId: group.groupId, protocolType: 'consumer', groupState: state, groupType: 'consumer' })
  }
  return out
}
