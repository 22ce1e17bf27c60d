// ConsumerGroupHeartbeat (KIP-848), the one RPC of the consumer rebalance protocol, as Kafka's
// GroupMetadataManager.consumerGroupHeartbeat runs it. A heartbeat with epoch 0 joins, -1 leaves, -2 leaves for a
// while (a static member that will come back); any other heartbeat keeps the member alive, updates its
// subscription and reports what it owns. Each heartbeat then runs, in order and each step seeing what the
// previous ones write (draft.ts):
//   1. the member's metadata (record 5) when it changed;
//   2. on a subscription change, the subscribed topics (record 4) and a new group epoch (record 3);
//   3. when the group epoch is ahead of the target's, a new target assignment (records 7 and 6);
//   4. the member's reconciliation towards its target (record 8, reconcile.ts).

import {
  ConsumerGroupHeartbeat,
  type ConsumerGroupHeartbeatRequest,
  type ConsumerGroupHeartbeatResponse,
} from '@samsa/protocol'
import type { CoordinatorResult } from '../types.ts'
import { EMPTY_ASSIGNMENT, fromEntries, isSubset, sameAssignment, toEntries, type Assignment } from './assignment.ts'
import { isReconciledTo, type ConsumerGroup } from './consumer-group.ts'
import { Draft } from './draft.ts'
import { fail, GroupError } from './group-error.ts'
import {
  assignmentStateChanged,
  LEAVE_GROUP_MEMBER_EPOCH,
  LEAVE_GROUP_STATIC_MEMBER_EPOCH,
  MemberState,
  metadataChanged,
  newMember,
  subscriptionChanged,
  type ConsumerGroupMember,
} from './member.ts'
import type { OperationContext, TimerChange } from './operation.ts'
import { currentAssignmentRecord, memberMetadataRecord, memberTombstones, targetAssignmentRecord } from './records.ts'
import { reconcile } from './reconcile.ts'
import { compileTopicRegex } from './subscription.ts'

export interface HeartbeatOutcome {
  result: CoordinatorResult<ConsumerGroupHeartbeatResponse>
  timers: TimerChange[]
}

export function consumerGroupHeartbeat(
  ctx: OperationContext,
  req: ConsumerGroupHeartbeatRequest,
  apiVersion: number,
  client: { clientId: string; clientHost: string },
): HeartbeatOutcome {
  try {
    validateRequest(ctx, req, apiVersion)
    if (req.memberEpoch === LEAVE_GROUP_MEMBER_EPOCH || req.memberEpoch === LEAVE_GROUP_STATIC_MEMBER_EPOCH) {
      return leave(ctx, req)
    }
    return heartbeat(ctx, req, client)
  } catch (e) {
    if (!(e instanceof GroupError)) throw e
    const response = ConsumerGroupHeartbeat.response.make({ errorCode: e.code, errorMessage: e.message })
    return { result: { records: [], response }, timers: [] }
  }
}

/** Kafka's throwIfConsumerGroupHeartbeatRequestIsInvalid, with v1's rules (KIP-1082 client-side member ids). */
function validateRequest(ctx: OperationContext, req: ConsumerGroupHeartbeatRequest, apiVersion: number): void {
  if (req.groupId === '') fail('INVALID_REQUEST', "GroupId can't be empty.")
  if (req.instanceId === '') fail('INVALID_REQUEST', "InstanceId can't be empty.")
  if (req.rackId === '') fail('INVALID_REQUEST', "RackId can't be empty.")
  const epoch = req.memberEpoch
  if ((apiVersion >= 1 || epoch > 0 || epoch === LEAVE_GROUP_MEMBER_EPOCH) && req.memberId === '') {
    fail('INVALID_REQUEST', "MemberId can't be empty.")
  }
  if (epoch === 0) {
    if (req.rebalanceTimeoutMs === -1) fail('INVALID_REQUEST', 'RebalanceTimeoutMs must be provided in first request.')
    if (req.topicPartitions === null || req.topicPartitions.length > 0) {
      fail('INVALID_REQUEST', 'TopicPartitions must be empty when (re-)joining.')
    }
    if (req.subscribedTopicNames === null && req.subscribedTopicRegex === null) {
      fail('INVALID_REQUEST', 'Either SubscribedTopicNames or SubscribedTopicRegex must be non-null when (re-)joining.')
    }
  } else if (epoch === LEAVE_GROUP_STATIC_MEMBER_EPOCH) {
    if (req.memberId === '') fail('INVALID_REQUEST', "MemberId can't be empty.")
    if (req.instanceId === null) fail('INVALID_REQUEST', "InstanceId can't be null.")
  } else if (epoch < LEAVE_GROUP_STATIC_MEMBER_EPOCH) {
    fail('INVALID_REQUEST', 'MemberEpoch is invalid.')
  }
  if (req.subscribedTopicRegex !== null && req.subscribedTopicRegex !== '') {
    if (compileTopicRegex(req.subscribedTopicRegex) === null) {
      fail(
        'INVALID_REGULAR_EXPRESSION',
        `SubscribedTopicRegex ${req.subscribedTopicRegex} is not a valid regular expression.`,
      )
    }
  }
  if (req.serverAssignor !== null && !ctx.hasAssignor(req.serverAssignor)) {
    fail(
      'UNSUPPORTED_ASSIGNOR',
      `ServerAssignor ${req.serverAssignor} is not supported. Supported assignors: ${ctx.configs['group.consumer.assignors'].join(', ')}.`,
    )
  }
}

