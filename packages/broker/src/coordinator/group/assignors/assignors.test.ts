// Property tests of the server-side assignors: every subscribed partition is assigned exactly once and only to
// a subscriber; homogeneous subscriptions are balanced to within one partition; the uniform assignor is sticky.

import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import { rangeAssignor } from './range.ts'
import type { AssignmentMemberSpec, AssignmentSpec, GroupAssignment, ServerAssignor } from './types.ts'
import { uniformAssignor } from './uniform.ts'

const topicIds = ['t-a', 't-b', 't-c', 't-d']

/** A random group: 1–4 topics of 1–16 partitions, 1–9 members, each subscribing to a non-empty subset. */
function specArbitrary(homogeneous: boolean): fc.Arbitrary<AssignmentSpec> {
  return fc
    .record({
      counts: fc.array(fc.integer({ min: 1, max: 16 }), { minLength: 1, maxLength: topicIds.length }),
      memberCount: fc.integer({ min: 1, max: 9 }),
      masks: fc.array(fc.integer({ min: 1, max: 15 }), { minLength: 9, maxLength: 9 }),
    })
    .map(({ counts, memberCount, masks }) => {
      const topics = counts.map((count, i) => [topicIds[i] as string, count] as const)
      const subscriptionOf = (mask: number) => new Set(topics.filter((_, i) => mask & (1 << i)).map(([id]) => id))
      const members: AssignmentMemberSpec[] = []
      for (let i = 0; i < memberCount; i++) {
        const mask = homogeneous ? (masks[0] as number) : (masks[i] as number)
        const subscribed = subscriptionOf(mask)
        members.push(member(`m${i}`, subscribed.size > 0 ? subscribed : new Set([topics[0]?.[0] as string])))
      }
      return { members, partitionCounts: new Map(topics) }
    })
}

function member(
  memberId: string,
  subscribed: Set<string>,
  current = new Map<string, number[]>(),
): AssignmentMemberSpec {
  return { memberId, instanceId: null, rackId: null, subscribedTopicIds: subscribed, currentAssignment: current }
}

function countOf(assignment: GroupAssignment, memberId: string): number {
  let n = 0
  for (const partitions of assignment.get(memberId)?.values() ?? []) n += partitions.length
  return n
}

function assertValid(spec: AssignmentSpec, assignment: GroupAssignment): void {
  const owners = new Map<string, string>()
  for (const m of spec.members) {
    for (const [topicId, partitions] of assignment.get(m.memberId) ?? []) {
      assert.ok(m.subscribedTopicIds.has(topicId), `${m.memberId} got ${topicId} without subscribing`)
      for (const p of partitions) {
        const key = `${topicId}:${p}`
        assert.equal(owners.get(key), undefined, `${key} assigned twice`)
        owners.set(key, m.memberId)
      }
    }
  }
  for (const [topicId, count] of spec.partitionCounts) {
    if (!spec.members.some((m) => m.subscribedTopicIds.has(topicId))) continue
    for (let p = 0; p < count; p++) assert.ok(owners.has(`${topicId}:${p}`), `${topicId}:${p} unassigned`)
  }
}

function assertBalanced(spec: AssignmentSpec, assignment: GroupAssignment): void {
  const counts = spec.members.map((m) => countOf(assignment, m.memberId))
  assert.ok(Math.max(...counts) - Math.min(...counts) <= 1, `unbalanced: ${counts.join(',')}`)
}

for (const assignor of [uniformAssignor, rangeAssignor] satisfies ServerAssignor[]) {
  test(`${assignor.name}: every subscribed partition goes to exactly one subscriber`, () => {
    fc.assert(
      fc.property(fc.boolean().chain(specArbitrary), (spec) => assertValid(spec, assignor.assign(spec))),
      { numRuns: 300 },
    )
  })
}

test('uniform: homogeneous subscriptions are balanced to within one partition', () => {
  fc.assert(
    fc.property(specArbitrary(true), (spec) => assertBalanced(spec, uniformAssignor.assign(spec))),
    { numRuns: 300 },
  )
})

