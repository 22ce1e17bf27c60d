// The classic group manager through whole client sessions: join, sync, heartbeat, the errors of each, protocol
// selection, group.max.size, DeleteGroups and ListGroups.

import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { ConsumerProtocolSubscription, ErrorCode, JoinGroup, SyncGroup, encodeVersioned } from '@samsa/protocol'
import { Harness, SESSION_MS } from './classic-harness.ts'

describe('classic groups: join, sync, heartbeat', () => {
  test('two members join, the first leads and gets every member, both sync and heartbeat', () => {
    const h = new Harness()
    const a = h.joinNew('A')
    const b = h.joinNew('B')
    assert.equal(a.answered, false, 'the initial delayed join holds the JoinGroup')
    assert.equal(h.state(), 'PreparingRebalance')
    h.advance(0)

    assert.equal(a.last.errorCode, ErrorCode.NONE)
    assert.equal(b.last.errorCode, ErrorCode.NONE)
    assert.equal(a.last.generationId, 1)
    assert.equal(b.last.generationId, 1)
    assert.equal(a.last.leader, a.last.memberId)
    assert.equal(b.last.leader, a.last.memberId)
    assert.equal(a.last.protocolName, 'range')
    assert.equal(a.last.protocolType, 'consumer')
    assert.equal(a.last.skipAssignment, false)
    assert.deepEqual(
      a.last.members.map((m) => [m.memberId, m.metadata.toString()]),
      [
        [a.last.memberId, 'A:range'],
        [b.last.memberId, 'B:range'],
      ],
    )
    assert.deepEqual(b.last.members, [])
    assert.equal(h.state(), 'CompletingRebalance')

    const gen = a.last.generationId
    const bSync = h.sync(b.last.memberId, gen)
    assert.equal(bSync.answered, false, 'a follower waits for its leader')

    // The leader's sync: the GroupMetadata record comes first, the answers only once it is durable.
    const aSync = h.sync(a.last.memberId, gen, { [a.last.memberId]: 'to-a', [b.last.memberId]: 'to-b' })
    assert.equal(aSync.last.errorCode, ErrorCode.NONE)
    assert.equal(aSync.last.assignment.toString(), 'to-a')
    assert.equal(bSync.last.assignment.toString(), 'to-b')
    assert.equal(aSync.last.protocolName, 'range')
    assert.equal(h.state(), 'Stable')
    const record = h.lastGroupMetadata()
    assert.equal(record?.generation, 1)
    assert.deepEqual(
      record?.members.map((m) => [m.memberId, m.subscription.toString(), m.assignment.toString()]),
      [
        [a.last.memberId, 'A:range', 'to-a'],
        [b.last.memberId, 'B:range', 'to-b'],
      ],
    )

    assert.equal(h.heartbeat(a.last.memberId, gen), ErrorCode.NONE)
    assert.equal(h.heartbeat(b.last.memberId, gen), ErrorCode.NONE)
    // A follower that syncs late gets the stored assignment at once.
    assert.equal(h.sync(b.last.memberId, gen).last.assignment.toString(), 'to-b')
  })

  test('replies to the leader and followers are deliveries of the result, after its record', () => {
    const h = new Harness()
    const a = h.joinNew('A')
    const b = h.joinNew('B')
    h.advance(0)
    const gen = a.last.generationId
    const bSync = h.sync(b.last.memberId, gen)
    const replies: string[] = []
    const req = SyncGroup.request.make({
      groupId: 'g',
      memberId: a.last.memberId,
      generationId: gen,
      assignments: [{ memberId: b.last.memberId, assignment: Buffer.from('x') }],
    })
    const result = h.groups.sync(req, 3, h.now, () => replies.push('leader'))
    assert.equal(result.records.length, 1)
    assert.equal(replies.length, 0)
    assert.equal(bSync.answered, false)
    h.apply(result)
    assert.deepEqual(replies, ['leader'])
    assert.equal(bSync.last.assignment.toString(), 'x')
  })

  test('JoinGroup v4+ with no member id answers MEMBER_ID_REQUIRED and adds the member only when it returns', () => {
    const h = new Harness()
    const first = h.join({ clientId: 'consumer-1', version: 4 })
    assert.equal(first.last.errorCode, ErrorCode.MEMBER_ID_REQUIRED)
    assert.match(first.last.memberId, /^consumer-1-[0-9a-f-]{36}$/)
    assert.equal(h.groups.describe('g').members.length, 0)

    // The handed-out id is forgotten if its owner does not come back within the session timeout.
    h.advance(SESSION_MS)
    const late = h.join({ clientId: 'consumer-1', memberId: first.last.memberId, version: 4 })
    assert.equal(late.last.errorCode, ErrorCode.UNKNOWN_MEMBER_ID)

    // Before v4 the member is added straight away.
    const old = h.join({ clientId: 'old', version: 3 })
    assert.equal(old.answered, false)
    assert.equal(h.groups.describe('g').members.length, 1)
    h.advance(0)
    assert.equal(old.last.errorCode, ErrorCode.NONE)
    assert.match(old.last.memberId, /^old-/)
  })

  test('a pending member id holds the rebalance until it rejoins', () => {
    const h = new Harness()
    const { a, b, generation } = h.stableGroupOfTwo()
    const c = h.join({ clientId: 'C' })
    assert.equal(c.last.errorCode, ErrorCode.MEMBER_ID_REQUIRED)
    const aJoin = h.join({ clientId: 'A', memberId: a }) // the leader rejoining starts a rebalance
    const bJoin = h.join({ clientId: 'B', memberId: b })
    assert.equal(aJoin.answered, false, 'C has an id but has not rejoined with it')
    const cJoin = h.join({ clientId: 'C', memberId: c.last.memberId })
    assert.equal(aJoin.last.generationId, generation + 1)
    assert.equal(cJoin.last.generationId, generation + 1)
    assert.equal(bJoin.last.members.length, 0)
    assert.equal(aJoin.last.members.length, 3)
  })

  test('errors of SyncGroup and Heartbeat: generation, member, rebalance, protocol', () => {
    const h = new Harness()
    const { a, b, generation } = h.stableGroupOfTwo()
    assert.equal(h.heartbeat(a, generation + 1), ErrorCode.ILLEGAL_GENERATION)
    assert.equal(h.heartbeat('nobody', generation), ErrorCode.UNKNOWN_MEMBER_ID)
    assert.equal(h.heartbeat(a, generation, null, 'other-group'), ErrorCode.UNKNOWN_MEMBER_ID)
    assert.equal(h.sync(a, generation - 1).last.errorCode, ErrorCode.ILLEGAL_GENERATION)
    assert.equal(h.sync('nobody', generation).last.errorCode, ErrorCode.UNKNOWN_MEMBER_ID)
    assert.equal(h.sync(a, generation, {}, { groupId: 'other' }).last.errorCode, ErrorCode.UNKNOWN_MEMBER_ID)
    // SyncGroup v5 names the protocol the member thinks it is in (KIP-559).
    const wrong = h.sync(b, generation, {}, { protocolName: 'roundrobin' })
    assert.equal(wrong.last.errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL)

    h.join({ clientId: 'A', memberId: a }) // the leader rejoins: a rebalance starts
    assert.equal(h.heartbeat(b, generation), ErrorCode.REBALANCE_IN_PROGRESS)
    assert.equal(h.sync(b, generation).last.errorCode, ErrorCode.REBALANCE_IN_PROGRESS)
  })

  test('errors of JoinGroup: session timeout bounds, protocol type, unknown ids', () => {
    const h = new Harness()
    assert.equal(h.join({ sessionTimeoutMs: 5999 }).last.errorCode, ErrorCode.INVALID_SESSION_TIMEOUT)
    assert.equal(h.join({ sessionTimeoutMs: 300001 }).last.errorCode, ErrorCode.INVALID_SESSION_TIMEOUT)
    assert.equal(h.join({ groupId: '' }).last.errorCode, ErrorCode.INVALID_GROUP_ID)
    assert.equal(h.join({ memberId: 'made-up' }).last.errorCode, ErrorCode.UNKNOWN_MEMBER_ID)
    assert.equal(h.groups.has('g'), false, 'a refused join creates no group')
    assert.equal(h.join({ protocols: [] }).last.errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL)

    const { a, generation } = h.stableGroupOfTwo()
    const other = h.join({ clientId: 'X', protocolType: 'connect' })
    assert.equal(other.last.errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL)
    assert.equal(h.join({ memberId: 'made-up' }).last.errorCode, ErrorCode.UNKNOWN_MEMBER_ID)
    assert.equal(h.state(), 'Stable')
    // A follower rejoining with unchanged metadata in a Stable group just gets the current generation back.
    const again = h.join({ clientId: 'B', memberId: h.groups.describe('g').members[1]?.memberId ?? '' })
    assert.equal(again.last.generationId, generation)
    assert.equal(again.last.leader, a)
    assert.equal(h.state(), 'Stable')
  })

  test('protocol selection: the most preferred among those every member supports', () => {
    const h = new Harness()
    const a = h.joinNew('A', { protocols: [{ name: 'roundrobin' }, { name: 'range' }] })
    const b = h.joinNew('B', { protocols: [{ name: 'range' }, { name: 'roundrobin' }] })
    const c = h.joinNew('C', { protocols: [{ name: 'roundrobin' }, { name: 'range' }, { name: 'sticky' }] })
    const d = h.join({ clientId: 'D', protocols: [{ name: 'sticky' }] })
    assert.equal(d.last.errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL, 'nobody else supports sticky')
    h.advance(0)
    assert.equal(a.last.protocolName, 'roundrobin', 'A and C vote roundrobin, B votes range')
    assert.equal(b.last.protocolName, 'roundrobin')
    assert.deepEqual(
      a.last.members.map((m) => m.metadata.toString()),
      ['A:roundrobin', 'B:roundrobin', 'C:roundrobin'],
      'the leader gets each member metadata for the chosen protocol',
    )
    assert.equal(c.last.errorCode, ErrorCode.NONE)
  })

  test('group.max.size turns newcomers away, not members', () => {
    const h = new Harness({ 'group.max.size': 2 })
    const { a, b, generation } = h.stableGroupOfTwo()
    const c = h.joinNew('C')
    assert.equal(c.last.errorCode, ErrorCode.GROUP_MAX_SIZE_REACHED)
    assert.equal(h.state(), 'Stable')

    // Mid rebalance too: the members that have not rejoined yet keep their places.
    const aJoin = h.join({ clientId: 'A', memberId: a })
    assert.equal(h.join({ clientId: 'D', version: 3 }).last.errorCode, ErrorCode.GROUP_MAX_SIZE_REACHED)
    const bJoin = h.join({ clientId: 'B', memberId: b })
    assert.equal(aJoin.last.generationId, generation + 1)
    assert.equal(bJoin.last.errorCode, ErrorCode.NONE)

    // A lowered limit trims the next generation, latest joiners first, never the leader.
    h.sync(a, generation + 1, {})
    h.configs['group.max.size'] = 1
    const aAgain = h.join({ clientId: 'A', memberId: a })
    const bAgain = h.join({ clientId: 'B', memberId: b })
    assert.equal(bAgain.last.errorCode, ErrorCode.GROUP_MAX_SIZE_REACHED)
    assert.deepEqual(
      aAgain.last.members.map((m) => m.memberId),
      [a],
    )
  })
})

