// Loading classic groups: the GroupMetadata records a coordinator wrote, replayed into a fresh one (after a trip
// through the v3 wire format), rebuild what DescribeGroups showed; replaying its own records changes nothing;
// onLoaded restarts the members' sessions.

import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import {
  ErrorCode,
  SyncGroup,
  decodeConsumerOffsetsKey,
  decodeConsumerOffsetsValue,
  encodeGroupMetadata,
} from '@samsa/protocol'
import type { GroupRecord } from '../types.ts'
import { Harness, SESSION_MS } from './classic-harness.ts'
import type { GroupMetadataRecord } from './classic-records.ts'

/** The record as a restarted broker reads it back from `__consumer_offsets` (value v3, as Kafka writes). */
function throughTheLog(record: GroupMetadataRecord): GroupMetadataRecord {
  const encoded = encodeGroupMetadata(record.key.group, record.value)
  const key = decodeConsumerOffsetsKey(encoded.key)
  assert.equal(key.type, 'groupMetadata')
  const value = decodeConsumerOffsetsValue('groupMetadata', encoded.value)
  assert.ok(value === null || value.version === 3)
  return { type: 'groupMetadata', key: { group: record.key.group }, value: value?.value ?? null }
}

function restart(log: readonly GroupRecord[]): Harness {
  const fresh = new Harness()
  for (const record of log) if (record.type === 'groupMetadata') fresh.groups.replay(throughTheLog(record))
  fresh.groups.onLoaded(fresh.now)
  return fresh
}

describe('classic groups: replay', () => {
  test('replaying the records into a fresh manager reproduces describe() and list()', () => {
    const h = new Harness()
    // "g": a dynamic and a static member, Stable, then the static member restarts without a rebalance.
    const a = h.joinNew('A')
    const s = h.join({ clientId: 'S', groupInstanceId: 'i-s' })
    h.advance(0)
    h.sync(a.last.memberId, 1, { [a.last.memberId]: 'for-a', [s.last.memberId]: 'for-s' })
    h.join({ clientId: 'S2', groupInstanceId: 'i-s' })
    // "emptied": had a generation, everyone left.
    const e = h.join({ groupId: 'emptied', clientId: 'E', version: 3 })
    h.advance(0)
    h.sync(e.last.memberId, 1, {}, { groupId: 'emptied' })
    h.leave(e.last.memberId, 'emptied')
    // "deleted": emptied and deleted.
    const d = h.join({ groupId: 'deleted', clientId: 'D', version: 3 })
    h.advance(0)
    h.leave(d.last.memberId, 'deleted')
    assert.equal(h.apply(h.groups.delete('deleted')), ErrorCode.NONE)

    const loaded = restart(h.log)
    for (const groupId of ['g', 'emptied', 'deleted']) {
      assert.deepEqual(loaded.groups.describe(groupId), h.groups.describe(groupId), groupId)
    }
    assert.deepEqual(loaded.groups.list([]), h.groups.list([]))
    assert.equal(loaded.groups.describe('g').members.length, 2)
    assert.equal(loaded.groups.emptySince('emptied'), h.groups.emptySince('emptied'))
    assert.equal(loaded.groups.describe('emptied').groupState, 'Empty')
  })

  test('a loaded group carries on: members keep their generation, a rejoin rebalances from there', () => {
    const h = new Harness()
    const { a, b, generation } = h.stableGroupOfTwo()
    const loaded = restart(h.log)
    assert.equal(loaded.heartbeat(a, generation), ErrorCode.NONE)
    assert.equal(loaded.sync(b, generation).last.assignment.toString(), 'b')
    assert.equal(loaded.groups.validateOffsetCommit('g', a, null, generation), ErrorCode.NONE)
    const aJoin = loaded.join({ clientId: 'A', memberId: a })
    const bJoin = loaded.join({ clientId: 'B', memberId: b })
    assert.equal(aJoin.last.generationId, generation + 1)
    assert.equal(aJoin.last.leader, a)
    assert.deepEqual(
      aJoin.last.members.map((m) => m.metadata.toString()),
      ['A:range', 'B:range'],
    )
    assert.equal(bJoin.last.errorCode, ErrorCode.NONE)
  })

  test('onLoaded starts the sessions of loaded members: silent ones expire and the group empties', () => {
    const h = new Harness()
    const { a, generation } = h.stableGroupOfTwo()
    const loaded = restart(h.log)
    loaded.advance(SESSION_MS - 1)
    assert.equal(loaded.heartbeat(a, generation), ErrorCode.NONE)
    loaded.advance(1)
    assert.equal(loaded.state(), 'PreparingRebalance', 'B was not heard from since the load')
    loaded.join({ clientId: 'A', memberId: a })
    loaded.advance(2 * SESSION_MS)
    assert.equal(loaded.state(), 'Empty')
    assert.deepEqual(loaded.lastGroupMetadata()?.members, [])
  })

  test('replaying its own record leaves transient state alone; a foreign record replaces the group', () => {
    const h = new Harness()
    const a = h.joinNew('A')
    const b = h.joinNew('B')
    h.advance(0)
    const gen = a.last.generationId
    const bSync = h.sync(b.last.memberId, gen)
    const result = h.groups.sync(
      // The leader's sync, applied by hand: the record is replayed before anyone is answered.
      {
        ...syncRequest(a.last.memberId, gen),
        assignments: [{ memberId: b.last.memberId, assignment: Buffer.from('x') }],
      },
      5,
      h.now,
      () => {},
    )
    const record = result.records[0]
    assert.equal(record?.type, 'groupMetadata')
    if (record?.type !== 'groupMetadata') return
    h.groups.replay(throughTheLog(record))
    assert.equal(h.state(), 'Stable')
    for (const deliver of result.then ?? []) deliver()
    assert.equal(bSync.last.assignment.toString(), 'x', "B's parked SyncGroup survived the replay")

    // A record this manager did not write (an older one, as during a load) rebuilds the group from it.
    assert.ok(record.value)
    h.groups.replay({ ...record, value: { ...record.value, generation: 7 } })
    assert.equal(h.heartbeat(a.last.memberId, gen), ErrorCode.ILLEGAL_GENERATION)
  })
})

function syncRequest(memberId: string, generationId: number) {
  return SyncGroup.request.make({ groupId: 'g', memberId, generationId })
}
