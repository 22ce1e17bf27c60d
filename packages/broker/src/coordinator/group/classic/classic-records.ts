// The GroupMetadata record of a classic group (key version 2, value version 3 as Kafka writes it) and the way
// back: the coordinator writes one when the leader's SyncGroup stores a generation's assignment, when a static
// member takes over a Stable group's slot, and when the group becomes Empty; DeleteGroups writes a tombstone.
// Loading a group rebuilds only what the record holds: a group with members comes back Stable, one without
// comes back Empty, and each member supports just the group's protocol (its stored subscription).

import { GroupMetadataValue, type GroupMetadataValueData } from '@samsa/protocol'
import { ClassicGroupState, type GroupRecord } from '../types.ts'
import { ClassicGroup } from './classic-group.ts'
import { ClassicMember } from './classic-member.ts'

export type GroupMetadataRecord = Extract<GroupRecord, { type: 'groupMetadata' }>

export function groupMetadataRecord(group: ClassicGroup): GroupMetadataRecord {
  const value = GroupMetadataValue.make({
    protocolType: group.protocolType ?? '',
    generation: group.generationId,
    protocol: group.protocolName,
    leader: group.leaderId,
    currentStateTimestamp: BigInt(group.currentStateTimestamp ?? -1),
    members: [...group.members.values()].map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      clientId: m.clientId,
      clientHost: m.clientHost,
      rebalanceTimeout: m.rebalanceTimeoutMs,
      sessionTimeout: m.sessionTimeoutMs,
      subscription: m.metadataFor(group.protocolName),
      assignment: m.assignment,
    })),
  })
  return { type: 'groupMetadata', key: { group: group.groupId }, value }
}

export function groupTombstone(groupId: string): GroupMetadataRecord {
  return { type: 'groupMetadata', key: { group: groupId }, value: null }
}

export function groupFromRecord(groupId: string, value: GroupMetadataValueData): ClassicGroup {
  const timestamp = Number(value.currentStateTimestamp)
  const group = new ClassicGroup(groupId, timestamp < 0 ? null : timestamp)
  group.generationId = value.generation
  group.protocolName = value.protocol
  for (const m of value.members) {
    group.add(
      new ClassicMember({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        protocolType: value.protocolType,
        protocols: value.protocol === null ? [] : [{ name: value.protocol, metadata: m.subscription }],
        // A v0 value has no rebalance timeout (-1): Kafka then uses the session timeout.
        rebalanceTimeoutMs: m.rebalanceTimeout < 0 ? m.sessionTimeout : m.rebalanceTimeout,
        sessionTimeoutMs: m.sessionTimeout,
        assignment: m.assignment,
      }),
    )
  }
  group.protocolType = value.protocolType === '' ? null : value.protocolType
  group.leaderId = value.leader
  group.state = group.members.size > 0 ? ClassicGroupState.Stable : ClassicGroupState.Empty
  group.previousState = group.state
  return group
}

/**
 * A text form of a record value's fields, to recognise a record this coordinator produced when it is replayed
 * (whether the runtime hands back the same object or a decoded copy of it).
 */
export function fingerprint(value: GroupMetadataValueData): string {
  return JSON.stringify([
    value.protocolType,
    value.generation,
    value.protocol,
    value.leader,
    value.currentStateTimestamp.toString(),
    value.members.map((m) => [
      m.memberId,
      m.groupInstanceId,
      m.clientId,
      m.clientHost,
      m.rebalanceTimeout,
      m.sessionTimeout,
      m.subscription.toString('base64'),
      m.assignment.toString('base64'),
    ]),
  ])
}
