// The group coordinator service the handlers call (Kafka's GroupCoordinatorService): finds the shard that owns a
// group (Kafka's partitionFor: abs(groupId.hashCode) % offsets.topic.num.partitions), runs the operation there
// through the runtime, and turns the managers' answers into per-request results. Offsets live beside the groups
// in the same shard, so a commit is validated against the group's generation or member epoch in one step.

import {
  ConsumerGroupHeartbeat,
  ErrorCode,
  JoinGroup,
  type ConsumerGroupDescribeResponse,
  type ConsumerGroupHeartbeatRequest,
  type ConsumerGroupHeartbeatResponse,
  type DescribeGroupsResponse,
  type HeartbeatRequest,
  type HeartbeatResponse,
  type JoinGroupRequest,
  type JoinGroupResponse,
  type LeaveGroupRequest,
  type LeaveGroupResponse,
  type SyncGroupRequest,
  type SyncGroupResponse,
} from '@samsa/protocol'
import type { CoordinatorRuntime } from '../runtime/coordinator-runtime.ts'
import type { ClientInfo, GroupShard } from './group-shard.ts'
import type { OffsetToCommit, PartitionOffset } from './offsets.ts'
import type { CoordinatorResult, GroupListing, GroupRecord } from './types.ts'

export type GroupRuntime = CoordinatorRuntime<GroupShard, GroupRecord>

export interface OffsetCommitInput {
  groupId: string
  /** Classic: the generation id; KIP-848 groups: the member epoch; -1 for commits from outside any group. */
  generationIdOrMemberEpoch: number
  memberId: string
  groupInstanceId: string | null
  offsets: OffsetToCommit[]
  /** OffsetCommit v2-4 retentionTimeMs; -1 = the broker's offsets.retention.minutes. */
  retentionTimeMs: bigint
}

export interface OffsetFetchGroup {
  groupId: string
  memberId: string | null
  memberEpoch: number
  /** null: every committed partition of the group. */
  topics: { topic: string; partitions: number[] }[] | null
  /** OffsetFetch v7+: a partition with a pending transactional commit answers UNSTABLE_OFFSET_COMMIT (KIP-447). */
  requireStable: boolean
}

export interface TxnOffsetCommitInput extends Omit<OffsetCommitInput, 'retentionTimeMs'> {
  producerId: bigint
  producerEpoch: number
}

const VOID_RESULT: CoordinatorResult<void> = { records: [], response: undefined }

export class GroupCoordinator {
  readonly #runtime: GroupRuntime
  readonly #maxMetadataBytes: () => number
  readonly #onClose: () => void

  constructor(runtime: GroupRuntime, options: { maxMetadataBytes: () => number; onClose?: () => void }) {
    this.#runtime = runtime
    this.#maxMetadataBytes = options.maxMetadataBytes
    this.#onClose = options.onClose ?? (() => {})
  }

  /** FindCoordinator: makes sure __consumer_offsets exists before pointing clients here (Kafka creates it then too). */
  async prepare(): Promise<void> {
    await this.#runtime.ready()
  }

