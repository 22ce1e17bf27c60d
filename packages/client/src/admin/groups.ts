// Consumer-group administration: list, describe (classic groups through DescribeGroups, KIP-848 groups through
// ConsumerGroupDescribe, as Kafka's admin client does: it asks ConsumerGroupDescribe first and falls back when the
// group is not a consumer-protocol group), lag, delete, committed offsets, offset deletion and offset resets
// (kafka-consumer-groups.sh --reset-offsets: to earliest, latest, an offset, a datetime or shifted by n; a dry
// run returns the plan without committing it). Group requests go to the group's coordinator.

import {
  ConsumerGroupDescribe,
  decodeConsumerProtocolAssignment,
  DeleteGroups,
  DescribeGroups,
  ErrorCode,
  LeaveGroup,
  ListGroups,
  OffsetDelete,
} from '@samsa/protocol'
import type { Cluster } from '../cluster/cluster.ts'
import { listOffsets, OffsetSpec } from '../cluster/list-offsets.ts'
import type { TopicPartition } from '../cluster/sharding.ts'
import { KafkaProtocolError, SamsaError, SamsaErrorCode } from '../errors.ts'
import { findCoordinator, type CoordinatorAddress, type GroupCoordinator } from '../group/coordinator.ts'
import { groupByTopic } from '../group/membership.ts'
import { commitOffsets, fetchCommittedOffsets, NON_MEMBER, type CommittedOffset } from '../group/offsets.ts'
import { CoordinatorKeyType, onEveryBroker, withCoordinator } from './routing.ts'

export interface GroupListing {
  groupId: string
  protocolType: string
  /** e.g. Stable, Empty, PreparingRebalance (classic); Stable, Empty, Assigning, Reconciling (consumer). */
  state: string | null
  /** 'classic' or 'consumer' (ListGroups v5+, KIP-848); null from older brokers. */
  type: string | null
}

export interface GroupMemberDescription {
  memberId: string
  groupInstanceId: string | null
  clientId: string
  clientHost: string
  assignment: TopicPartition[]
  /** KIP-848 groups only: the member's epoch and the partitions it is headed for. */
  memberEpoch?: number
  targetAssignment?: TopicPartition[]
}

export interface GroupDescription {
  groupId: string
  type: 'classic' | 'consumer'
  state: string
  protocolType: string
  /** The assignor: the classic group's chosen protocol, or the KIP-848 server assignor. */
  assignor: string
  members: GroupMemberDescription[]
  /** KIP-848 groups only. */
  groupEpoch?: number
  assignmentEpoch?: number
}

export interface PartitionLag extends TopicPartition {
  /** -1n when the group committed nothing for the partition. */
  committedOffset: bigint
  logEndOffset: bigint
  /** logEndOffset − committedOffset; null without a committed offset. */
  lag: bigint | null
  memberId: string | null
}

export type ResetTarget =
  'earliest' | 'latest' | { offset: bigint } | { datetime: number | Date } | { shiftBy: number | bigint }

export interface ResetPlanEntry extends TopicPartition {
  /** -1n when the group has no committed offset for it. */
  currentOffset: bigint
  newOffset: bigint
}

/** States in which a group has no members, so an outsider may commit offsets for it. */
const INACTIVE_STATES = new Set(['Empty', 'Dead'])

export class GroupAdmin {
  readonly #cluster: Cluster

  constructor(cluster: Cluster) {
    this.#cluster = cluster
  }

