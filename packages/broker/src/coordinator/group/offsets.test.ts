import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ErrorCode } from '@samsa/protocol'
import { OffsetStore } from './offsets.ts'
import type { GroupRecord } from './types.ts'

function applied(store: OffsetStore, records: readonly GroupRecord[]): void {
  for (const r of records) if (r.type === 'offsetCommit') store.replay(r)
}

test('a commit becomes visible only through replay of its records; fetch answers -1 where nothing is committed', () => {
  const store = new OffsetStore()
  const { records, errors } = store.commit(
    'g',
    [
      { topic: 'orders', partition: 0, offset: 42n, leaderEpoch: 3, metadata: 'm' },
      { topic: 'orders', partition: 1, offset: 7n, leaderEpoch: -1, metadata: 'x'.repeat(5000) },
    ],
    1000,
    4096,
  )
  assert.deepEqual(errors, [ErrorCode.NONE, ErrorCode.OFFSET_METADATA_TOO_LARGE])
  assert.equal(records.length, 1)
  assert.equal(store.fetch('g', null).length, 0)
  applied(store, records)
  assert.deepEqual(store.fetch('g', [{ topic: 'orders', partitions: [0, 1] }]), [
    { topic: 'orders', partition: 0, offset: 42n, leaderEpoch: 3, metadata: 'm', errorCode: 0 },
    { topic: 'orders', partition: 1, offset: -1n, leaderEpoch: -1, metadata: '', errorCode: 0 },
  ])
  assert.deepEqual(store.topicsOf('g'), ['orders'])
})

test('OffsetDelete and DeleteGroups write tombstones only for what exists', () => {
  const store = new OffsetStore()
  applied(
    store,
    store.commit('g', [{ topic: 't', partition: 0, offset: 1n, leaderEpoch: -1, metadata: null }], 0, 4096).records,
  )
  const tombstones = store.delete('g', [
    { topic: 't', partition: 0 },
    { topic: 't', partition: 9 },
  ])
  assert.deepEqual(tombstones, [{ type: 'offsetCommit', key: { group: 'g', topic: 't', partition: 0 }, value: null }])
  applied(store, tombstones)
  assert.equal(store.hasOffsets('g'), false)
  assert.deepEqual(store.deleteGroup('g'), [])
})

test('expiry follows KIP-211: empty groups from when they emptied, simple groups per commit, active groups never', () => {
  const store = new OffsetStore()
  const commit = (group: string, at: number) =>
    applied(
      store,
      store.commit(group, [{ topic: 't', partition: 0, offset: 5n, leaderEpoch: -1, metadata: '' }], at, 4096).records,
    )
  commit('active', 0)
  commit('empty', 0)
  commit('simple', 500)
  const emptySince = (g: string) => (g === 'active' ? null : g === 'empty' ? 900 : undefined)
  assert.deepEqual(store.expire(1400, 1000, emptySince), [])
  const due = store.expire(1950, 1000, emptySince)
  // At 1950: 'empty' emptied at 900 (1050 ms ago), 'simple' committed at 500 (1450 ms ago); 'active' stays.
  assert.deepEqual(
    due.map((r) => r.key),
    [
      { group: 'empty', topic: 't', partition: 0 },
      { group: 'simple', topic: 't', partition: 0 },
    ],
  )
  // An explicit expireTimestamp (OffsetCommit v2-4 retentionTimeMs) wins over retention.
  applied(
    store,
    store.commit('active', [{ topic: 'u', partition: 0, offset: 1n, leaderEpoch: -1, metadata: '' }], 0, 4096, 10n)
      .records,
  )
  assert.deepEqual(
    store.expire(20, 1_000_000, () => undefined).map((r) => (r.key as { group: string }).group),
    ['active'],
  )
})

test('offsets of deleted topics are removed for every group', () => {
  const store = new OffsetStore()
  for (const g of ['a', 'b']) {
    applied(
      store,
      store.commit(g, [{ topic: 'gone', partition: 0, offset: 1n, leaderEpoch: -1, metadata: '' }], 0, 4096).records,
    )
    applied(
      store,
      store.commit(g, [{ topic: 'kept', partition: 0, offset: 1n, leaderEpoch: -1, metadata: '' }], 0, 4096).records,
    )
  }
  const records = store.deleteTopics((topic) => topic === 'kept')
  assert.deepEqual(
    records.map((r) => `${(r.key as { group: string }).group}/${(r.key as { topic: string }).topic}`),
    ['a/gone', 'b/gone'],
  )
})
