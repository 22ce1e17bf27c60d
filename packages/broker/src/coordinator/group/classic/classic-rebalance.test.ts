// Rebalances driven by time and departures: LeaveGroup, leader change, session expiry, the rebalance timeout for
// members that do not rejoin or do not sync, and the initial rebalance delay of a group leaving Empty.

import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { ErrorCode } from '@samsa/protocol'
import { Harness, REBALANCE_MS, SESSION_MS } from './classic-harness.ts'

describe('classic groups: rebalances', () => {
  test('a follower leaving makes the others rejoin into a new generation', () => {
    const h = new Harness()
    const { a, b, generation } = h.stableGroupOfTwo()
    assert.equal(h.leave(b), ErrorCode.NONE)
    assert.equal(h.state(), 'PreparingRebalance')
    assert.equal(h.heartbeat(a, generation), ErrorCode.REBALANCE_IN_PROGRESS)
    assert.equal(h.heartbeat(b, generation), ErrorCode.UNKNOWN_MEMBER_ID)
    const aJoin = h.join({ clientId: 'A', memberId: a })
    assert.equal(aJoin.last.generationId, generation + 1, 'the only member left has rejoined: no waiting')
    assert.deepEqual(
      aJoin.last.members.map((m) => m.memberId),
      [a],
    )
    assert.equal(h.leave(b), ErrorCode.UNKNOWN_MEMBER_ID)
    assert.equal(h.leave(a, 'nope'), ErrorCode.UNKNOWN_MEMBER_ID)
  })

  test('the leader leaving hands leadership to the next member that rejoins', () => {
    const h = new Harness()
    const { a, b, generation } = h.stableGroupOfTwo()
    const c = h.joinNew('C')
    const bJoin = h.join({ clientId: 'B', memberId: b })
    h.join({ clientId: 'A', memberId: a })
    assert.equal(c.last.leader, a, 'the leader is kept across rebalances while it is a member')
    h.sync(a, generation + 1, {})

    h.leave(a)
    const cAgain = h.join({ clientId: 'C', memberId: c.last.memberId })
    const bAgain = h.join({ clientId: 'B', memberId: b })
    assert.equal(bJoin.last.leader, a)
    assert.equal(bAgain.last.leader, b, 'B joined the group before C, so it is next in line')
    assert.equal(cAgain.last.leader, b)
    assert.equal(bAgain.last.members.length, 2)
    assert.equal(cAgain.last.members.length, 0)
  })

  test('a leader that does not rejoin in time is replaced by one that did', () => {
    const h = new Harness()
    const { a, b, generation } = h.stableGroupOfTwo()
    h.join({ clientId: 'B', memberId: b, protocols: [{ name: 'range', metadata: Buffer.from('new topics') }] })
    assert.equal(h.state(), 'PreparingRebalance', 'a changed subscription starts a rebalance')
    // A keeps heartbeating (so its session stays alive) but never rejoins.
    for (let t = 0; t < REBALANCE_MS; t += SESSION_MS / 2) {
      assert.equal(h.heartbeat(a, generation), ErrorCode.REBALANCE_IN_PROGRESS)
      h.advance(SESSION_MS / 2)
    }
    const d = h.groups.describe('g')
    assert.deepEqual(
      d.members.map((m) => m.memberId),
      [b],
    )
    assert.equal(h.heartbeat(a, generation), ErrorCode.UNKNOWN_MEMBER_ID)
    assert.equal(h.state(), 'CompletingRebalance')
  })

  test('the rebalance timeout removes a member that does not rejoin; the others get their answer then', () => {
    const h = new Harness()
    const { a, b, generation } = h.stableGroupOfTwo()
    const aJoin = h.join({ clientId: 'A', memberId: a })
    // B stays alive (heartbeats) but does not rejoin.
    for (let t = 0; t < REBALANCE_MS - 1; t += SESSION_MS / 2) {
      assert.equal(h.heartbeat(b, generation), ErrorCode.REBALANCE_IN_PROGRESS)
      h.advance(Math.min(SESSION_MS / 2, REBALANCE_MS - 1 - t))
    }
    assert.equal(aJoin.answered, false)
    h.advance(1)
    assert.equal(aJoin.last.generationId, generation + 1)
    assert.deepEqual(
      aJoin.last.members.map((m) => m.memberId),
      [a],
    )
  })

  test('session expiry removes a silent member and starts a rebalance', () => {
    const h = new Harness()
    const { a, b, generation } = h.stableGroupOfTwo()
    h.advance(SESSION_MS / 2)
    assert.equal(h.heartbeat(a, generation), ErrorCode.NONE)
    h.advance(SESSION_MS / 2)
    assert.equal(h.state(), 'PreparingRebalance', "B's session ran out")
    assert.equal(h.heartbeat(b, generation), ErrorCode.UNKNOWN_MEMBER_ID)
    assert.equal(h.heartbeat(a, generation), ErrorCode.REBALANCE_IN_PROGRESS)
    const aJoin = h.join({ clientId: 'A', memberId: a })
    assert.equal(aJoin.last.generationId, generation + 1)

    // When the last member's session runs out, the group empties and says so in a record.
    h.sync(a, generation + 1, {})
    h.advance(SESSION_MS)
    assert.equal(h.state(), 'Empty')
    assert.deepEqual(h.lastGroupMetadata()?.members, [])
    assert.equal(h.lastGroupMetadata()?.generation, generation + 2)
  })

  test('a member parked in JoinGroup outlives its session; one that never gets an answer does not', () => {
    const h = new Harness()
    const { a, b } = h.stableGroupOfTwo()
    const aJoin = h.join({ clientId: 'A', memberId: a })
    // B heartbeats through the whole rebalance timeout, A's parked JoinGroup keeps it alive.
    for (let t = 0; t < REBALANCE_MS; t += SESSION_MS / 2) {
      h.heartbeat(b, 1)
      h.advance(SESSION_MS / 2)
    }
    assert.equal(aJoin.last.errorCode, ErrorCode.NONE)
    assert.equal(aJoin.last.generationId, 2)
  })

  test('members that do not send SyncGroup within the rebalance timeout are removed and the group rebalances', () => {
    const h = new Harness()
    const a = h.joinNew('A')
    const b = h.joinNew('B')
    h.advance(0)
    const gen = a.last.generationId
    const ids = { a: a.last.memberId, b: b.last.memberId }
    h.sync(ids.a, gen, { [ids.a]: 'a', [ids.b]: 'b' })
    assert.equal(h.state(), 'Stable')
    // B heartbeats but never syncs.
    for (let t = 0; t < REBALANCE_MS; t += SESSION_MS / 2) {
      assert.equal(h.heartbeat(ids.b, gen), t < REBALANCE_MS ? ErrorCode.NONE : ErrorCode.UNKNOWN_MEMBER_ID)
      assert.equal(h.heartbeat(ids.a, gen), ErrorCode.NONE)
      h.advance(SESSION_MS / 2)
    }
    assert.equal(h.state(), 'PreparingRebalance')
    assert.equal(h.heartbeat(ids.b, gen), ErrorCode.UNKNOWN_MEMBER_ID)
    assert.equal(h.join({ clientId: 'A', memberId: ids.a }).last.generationId, gen + 1)
  })

  test('followers waiting for a leader that never syncs are told to rejoin', () => {
    const h = new Harness()
    const a = h.joinNew('A')
    const b = h.joinNew('B')
    h.advance(0)
    const bSync = h.sync(b.last.memberId, b.last.generationId)
    // The leader heartbeats, so only the missing SyncGroup counts against it.
    for (let t = 0; t < REBALANCE_MS; t += SESSION_MS / 2) {
      assert.equal(bSync.answered, false)
      h.heartbeat(a.last.memberId, a.last.generationId)
      h.advance(SESSION_MS / 2)
    }
    assert.equal(bSync.last.errorCode, ErrorCode.REBALANCE_IN_PROGRESS)
    assert.equal(h.state(), 'PreparingRebalance')
    assert.equal(h.heartbeat(a.last.memberId, a.last.generationId), ErrorCode.UNKNOWN_MEMBER_ID)
  })

  test('the initial rebalance delay waits for latecomers, one delay at a time, up to the rebalance timeout', () => {
    const delay = 3000
    const h = new Harness({ 'group.initial.rebalance.delay.ms': delay })
    const rebalanceTimeoutMs = 10000
    const join = (clientId: string) => h.join({ clientId, version: 3, rebalanceTimeoutMs })
    const first = join('A')
    h.advance(1000)
    join('B') // during the first delay: one more delay after it ends (at 3000, then 6000)
    h.advance(3000)
    join('C') // at 4000: again (to 9000, the delay now capped by what is left of the rebalance timeout)
    h.advance(3000)
    join('D') // at 7000: again, but only 1000 ms are left (to 10000)
    h.advance(2500)
    const last = join('E') // at 9500
    h.advance(499)
    assert.equal(first.answered, false)
    h.advance(1)
    assert.equal(h.now, rebalanceTimeoutMs)
    assert.equal(first.last.generationId, 1)
    assert.equal(first.last.members.length, 5)
    assert.equal(last.last.errorCode, ErrorCode.NONE)
  })

  test('without latecomers the initial delayed join ends after one delay', () => {
    const h = new Harness({ 'group.initial.rebalance.delay.ms': 3000 })
    const a = h.joinNew('A')
    h.advance(2999)
    assert.equal(a.answered, false, 'a lone member still waits out the delay')
    h.advance(1)
    assert.equal(a.last.generationId, 1)
  })
})
