// Static membership (KIP-345): a restarted instance takes its predecessor's place without a rebalance, the old
// member id is fenced, static members stay through rebalances until their session runs out, and leave by
// instance id. Also the membership check of offset commits.

import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { ErrorCode } from '@samsa/protocol'
import { Harness, REBALANCE_MS, SESSION_MS } from './classic-harness.ts'

/** Two static members, i-a (leader) and i-b, Stable in generation 1 with assignments "a" and "b". */
function stableStaticGroup(h: Harness): { a: string; b: string } {
  const a = h.join({ clientId: 'A', groupInstanceId: 'i-a' })
  const b = h.join({ clientId: 'B', groupInstanceId: 'i-b' })
  h.advance(0)
  const ids = { a: a.last.memberId, b: b.last.memberId }
  assert.match(ids.a, /^i-a-/, 'static members are named after their instance id')
  h.sync(ids.a, 1, { [ids.a]: 'a', [ids.b]: 'b' })
  h.sync(ids.b, 1)
  assert.equal(h.state(), 'Stable')
  return ids
}

describe('classic groups: static membership', () => {
  test('a restarted static member takes its place without a rebalance; its old id is fenced', () => {
    const h = new Harness()
    const { a, b } = stableStaticGroup(h)
    const recordsBefore = h.log.length

    const restarted = h.join({ clientId: 'A2', groupInstanceId: 'i-a' })
    const res = restarted.last
    assert.equal(res.errorCode, ErrorCode.NONE, 'no MEMBER_ID_REQUIRED for a static member')
    assert.notEqual(res.memberId, a)
    assert.equal(res.generationId, 1, 'same generation: no rebalance')
    assert.equal(res.leader, res.memberId, 'leadership moves to the new member id')
    assert.equal(res.skipAssignment, false)
    assert.deepEqual(res.members, [])
    assert.equal(h.state(), 'Stable')
    assert.equal(h.log.length, recordsBefore + 1, 'the new member id is written down')
    assert.deepEqual(
      h.lastGroupMetadata()?.members.map((m) => [m.memberId, m.groupInstanceId, m.clientId]),
      [
        [b, 'i-b', 'B'],
        [res.memberId, 'i-a', 'A2'],
      ],
    )

    assert.equal(h.heartbeat(b, 1, 'i-b'), ErrorCode.NONE, 'the other member notices nothing')
    const sync = h.sync(res.memberId, 1, {}, { groupInstanceId: 'i-a' })
    assert.equal(sync.last.assignment.toString(), 'a', "the predecessor's assignment")

    // The old instance, if it is still around, is fenced everywhere.
    assert.equal(h.heartbeat(a, 1, 'i-a'), ErrorCode.FENCED_INSTANCE_ID)
    assert.equal(h.sync(a, 1, {}, { groupInstanceId: 'i-a' }).last.errorCode, ErrorCode.FENCED_INSTANCE_ID)
    assert.equal(h.join({ memberId: a, groupInstanceId: 'i-a' }).last.errorCode, ErrorCode.FENCED_INSTANCE_ID)
    assert.equal(h.groups.validateOffsetCommit('g', a, 'i-a', 1), ErrorCode.FENCED_INSTANCE_ID)
    assert.deepEqual(h.leaveBatch([{ memberId: a, groupInstanceId: 'i-a' }]), [ErrorCode.FENCED_INSTANCE_ID])
    assert.equal(h.state(), 'Stable')
  })

  test('a restarted static member that changes the group protocol causes a rebalance', () => {
    const h = new Harness()
    const both = [{ name: 'range' }, { name: 'roundrobin' }]
    const a = h.join({ clientId: 'A', groupInstanceId: 'i-a', protocols: both })
    const b = h.join({ clientId: 'B', groupInstanceId: 'i-b', protocols: both })
    h.advance(0)
    h.sync(a.last.memberId, 1, {})
    assert.equal(a.last.protocolName, 'range')

    // One vote each for range and roundrobin: the tie goes to the earliest member's preference (B's range).
    const same = h.join({
      clientId: 'A',
      groupInstanceId: 'i-a',
      protocols: [{ name: 'roundrobin' }, { name: 'range' }],
    })
    assert.equal(same.last.generationId, 1, 'range stays the choice: no rebalance')
    const changed = h.join({ clientId: 'A', groupInstanceId: 'i-a', protocols: [{ name: 'roundrobin' }] })
    assert.equal(changed.answered, false)
    assert.equal(h.state(), 'PreparingRebalance')
    const bJoin = h.join({ clientId: 'B', memberId: b.last.memberId, groupInstanceId: 'i-b', protocols: both })
    assert.equal(bJoin.last.generationId, 2)
    assert.equal(changed.last.protocolName, 'roundrobin')
  })

  test('a static member replaced while parked in JoinGroup: the old request is answered FENCED_INSTANCE_ID', () => {
    const h = new Harness()
    const { a, b } = stableStaticGroup(h)
    const oldJoin = h.join({ memberId: a, groupInstanceId: 'i-a' }) // the leader rejoins: rebalance
    assert.equal(oldJoin.answered, false)
    const newJoin = h.join({ clientId: 'A2', groupInstanceId: 'i-a' })
    assert.equal(oldJoin.last.errorCode, ErrorCode.FENCED_INSTANCE_ID)
    assert.equal(newJoin.answered, false)
    h.join({ memberId: b, groupInstanceId: 'i-b' })
    assert.equal(newJoin.last.generationId, 2)
    assert.equal(newJoin.last.leader, newJoin.last.memberId)
  })

  test('static members that do not rejoin keep their place through the rebalance (KIP-345)', () => {
    const h = new Harness()
    const { a, b } = stableStaticGroup(h)
    const aJoin = h.join({ memberId: a, groupInstanceId: 'i-a' })
    // B keeps heartbeating but does not rejoin within the rebalance timeout.
    for (let t = 0; t < REBALANCE_MS; t += SESSION_MS / 2) {
      h.heartbeat(b, 1, 'i-b')
      h.advance(SESSION_MS / 2)
    }
    assert.equal(aJoin.last.generationId, 2)
    assert.deepEqual(
      aJoin.last.members.map((m) => m.groupInstanceId),
      ['i-a', 'i-b'],
    )
  })

  test('LeaveGroup v3+ removes static members by instance id, each with its own result', () => {
    const h = new Harness()
    const { a } = stableStaticGroup(h)
    const results = h.leaveBatch([
      { groupInstanceId: 'i-b' },
      { groupInstanceId: 'i-unknown' },
      { memberId: 'nobody' },
      { memberId: a, groupInstanceId: 'i-a' },
    ])
    assert.deepEqual(results, [
      ErrorCode.NONE,
      ErrorCode.UNKNOWN_MEMBER_ID,
      ErrorCode.UNKNOWN_MEMBER_ID,
      ErrorCode.NONE,
    ])
    assert.equal(h.state(), 'Empty')
    assert.deepEqual(h.lastGroupMetadata()?.members, [])
  })
})

