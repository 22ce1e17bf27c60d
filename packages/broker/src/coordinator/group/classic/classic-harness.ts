// Test support for the classic group manager: a fake Timers that fires on command, and a harness that plays the
// runtime's part (records appended and replayed in order, then the deliveries) so tests read like client sessions.

import {
  Heartbeat,
  JoinGroup,
  LeaveGroup,
  SyncGroup,
  type GroupMetadataValueData,
  type JoinGroupResponse,
  type SyncGroupResponse,
} from '@samsa/protocol'
import type { CoordinatorResult, GroupConfigs, GroupRecord, Timers } from '../types.ts'
import { ClassicGroups } from './classic-groups.ts'

interface PendingTimer {
  due: number
  seq: number
  fire: (now: number) => CoordinatorResult<void>
}

/** Timers that only fire when the test advances the clock. Same-time timers fire in the order they were set. */
export class FakeTimers implements Timers {
  now = 0
  private seq = 0
  readonly pending = new Map<string, PendingTimer>()

  schedule(key: string, delayMs: number, fire: (now: number) => CoordinatorResult<void>): void {
    this.pending.set(key, { due: this.now + delayMs, seq: this.seq++, fire })
  }

  cancel(key: string): void {
    this.pending.delete(key)
  }

  dueAt(key: string): number | undefined {
    return this.pending.get(key)?.due
  }

  /** The earliest timer due at or before `until`, removed from the set. */
  takeNext(until: number): PendingTimer | undefined {
    let next: [string, PendingTimer] | undefined
    for (const entry of this.pending) {
      const t = entry[1]
      if (t.due > until) continue
      if (!next || t.due < next[1].due || (t.due === next[1].due && t.seq < next[1].seq)) next = entry
    }
    if (!next) return undefined
    this.pending.delete(next[0])
    return next[1]
  }
}

export const TEST_CONFIGS: GroupConfigs = {
  'group.initial.rebalance.delay.ms': 0,
  'group.min.session.timeout.ms': 6000,
  'group.max.session.timeout.ms': 300000,
  'group.max.size': 100,
  'group.consumer.session.timeout.ms': 45000,
  'group.consumer.heartbeat.interval.ms': 5000,
  'group.consumer.max.size': 100,
  'group.consumer.assignors': ['uniform', 'range'],
  'offsets.retention.minutes': 10080,
}

export const SESSION_MS = 10000
export const REBALANCE_MS = 30000

/** A request parked on the coordinator: its answers, latest last. */
export class Answer<T> {
  readonly all: T[] = []
  private readonly listener: ((res: T) => void) | undefined

  constructor(listener?: (res: T) => void) {
    this.listener = listener
  }

  readonly reply = (res: T): void => {
    this.all.push(res)
    this.listener?.(res)
  }

  get last(): T {
    const res = this.all.at(-1)
    if (res === undefined) throw new Error('no answer yet')
    return res
  }

  get answered(): boolean {
    return this.all.length > 0
  }
}

export interface JoinOptions {
  groupId?: string
  memberId?: string
  groupInstanceId?: string | null
  clientId?: string
  protocolType?: string
  protocols?: { name: string; metadata?: Buffer }[]
  sessionTimeoutMs?: number
  rebalanceTimeoutMs?: number
  version?: number
}

export class Harness {
  readonly timers = new FakeTimers()
  readonly configs: GroupConfigs
  readonly groups: ClassicGroups
  /** Every record made durable, in order: what a restarted coordinator would replay. */
  readonly log: GroupRecord[] = []

  constructor(overrides: Partial<GroupConfigs> = {}) {
    this.configs = { ...TEST_CONFIGS, ...overrides }
    this.groups = new ClassicGroups({ timers: this.timers, configs: () => this.configs })
  }

  get now(): number {
    return this.timers.now
  }

  /** What the runtime does with a result: append and replay the records, then run the deliveries. */
  apply<T>(result: CoordinatorResult<T>): T {
    for (const record of result.records) {
      this.log.push(record)
      if (record.type === 'groupMetadata') this.groups.replay(record)
    }
    for (const deliver of result.then ?? []) deliver()
    return result.response
  }

  /** Moves the clock forward by `ms`, firing every timer that comes due on the way, each at its own time. */
  advance(ms: number): void {
    const until = this.timers.now + ms
    for (let t = this.timers.takeNext(until); t; t = this.timers.takeNext(until)) {
      this.timers.now = Math.max(this.timers.now, t.due)
      this.apply(t.fire(this.timers.now))
    }
    this.timers.now = until
  }