  /** Runs a manager operation whose answer arrives through a reply callback (JoinGroup, SyncGroup). */
  #deferred<T>(
    groupId: string,
    op: (shard: GroupShard, now: number, reply: (r: T) => void) => CoordinatorResult<void>,
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#runtime.run(groupId, (shard, now) => op(shard, now, resolve)).catch(reject)
    })
  }

  joinGroup(req: JoinGroupRequest, apiVersion: number, client: ClientInfo): Promise<JoinGroupResponse> {
    return this.#deferred<JoinGroupResponse>(req.groupId, (shard, now, reply) =>
      shard.consumer.has(req.groupId)
        ? (reply(joinRefused(req, apiVersion, ErrorCode.INCONSISTENT_GROUP_PROTOCOL)), VOID_RESULT)
        : shard.classic.join(req, apiVersion, now, client, reply),
    )
  }

  syncGroup(req: SyncGroupRequest, apiVersion: number): Promise<SyncGroupResponse> {
    return this.#deferred<SyncGroupResponse>(req.groupId, (shard, now, reply) =>
      shard.classic.sync(req, apiVersion, now, reply),
    )
  }

  heartbeat(req: HeartbeatRequest, apiVersion: number): Promise<HeartbeatResponse> {
    return this.#runtime.run(req.groupId, (shard, now) => shard.classic.heartbeat(req, apiVersion, now))
  }

  leaveGroup(req: LeaveGroupRequest, apiVersion: number): Promise<LeaveGroupResponse> {
    return this.#runtime.run(req.groupId, (shard, now) => shard.classic.leave(req, apiVersion, now))
  }

  consumerGroupHeartbeat(
    req: ConsumerGroupHeartbeatRequest,
    apiVersion: number,
    client: ClientInfo,
  ): Promise<ConsumerGroupHeartbeatResponse> {
    return this.#runtime.run(req.groupId, (shard, now) => {
      const { groupId } = req
      if (shard.consumer.has(groupId) || !shard.classic.has(groupId)) {
        return shard.consumer.heartbeat(req, apiVersion, now, client)
      }
      // A classic group holds this id. An Empty one (or one that only has offsets) becomes the consumer group, as
      // Kafka converts it; one with members would need KIP-848's online migration, which Samsa does not do.
      if (shard.classic.emptySince(groupId) === null) {
        return {
          records: [],
          response: ConsumerGroupHeartbeat.response.make({
            errorCode: ErrorCode.GROUP_ID_NOT_FOUND,
            errorMessage: `Group ${groupId} is a classic group with members; Samsa does not migrate it to the consumer protocol.`,
          }),
        }
      }
      const removed = shard.classic.delete(groupId)
      const joined = shard.consumer.heartbeat(req, apiVersion, now, client)
      return { ...joined, records: [...removed.records, ...joined.records] }
    })
  }

  /** The `__consumer_offsets` partition of a group (AddOffsetsToTxn adds it to a transaction). */
  partitionFor(groupId: string): number {
    return this.#runtime.partitionFor(groupId)
  }

  /** OffsetCommit: one error code per partition in request order. */
  commitOffsets(input: OffsetCommitInput): Promise<number[]> {
    return this.#runtime.run(input.groupId, (shard, now) => {
      const refuse = (code: number) => ({ records: [], response: input.offsets.map(() => code) })
      const error = validateCommit(shard, input, false)
      if (error !== ErrorCode.NONE) return refuse(error)
      const expireTimestamp = input.retentionTimeMs >= 0n ? BigInt(now) + input.retentionTimeMs : -1n
      const { records, errors } = shard.offsets.commit(
        input.groupId,
        input.offsets,
        now,
        this.#maxMetadataBytes(),
        expireTimestamp,
      )
      return { records, response: errors }
    })
  }

  /**
   * TxnOffsetCommit: the offsets are written as the producer's transactional batch and stay pending until the
   * transaction coordinator's marker (completeTransaction). One error code per partition in request order.
   */
  commitTransactionalOffsets(input: TxnOffsetCommitInput): Promise<number[]> {
    return this.#runtime.run(input.groupId, (shard, now) => {
      const error = validateCommit(shard, input, true)
      if (error !== ErrorCode.NONE) return { records: [], response: input.offsets.map(() => error) }
      const { records, errors } = shard.offsets.commit(input.groupId, input.offsets, now, this.#maxMetadataBytes())
      return {
        records,
        response: errors,
        transactional: { producerId: input.producerId, producerEpoch: input.producerEpoch },
      }
    })
  }

  /** Writes a transaction's marker to a `__consumer_offsets` partition; its pending offsets commit or vanish. */
  completeTransaction(
    partition: number,
    marker: { producerId: bigint; producerEpoch: number; coordinatorEpoch: number; committed: boolean },
  ): number {
    return this.#runtime.completeTransaction(partition, marker)
  }

  /** OffsetFetch for one group: its offsets, or a group-level error code. */
  fetchOffsets(group: OffsetFetchGroup): Promise<{ errorCode: number; offsets: PartitionOffset[] }> {
    return this.#runtime.run<{ errorCode: number; offsets: PartitionOffset[] }>(group.groupId, (shard) => {
      if (group.memberId !== null && shard.consumer.has(group.groupId)) {
        const errorCode = shard.consumer.validateOffsetFetch(group.groupId, group.memberId, group.memberEpoch)
        if (errorCode !== ErrorCode.NONE) return { records: [], response: { errorCode, offsets: [] } }
      }
      return {
        records: [],
        response: {
          errorCode: ErrorCode.NONE,
          offsets: shard.offsets.fetch(group.groupId, group.topics, group.requireStable),
        },
      }
    })
  }

  /** OffsetDelete: a group-level error, or one code per asked partition. */
  deleteOffsets(
    groupId: string,
    partitions: { topic: string; partition: number }[],
  ): Promise<{ errorCode: number; partitionErrors: number[] }> {
    return this.#runtime.run<{ errorCode: number; partitionErrors: number[] }>(groupId, (shard) => {
      if (!shard.hasGroup(groupId) && !shard.offsets.hasOffsets(groupId)) {
        return { records: [], response: { errorCode: ErrorCode.GROUP_ID_NOT_FOUND, partitionErrors: [] } }
      }
      const partitionErrors = partitions.map((p) =>
        shard.isSubscribedTo(groupId, p.topic) ? ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC : ErrorCode.NONE,
      )
      const deletable = partitions.filter((_, i) => partitionErrors[i] === ErrorCode.NONE)
      return {
        records: shard.offsets.delete(groupId, deletable),
        response: { errorCode: ErrorCode.NONE, partitionErrors },
      }
    })
  }

  async listGroups(statesFilter: readonly string[], typesFilter: readonly string[]): Promise<GroupListing[]> {
    const out: GroupListing[] = []
    const types = new Set(typesFilter.map((t) => t.toLowerCase()))
    for (const shard of await this.#runtime.allShards()) {
      const consumer = shard.consumer.list(statesFilter)
      const names = new Set(consumer.map((g) => g.groupId))
      // A consumer group that took over a simple group's id is listed once, as the consumer group it now is.
      const classic = shard.classic.list(statesFilter).filter((g) => !names.has(g.groupId))
      for (const listing of [...classic, ...consumer])
        if (types.size === 0 || types.has(listing.groupType)) out.push(listing)
    }
    return out
  }

  describeGroup(groupId: string): Promise<DescribeGroupsResponse['groups'][number]> {
    return this.#runtime.run(groupId, (shard) => {
      if (shard.consumer.has(groupId)) {
        const described = shard.classic.describe(groupId)
        return {
          records: [],
          response: {
            ...described,
            errorCode: ErrorCode.GROUP_ID_NOT_FOUND,
            errorMessage: `Group ${groupId} is not a classic group.`,
          },
        }
      }
      return { records: [], response: shard.classic.describe(groupId) }
    })
  }

  async describeConsumerGroups(
    groupIds: readonly string[],
    includeAuthorizedOperations: boolean,
  ): Promise<ConsumerGroupDescribeResponse['groups']> {
    const out: ConsumerGroupDescribeResponse['groups'] = []
    for (const groupId of groupIds) {
      out.push(
        ...(await this.#runtime.run(groupId, (shard) => ({
          records: [],
          response: shard.consumer.describe([groupId], includeAuthorizedOperations),
        }))),
      )
    }
    return out
  }

  /** DeleteGroups: the group and its offsets, only when it is Empty. */
  deleteGroup(groupId: string): Promise<number> {
    return this.#runtime.run(groupId, (shard) => {
      const owner = shard.consumer.has(groupId) ? shard.consumer : shard.classic.has(groupId) ? shard.classic : null
      if (owner === null) {
        return shard.offsets.hasOffsets(groupId)
          ? { records: shard.offsets.deleteGroup(groupId), response: ErrorCode.NONE }
          : { records: [], response: ErrorCode.GROUP_ID_NOT_FOUND }
      }
      const deleted = owner.delete(groupId)
      if (deleted.response !== ErrorCode.NONE) return deleted
      return { ...deleted, records: [...shard.offsets.deleteGroup(groupId), ...deleted.records] }
    })
  }

  close(): void {
    this.#onClose()
    this.#runtime.close()
  }
}

