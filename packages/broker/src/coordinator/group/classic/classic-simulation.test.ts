// Random sessions of four clients (two static, two dynamic) that join, sync, heartbeat, leave and go silent in
// any order, checked after every step against what must always hold: a parked request is answered at most once
// and, given time, always; and whenever the group is Stable or has emptied, a coordinator that replays the
// records written so far describes the group exactly as the live one does.

import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import fc from 'fast-check'
import { ErrorCode, type JoinGroupResponse } from '@samsa/protocol'
import type { GroupRecord } from '../types.ts'
import { Harness } from './classic-harness.ts'

type Op =
  | { kind: 'join'; slot: number; protocol: number; version: number }
  | { kind: 'sync'; slot: number }
  | { kind: 'heartbeat'; slot: number }
  | { kind: 'leave'; slot: number; batched: boolean }
  | { kind: 'restart'; slot: number }
  | { kind: 'advance'; ms: number }

const slot = fc.integer({ min: 0, max: 3 })
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constant('join' as const),
    slot,
    protocol: fc.integer({ min: 0, max: 2 }),
    version: fc.constantFrom(3, 5, 7),
  }),
  fc.record({ kind: fc.constant('sync' as const), slot }),
  fc.record({ kind: fc.constant('heartbeat' as const), slot }),
  fc.record({ kind: fc.constant('leave' as const), slot, batched: fc.boolean() }),
  fc.record({ kind: fc.constant('restart' as const), slot }),
  fc.record({ kind: fc.constant('advance' as const), ms: fc.constantFrom(0, 1000, 6000, 11000, 31000) }),
)

/** Protocol offers: every variant shares "range", so joins are rarely refused, but the choice can move. */
const OFFERS = [
  [{ name: 'range' }],
  [{ name: 'roundrobin' }, { name: 'range' }],
  [{ name: 'range' }, { name: 'sticky' }],
]

interface Client {
  instanceId: string | null
  memberId: string
  generation: number
  /** The members of the last JoinGroup answer that made this client leader. */
  led: string[]
}

function replayed(log: readonly GroupRecord[]): Harness {
  const fresh = new Harness()
  for (const record of log) if (record.type === 'groupMetadata') fresh.groups.replay(record)
  return fresh
}

const seen = new Set<string>()

function run(ops: readonly Op[]): void {
  const h = new Harness({ 'group.initial.rebalance.delay.ms': 3000 })
  const clients: Client[] = [0, 1, 2, 3].map((i) => ({
    instanceId: i < 2 ? `static-${i}` : null,
    memberId: '',
    generation: -1,
    led: [],
  }))
  const parked: { all: readonly unknown[] }[] = []
  const onJoin = (client: Client) => (res: JoinGroupResponse) => {
    if (res.errorCode === ErrorCode.NONE || res.errorCode === ErrorCode.MEMBER_ID_REQUIRED) {
      client.memberId = res.memberId
    } else if (res.errorCode === ErrorCode.UNKNOWN_MEMBER_ID || res.errorCode === ErrorCode.FENCED_INSTANCE_ID) {
      client.memberId = ''
    }
    if (res.errorCode === ErrorCode.NONE) {
      client.generation = res.generationId
      client.led = res.leader === res.memberId ? res.members.map((m) => m.memberId) : []
    }
  }

  const join = (client: Client, offer: number, version: number) =>
    h.join(
      {
        clientId: `c${clients.indexOf(client)}`,
        memberId: client.memberId,
        groupInstanceId: client.instanceId,
        protocols: OFFERS[offer],
        version,
      },
      onJoin(client),
    )

  for (const step of ops) {
    const client = step.kind === 'advance' ? undefined : clients[step.slot]
    switch (step.kind) {
      case 'advance':
        h.advance(step.ms)
        break
      case 'restart':
        // The process restarts: a static member comes back with its instance id only, a dynamic one from scratch.
        if (!client) break
        Object.assign(client, { memberId: '', generation: -1, led: [] })
        parked.push(join(client, 0, 5))
        break
      case 'join':
        if (client) parked.push(join(client, step.protocol, step.version))
        break
      case 'sync': {
        if (!client) break
        const assignments = Object.fromEntries(client.led.map((id) => [id, `${client.generation}:${id}`]))
        const answer = h.sync(client.memberId, client.generation, assignments, { groupInstanceId: client.instanceId })
        parked.push(answer)
        break
      }
      case 'heartbeat':
        if (client) h.heartbeat(client.memberId, client.generation, client.instanceId)
        break
      case 'leave':
        if (!client) break
        if (step.batched) h.leaveBatch([{ memberId: client.memberId, groupInstanceId: client.instanceId }])
        else h.leave(client.memberId)
        break
    }

    for (const answer of parked) assert.ok(answer.all.length <= 1, 'a request is answered at most once')
    const state = h.state()
    const written = h.log.some((r) => r.type === 'groupMetadata')
    seen.add(state)
    if (state === 'Stable' || (state === 'Empty' && written)) {
      assert.deepEqual(replayed(h.log).groups.describe('g'), h.groups.describe('g'))
    }
  }
  // Given time, every parked request gets its answer (new members wait at most the 5-minute join timeout).
  h.advance(10 * 60 * 1000)
  for (const answer of parked) assert.equal(answer.all.length, 1, 'every request is answered, in time')
}

describe('classic groups: random sessions', () => {
  test('answers once, always answers, and replays to the same group', () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 60 }), (ops) => run(ops)),
      { numRuns: 300, seed: 20261125 },
    )
    // The sessions do reach every state (the checks above are not vacuous).
    assert.deepEqual([...seen].sort(), ['CompletingRebalance', 'Dead', 'Empty', 'PreparingRebalance', 'Stable'])
  })
})
