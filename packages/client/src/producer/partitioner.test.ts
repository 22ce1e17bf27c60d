import assert from 'node:assert/strict'
import { test } from 'node:test'
import { defaultPartition, StickyPartitionCache } from './partitioner.ts'

const args = (key: string | null, numPartitions = 6, availablePartitions = [0, 1, 2, 3, 4, 5]) => ({
  topic: 't',
  key: key === null ? null : Buffer.from(key),
  value: null,
  numPartitions,
  availablePartitions,
})

test('keyed records use murmur2 over all partitions, even unavailable ones', () => {
  const sticky = new StickyPartitionCache()
  // toPositive(murmur2("foobar")) = 1357151166; 1357151166 % 6 = 0
  assert.equal(defaultPartition(args('foobar'), sticky), 1357151166 % 6)
  assert.equal(defaultPartition(args('foobar', 6, [1]), sticky), 1357151166 % 6)
})

test('keyless records stick to one partition until its batch closes (KIP-480)', () => {
  const sticky = new StickyPartitionCache(() => 0.5)
  const first = defaultPartition(args(null), sticky)
  assert.equal(defaultPartition(args(null), sticky), first)
  sticky.onBatchClosed('t', (first + 1) % 6, 6, [0, 1, 2, 3, 4, 5])
  assert.equal(defaultPartition(args(null), sticky), first, 'another partition closing changes nothing')
  sticky.onBatchClosed('t', first, 6, [0, 1, 2, 3, 4, 5])
  const second = defaultPartition(args(null), sticky)
  assert.notEqual(second, first)
})

test('keyless records prefer partitions with a leader', () => {
  const sticky = new StickyPartitionCache(() => 0.99)
  assert.equal(defaultPartition(args(null, 6, [4]), sticky), 4)
})
