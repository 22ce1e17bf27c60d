import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ReadBufferPool } from './read-buffers.ts'

const KIB = 1024

test('a lease carves reads out of slabs and the next lease reuses the same memory', () => {
  const pool = new ReadBufferPool({ slabBytes: 256 * KIB, maxIdleBytes: 1024 * KIB })
  const first = pool.lease()
  const a = first.allocate(100 * KIB)
  const b = first.allocate(100 * KIB)
  const c = first.allocate(100 * KIB) // does not fit beside a and b: a second slab
  assert.equal(a.buffer, b.buffer)
  assert.notEqual(b.buffer, c.buffer)
  assert.equal(b.byteOffset - a.byteOffset, 100 * KIB)
  first.release()
  assert.equal(pool.idleSlabs, 2)

  const second = pool.lease()
  const d = second.allocate(200 * KIB)
  assert.ok(d.buffer === a.buffer || d.buffer === c.buffer, 'a released slab is handed out again')
  assert.equal(pool.idleSlabs, 1)
})

test('small and oversized reads bypass the pool; release is idempotent and the idle list is bounded', () => {
  const pool = new ReadBufferPool({ slabBytes: 64 * KIB, maxIdleBytes: 128 * KIB })
  const lease = pool.lease()
  assert.equal(lease.allocate(100).length, 100)
  assert.equal(lease.allocate(1024 * KIB).length, 1024 * KIB)
  assert.equal(pool.idleSlabs, 0)
  for (let i = 0; i < 5; i++) lease.allocate(64 * KIB) // five slabs
  lease.release()
  lease.release()
  assert.equal(pool.idleSlabs, 2, 'only maxIdleBytes worth of slabs are kept')
  assert.throws(() => lease.allocate(32 * KIB), /after release/)
})

test('the pool counts what live leases hold, small and oversized reads too, against its budget', () => {
  const pool = new ReadBufferPool({ slabBytes: 64 * KIB, maxIdleBytes: 128 * KIB, maxInUseBytes: 200 * KIB })
  const first = pool.lease()
  first.allocate(100) // bypasses the slabs, still counted
  first.allocate(50 * KIB)
  const second = pool.lease()
  second.allocate(100 * KIB) // larger than a slab
  assert.equal(pool.inUseBytes, 100 + 150 * KIB)
  assert.equal(pool.availableBytes, 50 * KIB - 100)
  second.allocate(60 * KIB) // overdrawn: nothing is refused, the budget only steers how much a Fetch asks for
  assert.equal(pool.availableBytes, 0)
  second.release()
  second.release()
  assert.equal(pool.inUseBytes, 100 + 50 * KIB)
  first.release()
  assert.equal(pool.inUseBytes, 0)
  assert.equal(pool.availableBytes, 200 * KIB)
})