describe('classic groups: describe, list, delete', () => {
  test('describe shows metadata and assignments once Stable; unknown groups are Dead', () => {
    const h = new Harness()
    const { a, b } = h.stableGroupOfTwo()
    const d = h.groups.describe('g')
    assert.equal(d.groupState, 'Stable')
    assert.equal(d.protocolType, 'consumer')
    assert.equal(d.protocolData, 'range')
    assert.deepEqual(
      d.members.map((m) => [m.memberId, m.clientId, m.memberMetadata.toString(), m.memberAssignment.toString()]),
      [
        [a, 'A', 'A:range', 'a'],
        [b, 'B', 'B:range', 'b'],
      ],
    )
    const dead = h.groups.describe('nope')
    assert.equal(dead.groupState, 'Dead')
    assert.equal(dead.errorCode, ErrorCode.NONE)
    assert.deepEqual(dead.members, [])

    h.join({ clientId: 'A', memberId: a })
    const rebalancing = h.groups.describe('g')
    assert.equal(rebalancing.protocolData, '')
    assert.equal(rebalancing.members[0]?.memberAssignment.length, 0)
  })

  test('list filters by state, case-insensitively', () => {
    const h = new Harness()
    h.stableGroupOfTwo()
    h.groups.ensureSimpleGroup('simple')
    h.groups.ensureSimpleGroup('simple')
    assert.deepEqual(
      h.groups.list([]).map((g) => [g.groupId, g.groupState, g.protocolType, g.groupType]),
      [
        ['g', 'Stable', 'consumer', 'classic'],
        ['simple', 'Empty', '', 'classic'],
      ],
    )
    assert.deepEqual(
      h.groups.list(['empty']).map((g) => g.groupId),
      ['simple'],
    )
    assert.deepEqual(h.groups.list(['Dead']), [])
  })

  test('delete: only an Empty group, by tombstone', () => {
    const h = new Harness()
    assert.equal(h.apply(h.groups.delete('g')), ErrorCode.GROUP_ID_NOT_FOUND)
    const { a, b, generation } = h.stableGroupOfTwo()
    assert.equal(h.apply(h.groups.delete('g')), ErrorCode.NON_EMPTY_GROUP)

    assert.equal(h.leave(a), ErrorCode.NONE)
    assert.equal(h.leave(b), ErrorCode.NONE)
    assert.equal(h.state(), 'Empty')
    const emptied = h.lastGroupMetadata()
    assert.equal(emptied?.generation, generation + 1, 'becoming Empty ends a generation')
    assert.deepEqual(emptied?.members, [])
    assert.equal(emptied?.protocol, null)

    const result = h.groups.delete('g')
    assert.deepEqual(result.records, [{ type: 'groupMetadata', key: { group: 'g' }, value: null }])
    assert.equal(h.apply(result), ErrorCode.NONE)
    assert.equal(h.groups.has('g'), false)
    assert.equal(h.state(), 'Dead')

    h.groups.ensureSimpleGroup('simple')
    assert.equal(h.apply(h.groups.delete('simple')), ErrorCode.NONE)
    assert.equal(h.groups.has('simple'), false)
  })

  test('JoinGroup errors carry a null protocol name from v7 (KIP-559), an empty one before', () => {
    const h = new Harness()
    assert.equal(h.join({ sessionTimeoutMs: 1, version: 7 }).last.protocolName, null)
    const old = h.join({ sessionTimeoutMs: 1, version: 6 }).last
    assert.deepEqual(old, { ...JoinGroup.response.make(), errorCode: ErrorCode.INVALID_SESSION_TIMEOUT })
  })

  test('an empty group id is INVALID_GROUP_ID everywhere', () => {
    const h = new Harness()
    assert.equal(h.join({ groupId: '' }).last.errorCode, ErrorCode.INVALID_GROUP_ID)
    assert.equal(h.sync('m', 1, {}, { groupId: '' }).last.errorCode, ErrorCode.INVALID_GROUP_ID)
    assert.equal(h.heartbeat('m', 1, null, ''), ErrorCode.INVALID_GROUP_ID)
    assert.equal(h.leave('m', ''), ErrorCode.INVALID_GROUP_ID)
  })

  test('JoinGroup v0 has no rebalance timeout: the session timeout stands in', () => {
    const h = new Harness()
    const v0 = { version: 0, rebalanceTimeoutMs: -1, sessionTimeoutMs: 7000 }
    const first = h.join({ ...v0, clientId: 'first' })
    h.advance(0)
    const id = first.last.memberId
    h.sync(id, 1, {})
    const second = h.join({ ...v0, clientId: 'second' })
    // The first member stays alive but does not rejoin: the join phase waits its 7 s, not 30.
    for (let t = 0; t < 6000; t += 3000) {
      assert.equal(h.heartbeat(id, 1), ErrorCode.REBALANCE_IN_PROGRESS)
      h.advance(3000)
    }
    h.advance(999)
    assert.equal(second.answered, false)
    h.advance(1)
    assert.equal(second.last.generationId, 2)
    assert.equal(second.last.leader, second.last.memberId)
  })

  test('unloading answers parked requests NOT_COORDINATOR and forgets the groups', () => {
    const h = new Harness()
    const a = h.joinNew('A')
    const b = h.joinNew('B')
    h.advance(0)
    const bSync = h.sync(b.last.memberId, 1)
    const c = h.join({ groupId: 'other', version: 3 })
    h.groups.onUnloaded()
    assert.equal(bSync.last.errorCode, ErrorCode.NOT_COORDINATOR)
    assert.equal(c.last.errorCode, ErrorCode.NOT_COORDINATOR)
    assert.equal(a.last.errorCode, ErrorCode.NONE)
    assert.deepEqual(h.groups.list([]), [])
    assert.equal(h.timers.pending.size, 0)
  })

  test('isSubscribedTo reads the consumer subscriptions; emptySince tells offset expiry when the group emptied', () => {
    const h = new Harness()
    const subscription = (...topics: string[]) =>
      encodeVersioned(ConsumerProtocolSubscription, 1, ConsumerProtocolSubscription.make({ topics }))
    const a = h.join({ clientId: 'A', version: 3, protocols: [{ name: 'range', metadata: subscription('t1') }] })
    const b = h.join({ clientId: 'B', version: 3, protocols: [{ name: 'range', metadata: subscription('t1', 't2') }] })
    assert.equal(h.groups.isSubscribedTo('g', 't1'), false, 'no protocol chosen yet')
    h.advance(0)
    assert.equal(h.groups.isSubscribedTo('g', 't2'), true)
    assert.equal(h.groups.isSubscribedTo('g', 't3'), false)
    assert.equal(h.groups.isSubscribedTo('nope', 't1'), false)
    assert.equal(h.groups.emptySince('g'), null, 'it has members')

    h.advance(1234)
    h.leave(a.last.memberId)
    h.leave(b.last.memberId)
    assert.equal(h.groups.emptySince('g'), 1234)
    assert.equal(h.groups.isSubscribedTo('g', 't1'), false)
    h.groups.ensureSimpleGroup('simple')
    assert.equal(h.groups.emptySince('simple'), undefined, 'a simple group: each offset counts from its commit')
    assert.equal(h.groups.emptySince('nope'), undefined)

    const other = new Harness()
    other.join({ groupId: 'connect', protocolType: 'connect', version: 3, protocols: [{ name: 'default' }] })
    other.advance(0)
    assert.equal(other.groups.isSubscribedTo('connect', 'default'), false, 'not a consumer group: unknown')
  })
})
