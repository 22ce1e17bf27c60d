// What the consumer group operations (heartbeat.ts, the timers of consumer-groups.ts) need from the manager,
// and the timer changes they ask for. Timers are requested only once an operation has succeeded, so a failed
// operation leaves no trace at all.

import type { ServerAssignor } from '../assignors/types.ts'
import type { GroupConfigs, TopicsImage } from '../types.ts'
import type { ConsumerGroup } from './consumer-group.ts'

export interface OperationContext {
  /** The persisted group, or undefined. */
  group(groupId: string): ConsumerGroup | undefined
  configs: GroupConfigs
  topics: TopicsImage
  /** The assignor the group uses now (its members' preference, else the broker's default). */
  assignorFor(group: ConsumerGroup): ServerAssignor
  /** Whether the broker offers an assignor of that name (group.consumer.assignors). */
  hasAssignor(name: string): boolean
  /** A new member id, for ConsumerGroupHeartbeat v0 joins that do not bring one. */
  newMemberId(): string
}

export type TimerChange =
  /** (Re)arms the member's session timeout (group.consumer.session.timeout.ms). */
  | { kind: 'session'; groupId: string; memberId: string }
  /** Arms the revocation deadline: the member is fenced if it is still at `memberEpoch` after `timeoutMs`. */
  | { kind: 'rebalance'; groupId: string; memberId: string; memberEpoch: number; timeoutMs: number }
  | { kind: 'cancelRebalance'; groupId: string; memberId: string }
  /** The member is gone: both its timers go. */
  | { kind: 'cancelAll'; groupId: string; memberId: string }
