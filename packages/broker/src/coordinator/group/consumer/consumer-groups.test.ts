// The ConsumerGroups manager beyond the heartbeat itself: regex subscriptions and topic changes, the choice of
// assignor, describe/list/delete, offset commit and fetch validation, and replay (a reload rebuilds the groups).

import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ErrorCode } from '@samsa/protocol'
import { Client, Coordinator } from './consumer-harness.ts'

test('a regex subscription takes every matching topic, and a new matching topic bumps the group epoch', () => {
  const c = new Coordinator()
  c.topics.create('orders-eu', 2)
  c.topics.create('orders-us', 1)
  c.topics.create('payments', 2)
  const m1 = new Client(c, 'm1')
  m1.join({ regex: 'orders-.*' })
  assert.deepEqual(m1.partitions(), { 'orders-eu': [0, 1], 'orders-us': [0] })

  c.topics.create('orders-asia', 1)
  c.topics.create('other', 1)
  c.run(c.groups.onTopicsChanged(c.timers.now))
  const [group] = c.groups.describe(['g'], false)
  assert.equal(group?.groupEpoch, 2)
  assert.equal(group?.groupState, 'Assigning')
  assert.equal(m1.beat().memberEpoch, 2)
  assert.deepEqual(m1.partitions(), { 'orders-asia': [0], 'orders-eu': [0, 1], 'orders-us': [0] })
  assert.ok(c.groups.isSubscribedTo('g', 'orders-new'))
  assert.ok(!c.groups.isSubscribedTo('g', 'payments'))

  // Nothing changed for the group: no records.
  assert.deepEqual(c.groups.onTopicsChanged(c.timers.now).records, [])
  // A deleted topic is revoked.
  c.topics.delete('orders-us')
  c.run(c.groups.onTopicsChanged(c.timers.now))
  m1.beat()
  assert.deepEqual(m1.partitions(), { 'orders-asia': [0], 'orders-eu': [0, 1] })
})

test('a subscribed topic that grows bumps the group epoch and its new partitions are assigned', () => {
  const c = new Coordinator()
  c.topics.create('orders', 2)
  const m1 = new Client(c, 'm1')
  const m2 = new Client(c, 'm2')
  m1.join({ topics: ['orders'] })
  m2.join({ topics: ['orders'] })
  m1.beat()
  m1.beat()
  m2.beat()
  c.topics.grow('orders', 4)
  c.run(c.groups.onTopicsChanged(c.timers.now))
  m1.beat()
  m2.beat()
  assert.deepEqual([m1.epoch, m2.epoch], [3, 3])
  assert.deepEqual([m1.partitions(), m2.partitions()], [{ orders: [0, 2] }, { orders: [1, 3] }])
})

test('the regex must match the whole topic name, and an invalid one is refused', () => {
  const c = new Coordinator()
  c.topics.create('orders', 1)
  c.topics.create('my-orders', 1)
  const m1 = new Client(c, 'm1')
  m1.join({ regex: 'orders' })
  assert.deepEqual(m1.partitions(), { orders: [0] })
  assert.equal(new Client(c, 'm2').join({ regex: 'orders(' }).errorCode, ErrorCode.INVALID_REGULAR_EXPRESSION)
})

test('a changed subscription bumps the epoch and moves the member to its new topics', () => {
  const c = new Coordinator()
  c.topics.create('a', 2)
  c.topics.create('b', 2)
  const m1 = new Client(c, 'm1')
  m1.join({ topics: ['a'] })
  const res = c.heartbeat({ memberId: 'm1', memberEpoch: 1, subscribedTopicNames: ['b'], topicPartitions: m1.owned })
  // a is to be revoked first: the member stays at epoch 1 with nothing assigned.
  assert.equal(res.memberEpoch, 1)
  assert.deepEqual(res.assignment?.topicPartitions, [])
  m1.owned = []
  m1.epoch = 1
  m1.beat()
  assert.equal(m1.epoch, 2)
  assert.deepEqual(m1.partitions(), { b: [0, 1] })
})

test('range co-partitions; uniform balances the same group differently', () => {
  for (const [assignor, expected] of [
    ['range', { m1: { a: [0, 1], b: [0, 1] }, m2: { a: [2], b: [2] } }],
    // m1 had everything: it keeps what it can and gives m2 partitions of both topics.
    ['uniform', { m1: { a: [0], b: [0, 1] }, m2: { a: [1, 2], b: [2] } }],
  ] as const) {
    const c = new Coordinator()
    c.topics.create('a', 3)
    c.topics.create('b', 3)
    const m1 = new Client(c, 'm1', { serverAssignor: assignor })
    const m2 = new Client(c, 'm2', { serverAssignor: assignor })
    m1.join({ topics: ['a', 'b'] })
    m2.join({ topics: ['a', 'b'] })
    for (let i = 0; i < 3; i++) {
      m1.beat()
      m2.beat()
    }
    assert.deepEqual({ m1: m1.partitions(), m2: m2.partitions() }, expected, assignor)
    const [group] = c.groups.describe(['g'], false)
    assert.equal(group?.assignorName, assignor)
    assert.equal(group?.groupState, 'Stable')
  }
})

