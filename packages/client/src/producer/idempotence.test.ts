import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ErrorCode } from '@samsa/protocol'
import type { Cluster } from '../cluster/cluster.ts'
import { breaksSequence, IdempotenceState } from './idempotence.ts'

test('sequences count records per partition and wrap after INT32_MAX', () => {
  const state = new IdempotenceState({} as Cluster)
  assert.equal(state.nextSequence('t', 0, 3), 0)
  assert.equal(state.nextSequence('t', 0, 2), 3)
  assert.equal(state.nextSequence('t', 1, 1), 0)
  assert.equal(state.nextSequence('u', 0, 1), 0)
  state.nextSequence('t', 0, 2_147_483_637 - 5)
  assert.equal(state.nextSequence('t', 0, 20), 2_147_483_637)
  assert.equal(state.nextSequence('t', 0, 1), 9, 'INT32_MAX - 10 + 20 wraps to 9')
  state.reset()
  assert.equal(state.nextSequence('t', 0, 1), 0)
})

test('the errors that break the sequence', () => {
  assert.ok(breaksSequence(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER))
  assert.ok(breaksSequence(ErrorCode.UNKNOWN_PRODUCER_ID))
  assert.ok(!breaksSequence(ErrorCode.NOT_LEADER_OR_FOLLOWER))
})

test('a refused batch gives its sequences back, unless something moved since', () => {
  const state = new IdempotenceState({} as Cluster)
  state.nextSequence('t', 0, 2)
  const refused = { topic: 't', partition: 0, baseSequence: state.nextSequence('t', 0, 3), records: [1, 2, 3] }
  state.rollback(refused)
  assert.equal(state.nextSequence('t', 0, 1), 2, 'the next batch takes the refused one’s place')
  const stale = { topic: 't', partition: 0, baseSequence: state.nextSequence('t', 0, 1), records: [1] }
  state.reset()
  state.rollback(stale)
  assert.equal(state.nextSequence('t', 0, 1), 0, 'after a reset the sequence starts at 0 for the new producer id')
})
