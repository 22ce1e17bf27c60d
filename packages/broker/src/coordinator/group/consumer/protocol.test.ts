// A randomized simulation of KIP-848 with well-behaved clients (joins, heartbeats, leaves, static leaves,
// silences long enough for sessions to expire), checking after every step the protocol's safety property: no
// two members of the group own the same partition at the same time, on the clients' side. At the end, once
// everyone heartbeats for a while, the group must be Stable with every partition owned exactly once, and a
// reload from the records must describe the same group.

import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import { ErrorCode } from '@samsa/protocol'
import { Client, Coordinator } from './consumer-harness.ts'

type Step =
  | { kind: 'join'; client: number }
  | { kind: 'beat'; client: number }
  | { kind: 'leave'; client: number }
  | { kind: 'staticLeave'; client: number }
  | { kind: 'silence' }

const CLIENTS = 4
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('join' as const), client: fc.nat(CLIENTS - 1) }) },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('beat' as const), client: fc.nat(CLIENTS - 1) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('leave' as const), client: fc.nat(CLIENTS - 1) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('staticLeave' as const), client: fc.nat(CLIENTS - 1) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'silence' as const }) },
)

/** Client i is static when i is odd; static clients come back under a new member id, like a restarted process. */
class Simulated {
  client: Client | undefined
  private incarnation = 0
  readonly coordinator: Coordinator
  readonly index: number
  readonly assignor: string

  constructor(coordinator: Coordinator, index: number, assignor: string) {
    this.coordinator = coordinator
    this.index = index
    this.assignor = assignor
  }

  get isStatic(): boolean {
    return this.index % 2 === 1
  }

  join(): void {
    if (this.client !== undefined) return
    const id = `c${this.index}-${++this.incarnation}`
    const options = { serverAssignor: this.assignor, ...(this.isStatic ? { instanceId: `i${this.index}` } : {}) }
    this.client = new Client(this.coordinator, id, options)
    const res = this.client.join({ topics: ['a', 'b'] })
    if (res.errorCode !== ErrorCode.NONE) this.client = undefined
  }

  beat(): void {
    if (this.client === undefined) return
    // A fenced or expired client gives up its partitions, as the real consumer does, and joins again later.
    if (this.client.beat().errorCode !== ErrorCode.NONE) this.client = undefined
  }

  leave(epoch: -1 | -2): void {
    if (this.client === undefined || (epoch === -2 && !this.isStatic)) return
    this.client.leave(epoch)
    this.client = undefined
  }
}

function assertNoDoubleOwnership(c: Coordinator, sims: readonly Simulated[]): void {
  const [group] = c.groups.describe(['g'], false)
  const alive = new Set(group?.members.filter((m) => m.memberEpoch >= 0).map((m) => m.memberId))
  const owners = new Map<string, string>()
  for (const sim of sims) {
    const client = sim.client
    if (client === undefined || !alive.has(client.memberId)) continue
    for (const { topicId, partitions } of client.owned) {
      for (const p of partitions) {
        const key = `${topicId}:${p}`
        const other = owners.get(key)
        assert.equal(other, undefined, `${key} owned by both ${other} and ${client.memberId}`)
        owners.set(key, client.memberId)
      }
    }
  }
}

for (const assignor of ['uniform', 'range']) {
  test(`${assignor}: random joins, heartbeats, leaves and expiries never give a partition to two members`, () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 60 }), (steps) => {
        const c = new Coordinator({ ...new Coordinator().configs, 'group.consumer.max.size': 10 })
        c.topics.create('a', 5)
        c.topics.create('b', 3)
        const sims = Array.from({ length: CLIENTS }, (_, i) => new Simulated(c, i, assignor))
        for (const s of steps) {
          if (s.kind === 'silence') c.advance(45_000)
          else if (s.kind === 'join') sims[s.client]?.join()
          else if (s.kind === 'beat') sims[s.client]?.beat()
          else sims[s.client]?.leave(s.kind === 'leave' ? -1 : -2)
          assertNoDoubleOwnership(c, sims)
        }
        // Everyone comes back and heartbeats until things settle.
        for (let round = 0; round < 6; round++) {
          for (const sim of sims) {
            sim.join()
            sim.beat()
            assertNoDoubleOwnership(c, sims)
          }
        }
        const [group] = c.groups.describe(['g'], false)
        assert.equal(group?.groupState, 'Stable')
        const owned = sims.flatMap((s) => s.client?.owned ?? []).reduce((n, t) => n + t.partitions.length, 0)
        assert.equal(owned, 8)
        assert.deepEqual(c.reloaded().describe(['g'], false), c.groups.describe(['g'], false))
      }),
      { numRuns: 100 },
    )
  })
}