  join(opts: JoinOptions = {}, listener?: (res: JoinGroupResponse) => void): Answer<JoinGroupResponse> {
    const answer = new Answer<JoinGroupResponse>(listener)
    const req = JoinGroup.request.make({
      groupId: opts.groupId ?? 'g',
      memberId: opts.memberId ?? '',
      groupInstanceId: opts.groupInstanceId ?? null,
      protocolType: opts.protocolType ?? 'consumer',
      protocols: (opts.protocols ?? [{ name: 'range' }]).map((p) => ({
        name: p.name,
        metadata: p.metadata ?? Buffer.from(`${opts.clientId ?? 'client'}:${p.name}`),
      })),
      sessionTimeoutMs: opts.sessionTimeoutMs ?? SESSION_MS,
      rebalanceTimeoutMs: opts.rebalanceTimeoutMs ?? REBALANCE_MS,
    })
    const client = { clientId: opts.clientId ?? 'client', clientHost: '/127.0.0.1' }
    this.apply(this.groups.join(req, opts.version ?? 5, this.now, client, answer.reply))
    return answer
  }

  /** A dynamic JoinGroup v4+: the MEMBER_ID_REQUIRED round trip, then the real join (still parked, usually). */
  joinNew(clientId: string, opts: JoinOptions = {}): Answer<JoinGroupResponse> {
    const first = this.join({ ...opts, clientId, memberId: '' })
    return this.join({ ...opts, clientId, memberId: first.last.memberId })
  }

  sync(
    memberId: string,
    generationId: number,
    assignments: Record<string, string> = {},
    opts: { groupId?: string; groupInstanceId?: string | null; protocolName?: string | null; version?: number } = {},
  ): Answer<SyncGroupResponse> {
    const answer = new Answer<SyncGroupResponse>()
    const req = SyncGroup.request.make({
      groupId: opts.groupId ?? 'g',
      memberId,
      generationId,
      groupInstanceId: opts.groupInstanceId ?? null,
      protocolName: opts.protocolName ?? null,
      assignments: Object.entries(assignments).map(([id, a]) => ({ memberId: id, assignment: Buffer.from(a) })),
    })
    this.apply(this.groups.sync(req, opts.version ?? 5, this.now, answer.reply))
    return answer
  }

  heartbeat(memberId: string, generationId: number, groupInstanceId: string | null = null, groupId = 'g'): number {
    const req = Heartbeat.request.make({ groupId, memberId, generationId, groupInstanceId })
    return this.apply(this.groups.heartbeat(req, 4, this.now)).errorCode
  }

  /** LeaveGroup v1 (one member by id): the top-level error code. */
  leave(memberId: string, groupId = 'g'): number {
    return this.apply(this.groups.leave(LeaveGroup.request.make({ groupId, memberId }), 1, this.now)).errorCode
  }

  /** LeaveGroup v3+: per-member error codes. */
  leaveBatch(members: { memberId?: string; groupInstanceId?: string | null }[], groupId = 'g'): number[] {
    const req = LeaveGroup.request.make({
      groupId,
      members: members.map((m) => ({ memberId: m.memberId ?? '', groupInstanceId: m.groupInstanceId ?? null })),
    })
    return this.apply(this.groups.leave(req, 5, this.now)).members.map((m) => m.errorCode)
  }

  /** The value of the latest GroupMetadata record written (null for a tombstone). */
  lastGroupMetadata(): GroupMetadataValueData | null {
    const record = this.log.findLast((r) => r.type === 'groupMetadata')
    if (record?.type !== 'groupMetadata') throw new Error('no GroupMetadata record yet')
    return record.value
  }

  state(groupId = 'g'): string {
    return this.groups.describe(groupId).groupState
  }

  /**
   * Two dynamic members A (leader) and B through a whole rebalance to Stable: A is assigned "a", B "b".
   * Returns their member ids and the generation.
   */
  stableGroupOfTwo(): { a: string; b: string; generation: number } {
    const a = this.joinNew('A')
    const b = this.joinNew('B')
    this.advance(0) // the initial delayed join (delay 0 here) ends on its timer
    const generation = a.last.generationId
    const ids = { a: a.last.memberId, b: b.last.memberId }
    this.sync(ids.b, generation)
    this.sync(ids.a, generation, { [ids.a]: 'a', [ids.b]: 'b' })
    return { ...ids, generation }
  }
}
