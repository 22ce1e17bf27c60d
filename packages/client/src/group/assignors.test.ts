// The client-side assignors on fixed inputs: range and roundrobin layouts, and cooperative-sticky's two
// rebalances (KIP-429): keep what does not move, withhold what moves until its owner has revoked it.

import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { TopicPartition } from '../cluster/sharding.ts'
import { cooperativeStickyAssignor, rangeAssignor, roundRobinAssignor, type MemberSubscription } from './assignors.ts'

const member = (
  memberId: string,
  topics: string[],
  owned: TopicPartition[] = [],
  generationId = 1,
): MemberSubscription => ({
  memberId,
  groupInstanceId: null,
  topics,
  ownedPartitions: owned,
  generationId,
})
const show = (plan: Map<string, TopicPartition[]>) =>
  Object.fromEntries([...plan].map(([id, ps]) => [id, ps.map((p) => `${p.topic}-${p.partition}`).sort()]))
const tp = (topic: string, ...partitions: number[]) => partitions.map((partition) => ({ topic, partition }))

test('range: consecutive ranges per topic, the first members get the remainder', () => {
  const plan = rangeAssignor.assign(
    [member('b', ['t', 'u']), member('a', ['t', 'u'])],
    new Map([
      ['t', 5],
      ['u', 2],
    ]),
  )
  assert.deepEqual(show(plan), { a: ['t-0', 't-1', 't-2', 'u-0'], b: ['t-3', 't-4', 'u-1'] })
})

test('range: members get only topics they subscribe to', () => {
  const plan = rangeAssignor.assign(
    [member('a', ['t']), member('b', ['u'])],
    new Map([
      ['t', 2],
      ['u', 2],
    ]),
  )
  assert.deepEqual(show(plan), { a: ['t-0', 't-1'], b: ['u-0', 'u-1'] })
})

test('roundrobin: partitions dealt in turn over all topics', () => {
  const plan = roundRobinAssignor.assign(
    [member('a', ['t', 'u']), member('b', ['t', 'u'])],
    new Map([
      ['t', 3],
      ['u', 2],
    ]),
  )
  assert.deepEqual(show(plan), { a: ['t-0', 't-2', 'u-1'], b: ['t-1', 'u-0'] })
})

test('static members are ordered by group.instance.id, so a restart with a new member id changes nothing', () => {
  const a = { ...member('zzz', ['t']), groupInstanceId: 'instance-1' }
  const b = { ...member('aaa', ['t']), groupInstanceId: 'instance-2' }
  assert.deepEqual(show(rangeAssignor.assign([a, b], new Map([['t', 2]]))), { zzz: ['t-0'], aaa: ['t-1'] })
})

test('cooperative-sticky: a new member gets nothing that moves until its owner has revoked it', () => {
  const counts = new Map([['t', 4]])
  // First rebalance: a owns everything, b joins. a keeps two, the other two are withheld from b.
  const first = cooperativeStickyAssignor.assign([member('a', ['t'], tp('t', 0, 1, 2, 3)), member('b', ['t'])], counts)
  assert.equal(first.get('a')!.length, 2)
  assert.deepEqual(first.get('b'), [])
  // Second rebalance: a now owns only what it kept; the freed partitions go to b and a keeps the rest.
  const kept = first.get('a')!
  const second = cooperativeStickyAssignor.assign([member('a', ['t'], kept, 2), member('b', ['t'], [], 2)], counts)
  assert.deepEqual(second.get('a'), kept)
  assert.deepEqual(
    show(second).b,
    show(new Map([['b', tp('t', 0, 1, 2, 3).filter((p) => !kept.some((k) => k.partition === p.partition))]])).b,
  )
})

test('cooperative-sticky: nothing moves when the group is already balanced', () => {
  const counts = new Map([['t', 4]])
  const members = [member('a', ['t'], tp('t', 1, 3)), member('b', ['t'], tp('t', 0, 2))]
  assert.deepEqual(show(cooperativeStickyAssignor.assign(members, counts)), { a: ['t-1', 't-3'], b: ['t-0', 't-2'] })
})

test('cooperative-sticky: of two claims on one partition the newer generation wins', () => {
  const counts = new Map([['t', 2]])
  const members = [member('a', ['t'], tp('t', 0, 1), 1), member('b', ['t'], tp('t', 0), 3)]
  const plan = cooperativeStickyAssignor.assign(members, counts)
  assert.deepEqual(show(plan), { a: ['t-1'], b: ['t-0'] })
})

test('cooperative-sticky: partitions of a departed member are spread at once', () => {
  const counts = new Map([['t', 6]])
  const members = [member('a', ['t'], tp('t', 0, 1)), member('b', ['t'], tp('t', 2, 3))] // c owned 4 and 5
  const plan = cooperativeStickyAssignor.assign(members, counts)
  assert.deepEqual(show(plan), { a: ['t-0', 't-1', 't-4'], b: ['t-2', 't-3', 't-5'] })
})