test('replaying every record into a fresh manager reproduces describe() and list()', () => {
  const c = new Coordinator()
  c.topics.create('orders', 6)
  c.topics.create('payments', 2)
  const m1 = new Client(c, 'm1')
  const m2 = new Client(c, 'm2', { instanceId: 'i2' })
  const m3 = new Client(c, 'm3')
  m1.join({ topics: ['orders'] })
  m2.join({ topics: ['orders', 'payments'] })
  m1.beat()
  m3.join({ regex: 'pay.*' })
  m2.beat()
  m1.beat()
  m2.leave(-2)
  new Client(c, 'h1', { groupId: 'h' }).join({ topics: ['payments'] })
  new Client(c, 'e1', { groupId: 'empty' }).join({ topics: ['payments'] })
  c.heartbeat({ memberId: 'e1', memberEpoch: -1 }, 'empty')

  const ids = ['g', 'h', 'empty', 'missing']
  const reloaded = c.reloaded()
  assert.deepEqual(reloaded.describe(ids, false), c.groups.describe(ids, false))
  assert.deepEqual(reloaded.list([]), c.groups.list([]))
  assert.deepEqual(
    c.groups.list(['empty', 'RECONCILING']).map((g) => [g.groupId, g.groupState]),
    [
      ['g', 'Reconciling'],
      ['empty', 'Empty'],
    ],
  )
  const [missing] = c.groups.describe(['missing'], false)
  assert.equal(missing?.errorCode, ErrorCode.GROUP_ID_NOT_FOUND)

  // After a reload, every member has a session timer again (and a member still revoking, its deadline).
  c.timers.pending.clear()
  reloaded.onLoaded(c.timers.now)
  assert.equal([...c.timers.pending.keys()].filter((k) => k.includes('session')).length, 4)
})

test('delete: only an Empty group, which its tombstones remove', () => {
  const c = new Coordinator()
  c.topics.create('orders', 1)
  const m1 = new Client(c, 'm1')
  m1.join({ topics: ['orders'] })
  assert.deepEqual(c.groups.delete('g'), { records: [], response: ErrorCode.NON_EMPTY_GROUP })
  assert.deepEqual(c.groups.delete('nope'), { records: [], response: ErrorCode.GROUP_ID_NOT_FOUND })
  m1.leave()
  assert.equal(c.run(c.groups.delete('g')), ErrorCode.NONE)
  assert.equal(c.groups.has('g'), false)
  assert.equal(c.reloaded().has('g'), false)
  assert.deepEqual(c.groups.list([]), [])
})

test('offset commit and fetch validation follow the member epoch', () => {
  const c = new Coordinator()
  c.topics.create('orders', 2)
  const m1 = new Client(c, 'm1')
  m1.join({ topics: ['orders'] })
  const g = c.groups
  assert.equal(g.validateOffsetCommit('g', 'm1', 1), ErrorCode.NONE)
  assert.equal(g.validateOffsetCommit('g', 'm1', 0), ErrorCode.STALE_MEMBER_EPOCH)
  assert.equal(g.validateOffsetCommit('g', 'm9', 1), ErrorCode.UNKNOWN_MEMBER_ID)
  assert.equal(
    g.validateOffsetCommit('g', '', -1),
    ErrorCode.UNKNOWN_MEMBER_ID,
    'no admin commits while members are in',
  )
  assert.equal(g.validateOffsetCommit('none', 'm1', 1), ErrorCode.GROUP_ID_NOT_FOUND)
  assert.equal(g.validateOffsetFetch('g', 'm1', 1), ErrorCode.NONE)
  assert.equal(g.validateOffsetFetch('g', 'm1', 2), ErrorCode.STALE_MEMBER_EPOCH)
  assert.equal(g.validateOffsetFetch('g', 'm9', 1), ErrorCode.UNKNOWN_MEMBER_ID)
  assert.equal(g.validateOffsetFetch('g', '', -1), ErrorCode.NONE)
  m1.leave()
  assert.equal(g.validateOffsetCommit('g', '', -1), ErrorCode.NONE, 'an admin commit to an Empty group')
})
