// murmur2 against the values Kafka's Java client produces (the vectors of Kafka's UtilsTest.testMurmur2, which our
// implementation reproduces from the algorithm's definition), plus the partition mapping derived from them.

import assert from 'node:assert/strict'
import { test } from 'node:test'
import { keyPartition, murmur2, toPositive } from './murmur2.ts'

const JAVA_VECTORS: [string, number][] = [
  ['21', -973932308],
  ['foobar', -790332482],
  ['a-little-bit-long-string', -985981536],
  ['a-little-bit-longer-string', -1486304829],
  ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
  ['abc', 479470107],
]

test('murmur2 matches the Java client for every tail length', () => {
  for (const [key, expected] of JAVA_VECTORS) assert.equal(murmur2(Buffer.from(key)), expected, key)
})

test('murmur2 of empty input is the mixed seed', () => {
  assert.equal(murmur2(Buffer.alloc(0)), 275646681)
})

test('toPositive clears the sign bit instead of negating', () => {
  assert.equal(toPositive(-1), 0x7fffffff)
  assert.equal(toPositive(-2147483648), 0)
  assert.equal(toPositive(5), 5)
})

test('keyed records map to toPositive(murmur2(key)) % numPartitions', () => {
  assert.equal(keyPartition(Buffer.from('foobar'), 3), toPositive(-790332482) % 3)
  assert.equal(keyPartition(Buffer.from('21'), 10), 1173551340 % 10)
})