  /** Every group of every broker, optionally only those in the given states or of the given types. */
  async listGroups(deadline: number, filter: { states?: string[]; types?: string[] } = {}): Promise<GroupListing[]> {
    const perBroker = await onEveryBroker(this.#cluster, deadline, async (connection) => {
      const { response, version } = await connection.request(ListGroups, () =>
        ListGroups.request.make({ statesFilter: filter.states ?? [], typesFilter: filter.types ?? [] }),
      )
      if (response.errorCode !== ErrorCode.NONE) {
        throw new KafkaProtocolError({ errorCode: response.errorCode, apiKey: ListGroups.key, apiVersion: version })
      }
      return response.groups.map((g) => ({
        groupId: g.groupId,
        protocolType: g.protocolType,
        state: version >= 4 ? g.groupState : null,
        type: version >= 5 ? g.groupType : null,
      }))
    })
    // Older brokers ignore the filters; apply them here where the answer says enough.
    const wanted = (value: string | null, allowed?: string[]) =>
      allowed === undefined ||
      allowed.length === 0 ||
      value === null ||
      allowed.some((a) => a.toLowerCase() === value.toLowerCase())
    return perBroker.flat().filter((g) => wanted(g.state, filter.states) && wanted(g.type, filter.types))
  }

  /** The broker coordinating the group (kafka-consumer-groups.sh --describe --state prints it). */
  findCoordinator(groupId: string, deadline: number): Promise<CoordinatorAddress> {
    return this.#cluster.retrying(deadline, () => findCoordinator(this.#cluster, groupId))
  }

  describeGroup(groupId: string, deadline: number): Promise<GroupDescription> {
    return this.#withCoordinator(groupId, deadline, async (coordinator) => {
      const consumerGroup = await this.#describeConsumerGroup(coordinator)
      return consumerGroup ?? (await this.#describeClassicGroup(coordinator))
    })
  }

  #withCoordinator<T>(
    groupId: string,
    deadline: number,
    operation: (coordinator: GroupCoordinator) => Promise<T>,
  ): Promise<T> {
    return withCoordinator(this.#cluster, groupId, CoordinatorKeyType.GROUP, deadline, operation)
  }

  /** A KIP-848 group's description, or null when the group is not one (or the broker predates KIP-848). */
  async #describeConsumerGroup(coordinator: GroupCoordinator): Promise<GroupDescription | null> {
    const connection = await coordinator.connection()
    if (!(await connection.supports(ConsumerGroupDescribe))) return null
    const { response, version } = await coordinator.request(ConsumerGroupDescribe, () =>
      ConsumerGroupDescribe.request.make({ groupIds: [coordinator.groupId], includeAuthorizedOperations: false }),
    )
    const group = response.groups[0]
    if (group === undefined || group.errorCode === ErrorCode.GROUP_ID_NOT_FOUND) return null
    if (group.errorCode !== ErrorCode.NONE) {
      throw new KafkaProtocolError({
        errorCode: group.errorCode,
        apiKey: ConsumerGroupDescribe.key,
        apiVersion: version,
        brokerMessage: group.errorMessage,
      })
    }
    const names = await this.#topicNamesById(
      group.members.flatMap((m) => [...m.assignment.topicPartitions, ...m.targetAssignment.topicPartitions]),
    )
    const resolve = (list: { topicId: string; partitions: number[] }[]) =>
      list.flatMap((t) => t.partitions.map((partition) => ({ topic: names.get(t.topicId) ?? t.topicId, partition })))
    return {
      groupId: group.groupId,
      type: 'consumer',
      state: group.groupState,
      protocolType: 'consumer',
      assignor: group.assignorName,
      groupEpoch: group.groupEpoch,
      assignmentEpoch: group.assignmentEpoch,
      members: group.members.map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.instanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        memberEpoch: m.memberEpoch,
        assignment: resolve(m.assignment.topicPartitions),
        targetAssignment: resolve(m.targetAssignment.topicPartitions),
      })),
    }
  }

  async #describeClassicGroup(coordinator: GroupCoordinator): Promise<GroupDescription> {
    const { response, version } = await coordinator.request(DescribeGroups, () =>
      DescribeGroups.request.make({ groups: [coordinator.groupId], includeAuthorizedOperations: false }),
    )
    const group = response.groups[0]
    const errorCode = group?.errorCode ?? ErrorCode.UNKNOWN_SERVER_ERROR
    if (group === undefined || errorCode !== ErrorCode.NONE) {
      throw new KafkaProtocolError({ errorCode, apiKey: DescribeGroups.key, apiVersion: version })
    }
    return {
      groupId: group.groupId,
      type: 'classic',
      state: group.groupState,
      protocolType: group.protocolType,
      assignor: group.protocolData,
      members: group.members.map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        assignment: group.protocolType === 'consumer' ? decodeAssignment(m.memberAssignment) : [],
      })),
    }
  }

  async #topicNamesById(list: readonly { topicId: string }[]): Promise<Map<string, string>> {
    const known = () => new Map([...this.#cluster.metadata.topics.values()].map((t) => [t.topicId, t.name]))
    if (list.every((t) => known().has(t.topicId))) return known()
    await this.#cluster.listAllTopics(Date.now() + this.#cluster.options.requestTimeoutMs)
    return known()
  }

  /** Committed offsets, the log end offsets and the lag per partition, for committed and assigned partitions. */
  async describeGroupLag(groupId: string, deadline: number): Promise<PartitionLag[]> {
    const description = await this.describeGroup(groupId, deadline)
    const committed = await this.listGroupOffsets(groupId, null, deadline)
    const owner = new Map<string, string>()
    for (const m of description.members)
      for (const p of m.assignment) owner.set(`${p.partition}:${p.topic}`, m.memberId)
    const partitions = new Map<string, TopicPartition>()
    for (const p of [...committed, ...description.members.flatMap((m) => m.assignment)]) {
      partitions.set(`${p.partition}:${p.topic}`, { topic: p.topic, partition: p.partition })
    }
    const list = [...partitions.values()]
    const ends = await listOffsets(
      this.#cluster,
      list.map((p) => ({ ...p, timestamp: OffsetSpec.LATEST })),
      0,
      deadline,
    )
    return list
      .map((p, i) => {
        const key = `${p.partition}:${p.topic}`
        const committedOffset = committed.find((c) => c.topic === p.topic && c.partition === p.partition)?.offset ?? -1n
        const logEndOffset = ends[i]!.offset
        return {
          ...p,
          committedOffset,
          logEndOffset,
          lag: committedOffset < 0n ? null : logEndOffset > committedOffset ? logEndOffset - committedOffset : 0n,
          memberId: owner.get(key) ?? null,
        }
      })
      .sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition))
  }

  /** The group's committed offsets: for `partitions`, or every partition it committed when null. */
  async listGroupOffsets(
    groupId: string,
    partitions: readonly TopicPartition[] | null,
    deadline: number,
  ): Promise<CommittedOffset[]> {
    const offsets = await this.#withCoordinator(groupId, deadline, (coordinator) =>
      fetchCommittedOffsets(coordinator, partitions, { requireStable: false }),
    )
    return offsets.filter((o) => partitions !== null || o.offset >= 0n)
  }

  async deleteGroups(groupIds: readonly string[], deadline: number): Promise<void> {
    const errors: unknown[] = []
    await Promise.all(
      groupIds.map(async (groupId) => {
        try {
          await this.#withCoordinator(groupId, deadline, (coordinator) =>
            coordinator.request(DeleteGroups, () => DeleteGroups.request.make({ groupsNames: [groupId] }), {
              errorCodeOf: (r) => r.results.find((g) => g.groupId === groupId)?.errorCode ?? ErrorCode.NONE,
            }),
          )
        } catch (error) {
          errors.push(error)
        }
      }),
    )
    throwAll(errors, 'groups could not be deleted')
  }

  /**
   * Removes static members from a classic group by group.instance.id (LeaveGroup v3+ on their behalf, KIP-345),
   * e.g. a member whose host is gone for good, so the group rebalances now instead of after its session timeout.
   */
  async removeStaticMembers(groupId: string, groupInstanceIds: readonly string[], deadline: number): Promise<void> {
    const { response, version } = await this.#withCoordinator(groupId, deadline, (coordinator) =>
      coordinator.request(
        LeaveGroup,
        () =>
          LeaveGroup.request.make({
            groupId,
            members: groupInstanceIds.map((groupInstanceId) => ({
              memberId: '',
              groupInstanceId,
              reason: 'removed by an administrator',
            })),
          }),
        { errorCodeOf: (r) => r.errorCode },
      ),
    )
    const errors = response.members
      .filter((m) => m.errorCode !== ErrorCode.NONE)
      .map(
        (m) =>
          new KafkaProtocolError({
            errorCode: m.errorCode,
            apiKey: LeaveGroup.key,
            apiVersion: version,
            brokerMessage: `group.instance.id ${m.groupInstanceId}`,
          }),
      )
    throwAll(errors, 'members could not be removed')
  }

  /** Removes committed offsets (OffsetDelete, KIP-496); the group must not be consuming those topics. */
  async deleteOffsets(groupId: string, partitions: readonly TopicPartition[], deadline: number): Promise<void> {
    const { response, version } = await this.#withCoordinator(groupId, deadline, (coordinator) =>
      coordinator.request(
        OffsetDelete,
        () =>
          OffsetDelete.request.make({
            groupId,
            topics: groupByTopic(partitions).map((t) => ({
              name: t.topic,
              partitions: t.partitions.map((partitionIndex) => ({ partitionIndex })),
            })),
          }),
        { errorCodeOf: (r) => r.errorCode },
      ),
    )
    const errors = response.topics.flatMap((t) =>
      t.partitions
        .filter((p) => p.errorCode !== ErrorCode.NONE)
        .map(
          (p) =>
            new KafkaProtocolError({
              errorCode: p.errorCode,
              apiKey: OffsetDelete.key,
              apiVersion: version,
              topic: t.name,
              partition: p.partitionIndex,
            }),
        ),
    )
    throwAll(errors, 'offsets could not be deleted')
  }

  /**
   * Moves the group's committed offsets, like kafka-consumer-groups.sh --reset-offsets. Offsets past either end
   * of the log are clamped to it. The group must have no members. With dryRun nothing is committed.
   */
  async resetOffsets(
    groupId: string,
    request: { topics?: readonly string[]; partitions?: readonly TopicPartition[]; to: ResetTarget; dryRun?: boolean },
    deadline: number,
  ): Promise<ResetPlanEntry[]> {
    const partitions = [...(request.partitions ?? [])]
    if (request.topics !== undefined && request.topics.length > 0) {
      for (const topic of await this.#cluster.topicMetadata(request.topics, deadline)) {
        for (const p of topic.partitions) partitions.push({ topic: topic.name, partition: p.partition })
      }
    }
    if (partitions.length === 0) throw invalidArgument('resetOffsets needs topics or partitions')
    const description = await this.describeGroup(groupId, deadline)
    if (request.dryRun !== true && !INACTIVE_STATES.has(description.state)) {
      throw invalidArgument(
        `group ${groupId} is ${description.state}; offsets can only be reset while it has no members`,
      )
    }
    const current = await this.listGroupOffsets(groupId, partitions, deadline)
    const ends = async (timestamp: bigint) =>
      listOffsets(
        this.#cluster,
        partitions.map((p) => ({ ...p, timestamp })),
        0,
        deadline,
      )
    const [earliest, latest] = await Promise.all([ends(OffsetSpec.EARLIEST), ends(OffsetSpec.LATEST)])
    const target = request.to
    const byTime =
      typeof target === 'object' && 'datetime' in target
        ? await ends(BigInt(target.datetime instanceof Date ? target.datetime.getTime() : target.datetime))
        : null
    const plan = partitions.map((p, i): ResetPlanEntry => {
      const low = earliest[i]!.offset
      const high = latest[i]!.offset
      const currentOffset = current.find((c) => c.topic === p.topic && c.partition === p.partition)?.offset ?? -1n
      let wanted: bigint
      if (target === 'earliest') wanted = low
      else if (target === 'latest') wanted = high
      else if ('offset' in target) wanted = target.offset
      else if ('shiftBy' in target) wanted = (currentOffset < 0n ? low : currentOffset) + BigInt(target.shiftBy)
      else wanted = byTime![i]!.offset < 0n ? high : byTime![i]!.offset
      const newOffset = wanted < low ? low : wanted > high ? high : wanted
      return { topic: p.topic, partition: p.partition, currentOffset, newOffset }
    })
    if (request.dryRun === true) return plan
    await this.#withCoordinator(groupId, deadline, (coordinator) =>
      commitOffsets(
        coordinator,
        plan.map((e) => ({ topic: e.topic, partition: e.partition, offset: e.newOffset })),
        NON_MEMBER,
      ),
    )
    return plan
  }
}

function decodeAssignment(bytes: Buffer): TopicPartition[] {
  if (bytes.length === 0) return []
  const { value } = decodeConsumerProtocolAssignment(bytes)
  return value.assignedPartitions.flatMap((t) => t.partitions.map((partition) => ({ topic: t.topic, partition })))
}

function throwAll(errors: readonly unknown[], what: string): void {
  if (errors.length === 1) throw errors[0] as Error
  if (errors.length > 1) throw new AggregateError(errors, `${errors.length} ${what}`)
}

function invalidArgument(message: string): SamsaError {
  return new SamsaError(SamsaErrorCode.INVALID_ARGUMENT, message)
}