test('uniform: a joining member takes partitions only from others, each keeping its fair share', () => {
  fc.assert(
    fc.property(specArbitrary(true), (spec) => {
      const before = uniformAssignor.assign(spec)
      const subscribed = spec.members[0]?.subscribedTopicIds ?? new Set<string>()
      const next: AssignmentSpec = {
        partitionCounts: spec.partitionCounts,
        members: [
          ...spec.members.map((m) => ({ ...m, currentAssignment: before.get(m.memberId) ?? new Map() })),
          member('new', new Set(subscribed)),
        ],
      }
      const after = uniformAssignor.assign(next)
      assertValid(next, after)
      assertBalanced(next, after)
      const total = [...spec.members, { memberId: 'new' }].reduce((n, m) => n + countOf(after, m.memberId), 0)
      const fairShare = Math.floor(total / next.members.length)
      for (const m of spec.members) {
        const previous = before.get(m.memberId) ?? new Map<string, number[]>()
        for (const [topicId, partitions] of after.get(m.memberId) ?? []) {
          for (const p of partitions)
            assert.ok(previous.get(topicId)?.includes(p), `${m.memberId} gained ${topicId}:${p}`)
        }
        const kept = Math.min(countOf(before, m.memberId), fairShare)
        assert.ok(countOf(after, m.memberId) >= kept, `${m.memberId} lost more than needed`)
      }
    }),
    { numRuns: 300 },
  )
})

test('uniform: an unchanged group keeps its assignment exactly', () => {
  fc.assert(
    fc.property(fc.boolean().chain(specArbitrary), (spec) => {
      const first = uniformAssignor.assign(spec)
      const again = uniformAssignor.assign({
        ...spec,
        members: spec.members.map((m) => ({ ...m, currentAssignment: first.get(m.memberId) ?? new Map() })),
      })
      assert.deepEqual(again, first)
    }),
    { numRuns: 200 },
  )
})

test('uniform: heterogeneous subscriptions never hand a partition to a non-subscriber', () => {
  const spec: AssignmentSpec = {
    partitionCounts: new Map([
      ['t-a', 6],
      ['t-b', 2],
    ]),
    members: [member('m1', new Set(['t-a'])), member('m2', new Set(['t-a', 't-b'])), member('m3', new Set(['t-b']))],
  }
  const result = uniformAssignor.assign(spec)
  assertValid(spec, result)
  assert.deepEqual(
    spec.members.map((m) => countOf(result, m.memberId)),
    [3, 3, 2],
  )
})

test('range: co-partitioned topics give each member the same partition numbers', () => {
  const both = new Set(['t-a', 't-b'])
  const spec: AssignmentSpec = {
    partitionCounts: new Map([
      ['t-a', 5],
      ['t-b', 5],
    ]),
    members: [member('m2', both), member('m1', both)],
  }
  const result = rangeAssignor.assign(spec)
  assert.deepEqual(
    result.get('m1'),
    new Map([
      ['t-a', [0, 1, 2]],
      ['t-b', [0, 1, 2]],
    ]),
  )
  assert.deepEqual(
    result.get('m2'),
    new Map([
      ['t-a', [3, 4]],
      ['t-b', [3, 4]],
    ]),
  )
})

test('range: static members come first, by instance id, so a restarted one keeps its range', () => {
  const both = new Set(['t-a'])
  const spec = (staticId: string): AssignmentSpec => ({
    partitionCounts: new Map([['t-a', 4]]),
    members: [member('a-dynamic', both), { ...member(staticId, both), instanceId: 'instance-1' }],
  })
  for (const staticId of ['z-before-restart', 'b-after-restart']) {
    assert.deepEqual(rangeAssignor.assign(spec(staticId)).get(staticId), new Map([['t-a', [0, 1]]]))
  }
})

test('range: homogeneous subscriptions are balanced per topic', () => {
  fc.assert(
    fc.property(specArbitrary(true), (spec) => {
      const result = rangeAssignor.assign(spec)
      for (const topicId of spec.partitionCounts.keys()) {
        if (!spec.members[0]?.subscribedTopicIds.has(topicId)) continue
        const counts = spec.members.map((m) => result.get(m.memberId)?.get(topicId)?.length ?? 0)
        assert.ok(Math.max(...counts) - Math.min(...counts) <= 1)
      }
    }),
    { numRuns: 200 },
  )
})