/** Whether a (transactional) offset commit may be stored for the group, as Kafka's validateOffsetCommit decides. */
function validateCommit(
  shard: GroupShard,
  input: Omit<OffsetCommitInput, 'retentionTimeMs'>,
  transactional: boolean,
): number {
  const { groupId } = input
  if (shard.consumer.has(groupId)) {
    return shard.consumer.validateOffsetCommit(groupId, input.memberId, input.generationIdOrMemberEpoch)
  }
  if (shard.classic.has(groupId)) {
    return shard.classic.validateOffsetCommit(
      groupId,
      input.memberId,
      input.groupInstanceId,
      input.generationIdOrMemberEpoch,
      transactional,
    )
  }
  // A commit from outside any group creates the (simple) group; one that claims a generation cannot.
  return input.generationIdOrMemberEpoch < 0 ? ErrorCode.NONE : ErrorCode.ILLEGAL_GENERATION
}

function joinRefused(req: JoinGroupRequest, apiVersion: number, errorCode: number): JoinGroupResponse {
  // protocolName is nullable only from v7.
  const protocolName = apiVersion >= 7 ? null : ''
  return JoinGroup.response.make({
    errorCode,
    generationId: -1,
    protocolType: null,
    protocolName,
    memberId: req.memberId,
  })
}