function heartbeat(
  ctx: OperationContext,
  req: ConsumerGroupHeartbeatRequest,
  client: { clientId: string; clientHost: string },
): HeartbeatOutcome {
  const persisted = ctx.group(req.groupId)
  // Kafka 4 answers UNKNOWN_MEMBER_ID rather than GROUP_ID_NOT_FOUND, so that the client rejoins (with epoch 0).
  if (persisted === undefined && req.memberEpoch !== 0)
    fail('UNKNOWN_MEMBER_ID', `Consumer group ${req.groupId} not found.`)
  const draft = new Draft(req.groupId, persisted)
  const group = draft.group
  const timers: TimerChange[] = []
  const memberId = req.memberId === '' ? ctx.newMemberId() : req.memberId
  const owned = req.topicPartitions === null ? null : fromEntries(req.topicPartitions)

  throwIfGroupIsFull(ctx, group, memberId, req.instanceId)
  const member =
    req.instanceId === null
      ? dynamicMember(draft, memberId, req.memberEpoch, owned)
      : staticMember(draft, memberId, req.instanceId, req.memberEpoch, owned, timers)

  // 1. Metadata. Null (or -1) request fields mean "unchanged" (KIP-848's incremental heartbeats); an empty regex
  //    clears a regex subscription.
  const updated: ConsumerGroupMember = {
    ...member,
    instanceId: req.instanceId ?? member.instanceId,
    rackId: req.rackId ?? member.rackId,
    rebalanceTimeoutMs: req.rebalanceTimeoutMs === -1 ? member.rebalanceTimeoutMs : req.rebalanceTimeoutMs,
    serverAssignor: req.serverAssignor ?? member.serverAssignor,
    subscribedTopicNames: req.subscribedTopicNames ?? member.subscribedTopicNames,
    subscribedTopicRegex:
      req.subscribedTopicRegex === null ? member.subscribedTopicRegex : req.subscribedTopicRegex || null,
    clientId: client.clientId,
    clientHost: client.clientHost,
  }
  const isNew = !group.members.has(memberId)
  if (isNew || metadataChanged(member, updated)) draft.write(memberMetadataRecord(req.groupId, updated))

  // 2. A new member or a new subscription: new subscribed topics, maybe, and a new group epoch in any case.
  if (isNew || subscriptionChanged(member, updated)) {
    draft.refreshSubscribedTopics(ctx.topics)
    draft.bumpGroupEpoch()
  }

  // 3. The target assignment catches up with the group epoch.
  if (group.groupEpoch > group.assignmentEpoch) draft.updateTargetAssignment(ctx.assignorFor(group), ctx.topics)

  // 4. Reconciliation.
  const current = group.members.get(memberId) ?? updated
  if (!isReconciledTo(current, group.assignmentEpoch)) {
    const next = reconcile({
      member: current,
      targetEpoch: group.assignmentEpoch,
      target: group.targetOf(memberId),
      currentPartitionEpoch: (topicId, partition) => group.currentPartitionEpoch(topicId, partition),
      owned,
    })
    if (assignmentStateChanged(current, next)) {
      draft.write(currentAssignmentRecord(req.groupId, next))
      timers.push(
        next.state === MemberState.UNREVOKED_PARTITIONS
          ? {
              kind: 'rebalance',
              groupId: req.groupId,
              memberId,
              memberEpoch: next.memberEpoch,
              timeoutMs: next.rebalanceTimeoutMs,
            }
          : { kind: 'cancelRebalance', groupId: req.groupId, memberId },
      )
    }
  }
  timers.push({ kind: 'session', groupId: req.groupId, memberId })

  const final = group.members.get(memberId) ?? current
  // The assignment is sent on a full request (a join, or a client resending everything after an error) or when
  // it changed, as Kafka does; otherwise null keeps steady-state heartbeats small.
  const isFullRequest =
    req.memberEpoch === 0 ||
    (req.rebalanceTimeoutMs !== -1 &&
      (req.subscribedTopicNames !== null || req.subscribedTopicRegex !== null) &&
      req.topicPartitions !== null)
  const sendAssignment = isFullRequest || !sameAssignment(member.assignedPartitions, final.assignedPartitions)
  const response = ConsumerGroupHeartbeat.response.make({
    memberId,
    memberEpoch: final.memberEpoch,
    heartbeatIntervalMs: ctx.configs['group.consumer.heartbeat.interval.ms'],
    assignment: sendAssignment ? { topicPartitions: toEntries(final.assignedPartitions) } : null,
  })
  return { result: { records: draft.records, response }, timers }
}