describe('classic groups: offset commit validation', () => {
  test('as Kafka: simple commits to Empty groups, members of the current generation, not mid-sync', () => {
    const h = new Harness()
    const check = (memberId: string, instance: string | null, gen: number, transactional = false) =>
      h.groups.validateOffsetCommit('g', memberId, instance, gen, transactional)
    assert.equal(check('', null, -1), ErrorCode.NONE, 'an unknown group takes a simple commit')
    assert.equal(check('m', null, 3), ErrorCode.ILLEGAL_GENERATION)
    h.groups.ensureSimpleGroup('g')
    assert.equal(check('', null, -1), ErrorCode.NONE)
    assert.equal(check('m', null, 0), ErrorCode.UNKNOWN_MEMBER_ID)

    const a = h.joinNew('A')
    const b = h.joinNew('B')
    assert.equal(check('', null, -1), ErrorCode.UNKNOWN_MEMBER_ID, 'no simple commits once the group has members')
    assert.equal(check('', null, -1, true), ErrorCode.NONE, 'old TxnOffsetCommit versions carry no member')
    h.advance(0)
    const gen = a.last.generationId
    assert.equal(check(a.last.memberId, null, gen), ErrorCode.REBALANCE_IN_PROGRESS, 'joined but not synced')
    assert.equal(check(a.last.memberId, null, gen, true), ErrorCode.NONE)
    h.sync(a.last.memberId, gen, {})
    assert.equal(check(a.last.memberId, null, gen), ErrorCode.NONE)
    assert.equal(check(b.last.memberId, null, gen - 1), ErrorCode.ILLEGAL_GENERATION)
    assert.equal(check('stranger', null, gen), ErrorCode.UNKNOWN_MEMBER_ID)
    h.join({ clientId: 'A', memberId: a.last.memberId })
    assert.equal(
      check(b.last.memberId, null, gen),
      ErrorCode.NONE,
      'commits of the current generation are fine mid join',
    )
  })
})
