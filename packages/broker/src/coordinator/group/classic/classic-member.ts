// One member of a classic group: what it offered in JoinGroup, what it was assigned in SyncGroup, and the
// requests it has parked on the coordinator (a JoinGroup held until the rebalance completes, a SyncGroup
// follower waiting for its leader). Parked requests are transient: they are never written down.

import type { JoinGroupResponse, SyncGroupResponse } from '@samsa/protocol'

export const EMPTY_BYTES: Buffer = Buffer.alloc(0)

/** One protocol a member offers in JoinGroup, in its order of preference. */
export interface MemberProtocol {
  name: string
  metadata: Buffer
}

export type JoinReply = (res: JoinGroupResponse) => void
export type SyncReply = (res: SyncGroupResponse) => void

export interface ClassicMemberInit {
  memberId: string
  groupInstanceId: string | null
  clientId: string
  clientHost: string
  protocolType: string
  protocols: MemberProtocol[]
  rebalanceTimeoutMs: number
  sessionTimeoutMs: number
  assignment?: Buffer
}

export class ClassicMember {
  readonly memberId: string
  /** Set for static members (KIP-345): the instance id survives restarts, the member id does not. */
  readonly groupInstanceId: string | null
  readonly clientId: string
  readonly clientHost: string
  protocolType: string
  protocols: MemberProtocol[]
  rebalanceTimeoutMs: number
  sessionTimeoutMs: number
  assignment: Buffer
  awaitingJoin: JoinReply | null = null
  awaitingSync: SyncReply | null = null
  /**
   * Joined during the current rebalance and has not had a JoinGroup answer yet. Such a member cannot heartbeat
   * (it does not know its generation), so it expires on the new-member join timeout instead of its session.
   */
  isNew = false

  constructor(init: ClassicMemberInit) {
    this.memberId = init.memberId
    this.groupInstanceId = init.groupInstanceId
    this.clientId = init.clientId
    this.clientHost = init.clientHost
    this.protocolType = init.protocolType
    this.protocols = init.protocols
    this.rebalanceTimeoutMs = init.rebalanceTimeoutMs
    this.sessionTimeoutMs = init.sessionTimeoutMs
    this.assignment = init.assignment ?? EMPTY_BYTES
  }

  /** The metadata this member offered for `protocol` (empty if it offered none by that name). */
  metadataFor(protocol: string | null): Buffer {
    return this.protocols.find((p) => p.name === protocol)?.metadata ?? EMPTY_BYTES
  }

  supports(protocol: string): boolean {
    return this.protocols.some((p) => p.name === protocol)
  }

  /** The member's most preferred protocol among `candidates` (the ones every member supports). */
  vote(candidates: ReadonlySet<string>): string | undefined {
    return this.protocols.find((p) => candidates.has(p.name))?.name
  }

  /** Same protocols, same order, same metadata: a rejoin with these changes nothing. */
  matches(protocols: readonly MemberProtocol[]): boolean {
    return (
      protocols.length === this.protocols.length &&
      protocols.every((p, i) => {
        const mine = this.protocols[i]
        return mine !== undefined && mine.name === p.name && mine.metadata.equals(p.metadata)
      })
    )
  }
}