function throwIfGroupIsFull(
  ctx: OperationContext,
  group: ConsumerGroup,
  memberId: string,
  instanceId: string | null,
): void {
  const max = ctx.configs['group.consumer.max.size']
  // A static member taking over its instance's place does not grow the group.
  const replacing = instanceId !== null && group.staticMember(instanceId) !== undefined
  if (group.members.size >= max && !group.members.has(memberId) && !replacing) {
    fail('GROUP_MAX_SIZE_REACHED', `The consumer group has reached its maximum capacity of ${max} members.`)
  }
}

function dynamicMember(draft: Draft, memberId: string, epoch: number, owned: Assignment | null): ConsumerGroupMember {
  const existing = draft.group.members.get(memberId)
  if (existing === undefined) {
    if (epoch !== 0) fail('UNKNOWN_MEMBER_ID', `Member ${memberId} is not a member of group ${draft.group.groupId}.`)
    return newMember(memberId)
  }
  if (epoch === 0) return restart(draft, existing)
  throwIfEpochIsInvalid(existing, epoch, owned)
  return existing
}

/**
 * A known member joining again with epoch 0 (a v1 client keeps its member id when it rejoins after being fenced)
 * has given up its partitions: it starts over at epoch 0 owning nothing, keeping its target, so that it gets its
 * partitions back at once. (Kafka would answer FENCED_MEMBER_EPOCH until the member's session expired.)
 */
function restart(draft: Draft, member: ConsumerGroupMember): ConsumerGroupMember {
  const restarted: ConsumerGroupMember = {
    ...member,
    memberEpoch: 0,
    previousMemberEpoch: 0,
    state: MemberState.STABLE,
    assignedPartitions: EMPTY_ASSIGNMENT,
    partitionsPendingRevocation: EMPTY_ASSIGNMENT,
  }
  draft.write(currentAssignmentRecord(draft.group.groupId, restarted))
  return restarted
}

/** Kafka's getOrMaybeSubscribeStaticConsumerGroupMember (KIP-345 static membership, KIP-848 rules). */
function staticMember(
  draft: Draft,
  memberId: string,
  instanceId: string,
  epoch: number,
  owned: Assignment | null,
  timers: TimerChange[],
): ConsumerGroupMember {
  const group = draft.group
  const holder = group.staticMember(instanceId)
  if (epoch !== 0) {
    if (holder === undefined) fail('UNKNOWN_MEMBER_ID', `Instance id ${instanceId} is unknown.`)
    throwIfInstanceIdIsFenced(holder, memberId, instanceId)
    throwIfEpochIsInvalid(holder, epoch, owned)
    return holder
  }
  if (holder === undefined) return dynamicMember(draft, memberId, epoch, owned)
  if (holder.memberEpoch !== LEAVE_GROUP_STATIC_MEMBER_EPOCH) {
    if (holder.memberId === memberId) return restart(draft, holder)
    fail(
      'UNRELEASED_INSTANCE_ID',
      `Static member ${holder.memberId} with instance id ${instanceId} is still in the group.`,
    )
  }
  // The instance left with epoch -2 and is back: the new member takes over its assignment (Kafka's replaceMember).
  const target = group.targetOf(holder.memberId)
  const replacement: ConsumerGroupMember = { ...holder, memberId, memberEpoch: 0, previousMemberEpoch: 0 }
  for (const record of memberTombstones(group.groupId, holder.memberId)) draft.write(record)
  draft.write(memberMetadataRecord(group.groupId, replacement))
  draft.write(targetAssignmentRecord(group.groupId, memberId, target))
  draft.write(currentAssignmentRecord(group.groupId, replacement))
  if (holder.memberId !== memberId)
    timers.push({ kind: 'cancelAll', groupId: group.groupId, memberId: holder.memberId })
  return replacement
}

function throwIfInstanceIdIsFenced(holder: ConsumerGroupMember, memberId: string, instanceId: string): void {
  if (holder.memberId !== memberId) {
    fail(
      'FENCED_INSTANCE_ID',
      `Static member ${memberId} with instance id ${instanceId} was fenced by member ${holder.memberId}.`,
    )
  }
}

/**
 * Kafka's throwIfConsumerGroupMemberEpochIsInvalid: a member may not be ahead of the coordinator, and may be
 * behind only by the last bump, when what it owns is still part of its assignment (it missed the response).
 */
function throwIfEpochIsInvalid(member: ConsumerGroupMember, epoch: number, owned: Assignment | null): void {
  if (epoch > member.memberEpoch) {
    fail(
      'FENCED_MEMBER_EPOCH',
      `The consumer group member has a greater member epoch (${epoch}) than the one known by the group coordinator (${member.memberEpoch}). The member must abandon all its partitions and rejoin.`,
    )
  }
  if (epoch < member.memberEpoch) {
    if (epoch !== member.previousMemberEpoch || owned === null || !isSubset(owned, member.assignedPartitions)) {
      fail(
        'FENCED_MEMBER_EPOCH',
        `The consumer group member has a smaller member epoch (${epoch}) than the one known by the group coordinator (${member.memberEpoch}). The member must abandon all its partitions and rejoin.`,
      )
    }
  }
}

/** Kafka's consumerGroupLeave: -1 removes the member; -2 (static) keeps its place and assignment for its return. */
function leave(ctx: OperationContext, req: ConsumerGroupHeartbeatRequest): HeartbeatOutcome {
  const persisted = ctx.group(req.groupId)
  if (persisted === undefined) fail('UNKNOWN_MEMBER_ID', `Consumer group ${req.groupId} not found.`)
  const draft = new Draft(req.groupId, persisted)
  let member: ConsumerGroupMember
  if (req.instanceId === null) {
    member =
      persisted.members.get(req.memberId) ??
      fail('UNKNOWN_MEMBER_ID', `Member ${req.memberId} is not a member of group ${req.groupId}.`)
  } else {
    member =
      persisted.staticMember(req.instanceId) ?? fail('UNKNOWN_MEMBER_ID', `Instance id ${req.instanceId} is unknown.`)
    throwIfInstanceIdIsFenced(member, req.memberId, req.instanceId)
  }
  const response = ConsumerGroupHeartbeat.response.make({ memberId: member.memberId, memberEpoch: req.memberEpoch })
  if (req.memberEpoch === LEAVE_GROUP_STATIC_MEMBER_EPOCH) {
    // The session timer keeps running: if the instance does not come back in time, the member is removed.
    draft.write(
      currentAssignmentRecord(req.groupId, {
        ...member,
        memberEpoch: LEAVE_GROUP_STATIC_MEMBER_EPOCH,
        partitionsPendingRevocation: EMPTY_ASSIGNMENT,
      }),
    )
    return { result: { records: draft.records, response }, timers: [] }
  }
  draft.removeMember(member.memberId, ctx.topics)
  return {
    result: { records: draft.records, response },
    timers: [{ kind: 'cancelAll', groupId: req.groupId, memberId: member.memberId }],
  }
}
